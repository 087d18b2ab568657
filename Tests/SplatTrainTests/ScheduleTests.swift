import Foundation
import Testing
@testable import SplatTrain

@Suite struct ScheduleTests {
    let schedule = TrainingSchedule(config: TrainConfig(), sceneRadius: 2.5)

    @Test func positionRateIsLogLinearFromTheStartStepTimesRadius() {
        // Before 8000 the schedule is held at its step-8000 value (EDGS).
        let at8000 = exp(log(1.6e-4) * (1 - 8000.0 / 30000) + log(1.6e-6) * (8000.0 / 30000)) * 2.5
        #expect(abs(schedule.positionLearningRate(step: 1) - at8000) < 1e-12)
        #expect(abs(schedule.positionLearningRate(step: 8000) - at8000) < 1e-12)
        let at20000 = exp(log(1.6e-4) * (1 - 20000.0 / 30000) + log(1.6e-6) * (20000.0 / 30000)) * 2.5
        #expect(abs(schedule.positionLearningRate(step: 20000) - at20000) < 1e-12)
        #expect(abs(schedule.positionLearningRate(step: 30000) - 1.6e-6 * 2.5) < 1e-15)
        #expect(abs(schedule.positionLearningRate(step: 90000) - 1.6e-6 * 2.5) < 1e-15)
    }

    @Test func positionDelayFollows3DGSSineRamp() {
        var c = TrainConfig()
        c.positionLRStartStep = 0; c.positionLRDelaySteps = 100; c.positionLRDelayMult = 0.01
        let s = TrainingSchedule(config: c, sceneRadius: 1)
        let plain = exp(log(1.6e-4) * (1 - 50.0 / 30000) + log(1.6e-6) * (50.0 / 30000))
        let delay = 0.01 + 0.99 * sin(0.5 * Double.pi * 0.5)
        #expect(abs(s.positionLearningRate(step: 50) - plain * delay) < 1e-12)
    }

    @Test func groupRatesUseFeatureRateOverTwentyForSHRest() {
        let lr = schedule.learningRates(step: 1)
        #expect(lr[ParameterGroup.shDC.rawValue] == 0.0025)
        #expect(lr[ParameterGroup.shRest.rawValue] == Float(0.0025 / 20))
        #expect(lr[ParameterGroup.opacityLogits.rawValue] == 0.025)
        #expect(lr[ParameterGroup.logScales.rawValue] == 0.005)
        #expect(lr[ParameterGroup.rotations.rawValue] == 0.001)
    }

    @Test func shDegreeRisesEveryThousandStepsUpToMax() {
        #expect([1, 999, 1000, 1999, 2000, 3000, 9000].map(schedule.activeSHDegree) == [0, 0, 1, 1, 2, 3, 3])
        var c = TrainConfig(); c.shDegree = 1
        #expect(TrainingSchedule(config: c, sceneRadius: 1).activeSHDegree(step: 5000) == 1)
    }

    @Test func opacityDecayAndPruneEveryTenStepsUntil15000() {
        #expect(schedule.decaysOpacity(atStep: 10) && schedule.decaysOpacity(atStep: 15000))
        #expect(!schedule.decaysOpacity(atStep: 11) && !schedule.decaysOpacity(atStep: 15010))
        #expect(schedule.prunes(atStep: 20) && !schedule.prunes(atStep: 25) && !schedule.prunes(atStep: 15020))
        var c = TrainConfig(); c.opacityDecayInterval = 0; c.pruneInterval = 0
        let off = TrainingSchedule(config: c, sceneRadius: 1)
        #expect(!off.decaysOpacity(atStep: 10) && !off.prunes(atStep: 10))
    }
}
