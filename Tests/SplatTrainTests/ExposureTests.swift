import Foundation
import SplatCore
import Testing
@testable import SplatTrain

/// Views whose train images are renders of `truth` with a known colour gain per view
/// (per channel), as a phone's auto exposure and white balance would give.
func gainedViews(truth: GaussianCloud, cameras: [Camera], gains: [SIMD3<Float>]) -> TrainingViews {
    var views = renderedViews(truth: truth, cameras: cameras)
    for v in views.trainImages.indices {
        let g = gains[v % gains.count]
        views.trainImages[v].pixels = views.trainImages[v].pixels.enumerated().map { i, p in
            UInt8(min(255, (Float(p) * g[i % 3]).rounded()))
        }
    }
    return views
}

@Suite struct ExposureTests {
    @Test func backwardMatchesCentralDifferences() {
        var e = ExposureState(viewCount: 2)
        var rng = SplatRandom(seed: 3)
        for i in 12..<24 { e.parameters[i] += 0.3 * (rng.nextFloat() - 0.5) }
        let n = 7 * 3
        let rendered = (0..<n).map { _ in rng.nextFloat() }
        let weights = (0..<n).map { _ in rng.nextFloat() - 0.5 }
        // Objective: Σ weights · (A·c + b), so dL/d(out) = weights.
        func objective(_ s: ExposureState, _ c: [Float]) -> Double {
            var out = c
            s.apply(view: 1, to: &out)
            return zip(out, weights).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        }
        var dLdc = weights
        let dParams = e.backward(view: 1, rendered: rendered, gradient: &dLdc)
        let h: Float = 1e-2
        for k in 0..<12 {
            var plus = e, minus = e
            plus.parameters[12 + k] += h; minus.parameters[12 + k] -= h
            let fd = (objective(plus, rendered) - objective(minus, rendered)) / Double(2 * h)
            #expect(abs(fd - Double(dParams[k])) < 1e-3 * max(1, abs(fd)), "parameter \(k): \(fd) vs \(dParams[k])")
        }
        for i in 0..<n {
            var plus = rendered, minus = rendered
            plus[i] += h; minus[i] -= h
            let fd = (objective(e, plus) - objective(e, minus)) / Double(2 * h)
            #expect(abs(fd - Double(dLdc[i])) < 1e-3, "pixel value \(i): \(fd) vs \(dLdc[i])")
        }
    }

