import Foundation
import SplatCore
import Testing
@testable import SplatTrain

/// Schedule values against figures worked out from 3DGS's `get_expon_lr_func` by hand (its
/// log-linear decay gives the geometric mean of init and final at half way), not re-derived
/// from the formula under test.
@Suite struct ScheduleTests {
    /// 3DGS/EDGS taken literally: keys are steps of this run.
    var literal: TrainingSchedule {
        var c = TrainConfig(); c.scheduleIterations = 0
        return TrainingSchedule(config: c, sceneRadius: 2.5)
    }

    /// The default run-length schedules in a 3000-step run.
    func run(iterations: Int) -> TrainingSchedule {
        var c = TrainConfig(); c.setRunLength(iterations: iterations, minutes: nil)
        return TrainingSchedule(config: c, sceneRadius: 2.5)
    }

    static func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-9 * abs(b) }

    // 1.6e-4 · (1.6e-6 / 1.6e-4)^(8000/30000) = 1.6e-4 · 0.01^(4/15); 15000 is half way: √(1.6e-4 · 1.6e-6) = 1.6e-5.
    static let at8000 = 4.685831303400375e-05, at15000 = 1.6e-5, final = 1.6e-6

    @Test func literalPositionRateIsHeldAtStep8000ThenDecaysLogLinearly() {
        let s = literal
        #expect(Self.close(s.positionLearningRate(step: 1), Self.at8000 * 2.5))
        #expect(Self.close(s.positionLearningRate(step: 8000), Self.at8000 * 2.5))
        #expect(Self.close(s.positionLearningRate(step: 15000), Self.at15000 * 2.5))
        #expect(Self.close(s.positionLearningRate(step: 30000), Self.final * 2.5))
        #expect(Self.close(s.positionLearningRate(step: 90000), Self.final * 2.5))
    }

    @Test func positionRateDecaysOverTheRunWhateverItsLength() {
        for n in [3000, 7000] {
            let s = run(iterations: n)
            // The first 8000/30000 of the run sit at EDGS's start value, half way is 15000 of 30000, the end is final.
            #expect(Self.close(s.positionLearningRate(step: 1), Self.at8000 * 2.5))
            #expect(Self.close(s.positionLearningRate(step: n / 2), Self.at15000 * 2.5))
            #expect(Self.close(s.positionLearningRate(step: n), Self.final * 2.5))
        }
        // A time-budget run: progress, not the step, places it.
        #expect(Self.close(run(iterations: 1).positionLearningRate(at: run(iterations: 1).referenceStep(step: 7, progress: 0.5)),
                           Self.at15000 * 2.5))
    }

    @Test func positionDelayFollows3DGSSineRamp() {
        var c = TrainConfig()
        c.scheduleIterations = 0; c.positionLRStartStep = 0; c.positionLRDelaySteps = 100; c.positionLRDelayMult = 0.01
        let s = TrainingSchedule(config: c, sceneRadius: 1)
        // At step 50: delay 0.01 + 0.99·sin(π/4) = 0.71003571, rate 1.6e-4 · 0.01^(50/30000) = 1.58776655e-4.
        #expect(abs(s.positionLearningRate(step: 50) - 0.71003571 * 1.58776655e-4) < 1e-11)
    }

    @Test func groupRatesUseFeatureRateOverTwentyForSHRest() {
        let lr = literal.learningRates(step: 1)
        #expect(lr[ParameterGroup.shDC.rawValue] == 0.0025)
        #expect(lr[ParameterGroup.shRest.rawValue] == Float(0.0025 / 20))
        #expect(lr[ParameterGroup.opacityLogits.rawValue] == 0.025)
        #expect(lr[ParameterGroup.logScales.rawValue] == 0.005)
        #expect(lr[ParameterGroup.rotations.rawValue] == 0.001)
    }

    @Test func shDegreeReachesItsMaxAfterATenthOfTheRun() {
        #expect([1, 999, 1000, 1999, 2000, 3000, 9000].map(literal.activeSHDegree) == [0, 0, 1, 1, 2, 3, 3])
        // One degree every 1000 of 30000 reference steps: every 100 steps of a 3000-step run.
        #expect([1, 99, 100, 199, 200, 299, 300, 3000].map(run(iterations: 3000).activeSHDegree) == [0, 0, 1, 1, 2, 2, 3, 3])
        var c = TrainConfig(); c.shDegree = 1; c.scheduleIterations = 0
        #expect(TrainingSchedule(config: c, sceneRadius: 1).activeSHDegree(step: 5000) == 1)
    }

    @Test func opacityDecayAndPruneEveryTenStepsOverTheWholeRun() {
        let l = literal
        #expect(l.decaysOpacity(atStep: 10) && l.decaysOpacity(atStep: 30000))
        #expect(!l.decaysOpacity(atStep: 11) && !l.decaysOpacity(atStep: 30010))
        #expect(l.prunes(atStep: 20) && !l.prunes(atStep: 25) && l.prunes(atStep: 30000) && !l.prunes(atStep: 30020))
        let r = run(iterations: 3000)
        #expect(r.decaysOpacity(atStep: 1510) && r.decaysOpacity(atStep: 3000) && r.prunes(atStep: 2990) && !r.prunes(atStep: 2995))
        // EDGS's window, half the run, is one key each.
        var half = TrainConfig(); half.setRunLength(iterations: 3000, minutes: nil)
        half.opacityDecayUntil = 15000; half.pruneUntil = 15000
        let h = TrainingSchedule(config: half, sceneRadius: 2.5)
        #expect(h.decaysOpacity(atStep: 1500) && !h.decaysOpacity(atStep: 1510) && h.prunes(atStep: 1500) && !h.prunes(atStep: 1510))
        var c = TrainConfig(); c.opacityDecayInterval = 0; c.pruneInterval = 0
        let off = TrainingSchedule(config: c, sceneRadius: 1)
        #expect(!off.decaysOpacity(atStep: 10) && !off.prunes(atStep: 10))
    }

    @Test func resolutionWarmUpQuartersThenHalvesTheImages() {
        // OpenSplat's rule, 2 downscales every 3000 of 30000: ¼ size for the first tenth, ½ for the next.
        let r = run(iterations: 3000)
        #expect([1, 299, 300, 599, 600, 3000].map { r.imageDownscale(step: $0) } == [4, 4, 2, 2, 1, 1])
        // Never below 200 px on the long side: 800 px starts at 200, 500 px at 250, 399 px at full size.
        #expect(r.imageDownscale(step: 1, longSide: 800) == 4 && r.imageDownscale(step: 1, longSide: 500) == 2)
        #expect(r.imageDownscale(step: 1, longSide: 399) == 1 && r.imageDownscale(step: 300, longSide: 400) == 2)
        var c = TrainConfig(); c.numDownscales = 0
        #expect(TrainingSchedule(config: c, sceneRadius: 1).imageDownscale(step: 1) == 1)
    }

    @Test func exposureRateDecaysFromInitToFinalOverTheRun() {
        let s = run(iterations: 3000)
        #expect(s.exposureLearningRate(progress: 0) == 0.01)
        #expect(abs(Double(s.exposureLearningRate(progress: 0.5)) - 0.0031622777) < 1e-8)   // √(0.01 · 0.001)
        #expect(abs(Double(s.exposureLearningRate(progress: 1)) - 0.001) < 1e-9)
    }

    @Test func warmUpLevelsHaveIntrinsicsOfTheirDownscaledPixels() {
        // Sizes that 4 does not divide: pixel i of the level covers source pixels [4i, 4i + 4).
        let cameras = testCameras(count: 3, width: 27, height: 19)
        let views = renderedViews(truth: targetCloud(), cameras: cameras)
        let level = ResolutionLevels(views: views).level(4)
        for (camera, (image, original)) in zip(level.cameras, zip(level.images, views.trainCameras)) {
            #expect(image.width == 6 && image.height == 4 && camera.width == 6 && camera.height == 4)
            #expect(camera.intrinsics.fx == original.intrinsics.fx / 4 && camera.intrinsics.cx == original.intrinsics.cx / 4)
            #expect(camera.intrinsics.cy == original.intrinsics.cy / 4)
        }
    }

    @Test func timeBudgetProgressReachesOneAtTheDeadline() {
        let start = Date(timeIntervalSince1970: 1000)
        let budget = TimeBudget(minutes: 1, start: start, trainedBefore: 0, pixelsAfterTraining: 0)
        // 20 s in, 19 of them training: 39 s of the 60 are left (one is kept for writing).
        #expect(abs(budget.progress(trained: 19, now: start.addingTimeInterval(20)) - 19.0 / 58) < 1e-12)
        #expect(budget.progress(trained: 50, now: start.addingTimeInterval(59)) == 1)
        #expect(budget.remaining(now: start.addingTimeInterval(59)) <= 0)
    }

    @Test func timeBudgetKeepsBackTheRendersAndTheCallersFixedCosts() {
        let start = Date(timeIntervalSince1970: 1000)
        var budget = TimeBudget(minutes: 1, start: start, trainedBefore: 0, pixelsAfterTraining: 1_000_000,
                                fixedSecondsAfterTraining: 4)
        // Before any step is timed only the fixed costs and the second for writing are kept.
        #expect(budget.reserve == 5)
        budget.observe(renderSeconds: 0.02, pixels: 1_000_000)   // 2e-8 s per pixel: 0.02 s for the renders
        #expect(abs(budget.reserve - 5.02) < 1e-12)
        budget.observe(renderSeconds: 0.04, pixels: 1_000_000)   // smoothed: 0.9 · 0.02 + 0.1 · 0.04
        #expect(abs(budget.reserve - 5.022) < 1e-12)
        #expect(abs(budget.remaining(now: start.addingTimeInterval(10)) - (60 - 10 - 5.022)) < 1e-9)
    }
}
