import Foundation
import SplatCore
import SplatIO
import SplatRender
import Testing
@testable import SplatTrain

/// The trainer with the real tile rasterizer.
@Suite struct RasterizerTrainingTests {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Views rendered by the rasterizer from `truth` (8-bit), every 4th held out.
    static func rasterizedViews(_ truth: GaussianCloud, cameras: [Camera], background: SIMD3<Float>) -> TrainingViews {
        let r = RasterizerTrainingRenderer(threadCount: 2)
        let images = cameras.map { cam in
            ImageF(width: cam.width, height: cam.height,
                   pixels: r.render(truth, camera: cam, shDegree: truth.maxSHDegree, background: background)).toImage8()
        }
        let tr = cameras.indices.filter { $0 % 4 != 0 }, te = cameras.indices.filter { $0 % 4 == 0 }
        return TrainingViews(trainCameras: tr.map { cameras[$0] }, trainImages: tr.map { images[$0] },
                             testCameras: te.map { cameras[$0] }, testImages: te.map { images[$0] },
                             background: background, sceneRadius: 1)
    }

    @Test func singleGaussianConvergesToTheRenderedTarget() throws {
        var truth = GaussianCloud(count: 1, maxSHDegree: 0)
        truth.means = [0.05, -0.04, 0.1]
        truth.logScales = [logf(0.25), logf(0.15), logf(0.2)]
        let q0 = SIMD4<Float>(0.95, 0.1, 0.2, -0.15), q = q0 / (q0 * q0).sum().squareRoot()
        truth.rotations = [q.x, q.y, q.z, q.w]
        truth.opacityLogits = [logit(0.8)]
        truth.shDC = [SH.dc(fromRGB: 0.9), SH.dc(fromRGB: 0.2), SH.dc(fromRGB: 0.5)]
        // A grey background separates opacity from colour (on black only their product shows).
        let views = Self.rasterizedViews(truth, cameras: Self.orbitCameras(count: 16),
                                         background: SIMD3(repeating: 0.4))
        var start = truth
        start.means = [0.12, 0.02, 0.0]
        start.logScales = [logf(0.18), logf(0.18), logf(0.18)]
        start.rotations = [1, 0, 0, 0]
        start.opacityLogits = [0]
        start.shDC = [0, 0, 0]
        var config = TrainConfig()
        config.threads = 2; config.shDegree = 0
        config.positionLRInit = 0.004; config.positionLRFinal = 0.004
        config.featureLR = 0.01; config.opacityLR = 0.03; config.scalingLR = 0.01; config.rotationLR = 0.01
        config.opacityDecayInterval = 0; config.pruneInterval = 0
        config.numDownscales = 0   // full-size views from the first of these 400 steps
        let trainer = Trainer(config: config, views: views,
                              state: TrainingState(cloud: start, seed: 3, trainViewCount: views.trainCameras.count),
                              renderer: RasterizerTrainingRenderer(threadCount: 2))
        for _ in 0..<400 { try trainer.step() }
        let fit = trainer.state.cloud
        for k in 0..<3 {
            #expect(abs(fit.means[k] - truth.means[k]) < 0.01, "mean[\(k)] \(fit.means[k]) vs \(truth.means[k])")
        }
        // Images show only bg + o·G·(colour − bg): opacity and colour are identifiable only as
        // the product o·(colour − bg) per channel, so that is what must converge.
        let bg: Float = 0.4
        for k in 0..<3 {
            let fitted = fit.opacity(0) * (fit.baseColor(0)[k] - bg), wanted = truth.opacity(0) * (truth.baseColor(0)[k] - bg)
            #expect(abs(fitted - wanted) < 0.02, "o·(c − bg)[\(k)] \(fitted) vs \(wanted)")
        }
        // Shape: the 3D covariance R·S²·Rᵀ (scale axes may be permuted by the rotation).
        let fitCov = Self.covariance(fit), trueCov = Self.covariance(truth)
        let worst = zip(fitCov, trueCov).map { abs($0 - $1) }.max()!
        #expect(worst < 0.1 * 0.0625 * 0.2, "covariance \(fitCov) vs \(trueCov)")
        #expect(trainer.evaluate()!.psnr > 35)
    }