    @Test func fitOnTheLeftHalfRecoversAKnownTransform() {
        var rng = SplatRandom(seed: 9)
        let w = 20, h = 10
        let render = ImageF(width: w, height: h, pixels: (0..<(w * h * 3)).map { _ in 0.1 + 0.7 * rng.nextFloat() })
        let m: [Float] = [0.8, 0.05, 0, 0.02, 0, 1.1, -0.05, 0, 0.03, 0, 0.9, -0.01]
        var truth = render
        ExposureState.apply(matrix: m, to: &truth.pixels)
        let fit = HeldOutExposureFit.fitAffine(render, truth, columns: 0..<(w / 2), ridge: 0)
        for k in 0..<12 { #expect(abs(fit[k] - m[k]) < 1e-3, "entry \(k): \(fit[k]) vs \(m[k])") }
        // The default pull towards the identity keeps most of the correction.
        let scores = HeldOutExposureFit.evaluate(renders: [render], truths: [truth], evaluator: SSIMEvaluator(threadCount: 1))!
        #expect(scores.fittedPSNR > scores.rightPSNR + 5, "\(scores)")
    }

    /// The synthetic test of issue 17: train views with known per-view, per-channel gains.
    /// With the splat frozen at the truth, the learned transforms are the gains; with the splat
    /// learning too, exposure compensation fits the views much better than without it.
    @Test func learnedTransformsRecoverKnownPerViewGains() throws {
        let cameras = testCameras(count: 8)
        let gains: [SIMD3<Float>] = [[1, 1, 1], [0.7, 0.7, 0.7], [1.15, 1.0, 0.8], [0.85, 0.95, 1.1], [0.6, 0.8, 0.7], [1.1, 1.1, 1.2]]
        let views = gainedViews(truth: targetCloud(), cameras: cameras, gains: gains)
        func train(exposure: Bool, frozen: Bool) throws -> (Trainer, Double) {
            var c = smallConfig(output: "/unused", iterations: 1200)
            c.exposure = exposure
            c.exposureLRInit = 0.02; c.exposureLRFinal = 0.002
            if frozen {
                c.positionLRInit = 0; c.positionLRFinal = 0; c.featureLR = 0; c.opacityLR = 0; c.scalingLR = 0; c.rotationLR = 0
                c.opacityDecayInterval = 0; c.pruneInterval = 0
            }
            var state = TrainingState(cloud: frozen ? targetCloud() : perturbed(targetCloud()), seed: 1, trainViewCount: views.trainCameras.count)
            state.matchExposure(c)
            let t = Trainer(config: c, views: views, state: state, renderer: AdditiveTestRenderer())
            var late = 0.0
            for s in 0..<c.iterations { let v = try t.step(); if s >= c.iterations - 30 { late += v.l1 / 30 } }
            return (t, late)
        }
        let (frozen, _) = try train(exposure: true, frozen: true)
        let e = try #require(frozen.state.exposure)
        for v in 0..<views.trainCameras.count {
            let m = e.matrix(view: v), g = gains[v % gains.count]
            for (k, want) in [(0, g.x), (5, g.y), (10, g.z)] {
                #expect(abs(m[k] / want - 1) < 0.02, "view \(v): diagonal \(m[0]), \(m[5]), \(m[10]), gains \(g)")
            }
            for k in [1, 2, 3, 4, 6, 7, 8, 9, 11] { #expect(abs(m[k]) < 0.03, "view \(v): entry \(k) = \(m[k])") }
        }
        let (_, lossOn) = try train(exposure: true, frozen: false)
        let (_, lossOff) = try train(exposure: false, frozen: false)
        #expect(lossOn < 0.5 * lossOff, "late L1 with exposure \(lossOn), without \(lossOff)")
    }

    @Test func checkpointCarriesExposureAndReadsVersion1() throws {
        var s = CheckpointTests.sampleState()
        var e = ExposureState(viewCount: s.trainViewCount)
        e.parameters[3] = 0.25; e.firstMoments[7] = -0.5; e.secondMoments[11] = 2; e.steps[1] = 17
        s.exposure = e
        let data = Checkpoint.encode(s)
        #expect(try Checkpoint.decode(data, path: "x") == s)
        #expect(throws: TrainError.self) { try Checkpoint.decode(data.dropLast(8), path: "x") }
        // A version 1 file: the same bytes without the exposure section and with version 1.
        var plain = s
        plain.exposure = nil
        var v1 = Checkpoint.encode(plain).dropLast(8)
        v1[v1.startIndex + 8] = 1
        #expect(try Checkpoint.decode(Data(v1), path: "x") == plain)
    }

    @Test func resumedRunWithExposureIsBitIdentical() throws {
        let views = gainedViews(truth: targetCloud(), cameras: testCameras(count: 8), gains: [[1, 1, 1], [0.8, 0.9, 1.1]])
        let start = perturbed(targetCloud())
        func session(_ dir: String) -> TrainingSession {
            var c = smallConfig(output: dir, iterations: 40)
            c.checkpointInterval = 7; c.exposure = true
            let s = TrainingSession(config: c, views: views, renderer: AdditiveTestRenderer()) { _, _ in }
            s.report = { _ in }
            return s
        }
        let a = try tempDir(), b = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: a); try? FileManager.default.removeItem(atPath: b) }
        _ = try session(a).run(resume: false) { start }
        let first = session(b)
        var calls = 0
        first.shouldStop = { calls += 1; return calls == 19 }
        #expect(try !first.run(resume: false) { start }.completed)
        #expect(try session(b).run(resume: true) { start }.completed)
        var sa = try Checkpoint.read(path: a + "/checkpoint.bin"), sb = try Checkpoint.read(path: b + "/checkpoint.bin")
        sa.elapsedSeconds = 0; sb.elapsedSeconds = 0
        #expect(sa.exposure != nil && sa.exposure != ExposureState(viewCount: sa.trainViewCount))
        #expect(sa == sb)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: a + "/exposure.json"))) as? [String: [[Double]]]
        #expect(json?.count == views.trainCameras.count && json?["v1"]?.count == 3)
    }
}

@Suite struct LossMaskTests {
    @Test func maskedPixelsGiveNoLossAndNoGradient() throws {
        let cameras = testCameras(count: 4)
        var views = renderedViews(truth: targetCloud(), cameras: cameras)
        let w = cameras[0].width, h = cameras[0].height
        // Left half masked out, and the photo there replaced by garbage.
        let mask = Image8(width: w, height: h, channels: 1, pixels: (0..<(w * h)).map { $0 % w < w / 2 ? 0 : 255 })
        views.trainMasks = views.trainImages.map { _ in mask }
        let clean = views
        for v in views.trainImages.indices {
            for p in 0..<(w * h) where p % w < w / 2 { for c in 0..<3 { views.trainImages[v].pixels[3 * p + c] = 255 } }
        }
        let c = smallConfig(output: "/unused", iterations: 5)
        func firstLoss(_ v: TrainingViews) throws -> Double {
            try Trainer(config: c, views: v, state: TrainingState(cloud: perturbed(targetCloud()), seed: 4, trainViewCount: v.trainCameras.count),
                        renderer: AdditiveTestRenderer()).step().l1
        }
        #expect(try firstLoss(views) == firstLoss(clean))
        var unmasked = views
        unmasked.trainMasks = []
        #expect(try firstLoss(unmasked) > 2 * firstLoss(views))

        var gradient = [Float](repeating: 1, count: w * h * 3)
        LossMask.gate(&gradient, mask: mask)
        #expect(gradient.enumerated().allSatisfy { i, g in (i / 3) % w < w / 2 ? g == 0 : g == 1 })
    }
}