    static func covariance(_ c: GaussianCloud) -> [Float] {
        var w = c.rotations[0], x = c.rotations[1], y = c.rotations[2], z = c.rotations[3]
        let n = (w * w + x * x + y * y + z * z).squareRoot()
        w /= n; x /= n; y /= n; z /= n
        let r: [[Float]] = [[1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
                            [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
                            [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)]]
        let s2 = (0..<3).map { expf(2 * c.logScales[$0]) }
        var out = [Float](repeating: 0, count: 9)
        for i in 0..<3 { for j in 0..<3 { for k in 0..<3 { out[i * 3 + j] += r[i][k] * s2[k] * r[j][k] } } }
        return out
    }

    /// Cameras on two rings around the origin (distance 3), looking at it, 48×36 px.
    static func orbitCameras(count: Int) -> [Camera] {
        (0..<count).map { i in
            let a = Double(i) * 2 * Double.pi / Double(count / 2), e = i % 2 == 0 ? 0.5 : -0.4
            let center = SIMD3<Double>(3 * cos(a) * cos(e), 3 * sin(e), 3 * sin(a) * cos(e))
            let z = -center / (center * center).sum().squareRoot()
            var x = SIMD3<Double>(z.z, 0, -z.x)   // cross(up = y, z)
            x /= (x * x).sum().squareRoot()
            let y = SIMD3<Double>(z.y * x.z - z.z * x.y, z.z * x.x - z.x * x.z, z.x * x.y - z.y * x.x)
            let r = Matrix3(rows: [x.x, x.y, x.z], [y.x, y.y, y.z], [z.x, z.y, z.z])
            return Camera(name: "o\(i)", imagePath: nil,
                          intrinsics: CameraIntrinsics(fx: 60, fy: 60, cx: 24, cy: 18, width: 48, height: 36),
                          pose: CameraFromWorld(rotation: r, translation: -(r * center)))
        }
    }

    @Test func lossDecreasesOnTheTinyCOLMAPScene() throws {
        var options = SceneLoadOptions()
        options.downscale = 2
        let scene = try SceneLoader.load(Self.repoRoot.appendingPathComponent("Fixtures/colmap_tiny").path, options: options)
        let views = try TrainingRun.loadViews(scene, threads: 2)
        var config = TrainConfig()
        config.threads = 2
        let cloud = try TrainingRun.initialCloud(config, scene: scene, threads: 2)
        let trainer = Trainer(config: config, views: views,
                              state: TrainingState(cloud: cloud, seed: 0, trainViewCount: views.trainCameras.count),
                              renderer: RasterizerTrainingRenderer(threadCount: 2))
        let before = trainer.evaluate()!
        var losses: [Double] = []
        for _ in 0..<60 { losses.append(try trainer.step().loss) }
        let after = trainer.evaluate()!
        let first = losses.prefix(9).reduce(0, +) / 9, last = losses.suffix(9).reduce(0, +) / 9
        #expect(last < 0.9 * first, "loss \(first) -> \(last)")
        #expect(after.psnr > before.psnr + 1, "PSNR \(before.psnr) -> \(after.psnr)")
    }

    @Test(arguments: [1, 2]) func resumedRunIsBitIdenticalWithTheRasterizer(threads: Int) throws {
        var truth = targetCloud()
        truth.logScales = truth.logScales.map { $0 + 0.3 }
        let views = Self.rasterizedViews(truth, cameras: testCameras(count: 8, width: 40, height: 30), background: .zero)
        let start = perturbed(truth)
        func session(_ dir: String) -> TrainingSession {
            var c = smallConfig(output: dir, iterations: 25)
            c.threads = threads; c.checkpointInterval = 10
            let s = TrainingSession(config: c, views: views, renderer: RasterizerTrainingRenderer(threadCount: threads)) { _, _ in }
            s.report = { _ in }
            return s
        }
        let a = try tempDir(), b = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: a); try? FileManager.default.removeItem(atPath: b) }
        _ = try session(a).run(resume: false) { start }
        let first = session(b)
        var calls = 0
        first.shouldStop = { calls += 1; return calls == 13 }
        #expect(try first.run(resume: false) { start }.steps == 13)
        #expect(try session(b).run(resume: true) { start }.steps == 25)
        var sa = try Checkpoint.read(path: a + "/checkpoint.bin"), sb = try Checkpoint.read(path: b + "/checkpoint.bin")
        sa.elapsedSeconds = 0; sb.elapsedSeconds = 0
        #expect(sa == sb)
        #expect(sa.cloud != start)
    }
}
