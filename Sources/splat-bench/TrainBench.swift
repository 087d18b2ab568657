import Foundation
import SplatCore
import SplatRender
import SplatTrain

/// `splat-bench train`: whole training steps (`Trainer.step()`: render, loss, backward, Adam,
/// opacity maintenance) on the synthetic scene, with the time per phase.
enum TrainBench: BenchMode {
    static let name = "train"
    static let usage = """
        [--gaussians N (300000)] [--width W (800) --height H (600)] [--steps K (6)] [--warmup S (2)]
                 [--threads T] [--sh-degree D (3)] [--views V (4)]
          The target views are renders of the synthetic scene from V cameras (8-bit, as photos are
          cached); the trained cloud starts from it with perturbed colours and opacities. Every step
          runs at the full size and SH degree D (no warm-up), with decay and pruning every 10 steps.
        """

    static func run(_ args: BenchArguments) throws {
        var args = args
        let count = try args.int("gaussians", default: 300_000, range: 1...50_000_000)
        let width = try args.int("width", default: 800, range: 16...16384)
        let height = try args.int("height", default: 600, range: 16...16384)
        let steps = try args.int("steps", default: 6, range: 1...100_000)
        let warmup = try args.int("warmup", default: 2, range: 0...100_000)
        let threads = try args.int("threads", default: ProcessInfo.processInfo.activeProcessorCount, range: 1...256)
        let degree = try args.int("sh-degree", default: 3, range: 0...3)
        let viewCount = try args.int("views", default: 4, range: 1...1000)
        try args.finish()

        let truth = SyntheticScene.cloud(count: count)
        let base = SyntheticScene.camera(width: width, height: height)
        let rasterizer = Rasterizer(threadCount: threads)
        var cameras: [Camera] = [], images: [Image8] = []
        for v in 0..<viewCount {
            var camera = base
            camera.name = "view\(v)"
            // Small sideways steps, so the views differ a little.
            camera.pose = CameraFromWorld(rotation: .identity, translation: SIMD3(0.05 * Double(v), 0, 0))
            let image = rasterizer.forward(truth, camera: camera, settings: RenderSettings(shDegree: degree)).image
            let bytes = image.pixels.map { UInt8((min(max($0, 0), 1) * 255).rounded()) }
            cameras.append(camera)
            images.append(Image8(width: width, height: height, channels: 3, pixels: bytes))
        }
        var cloud = truth
        var rng = SplatRandom(seed: 7)
        for i in 0..<cloud.shDC.count { cloud.shDC[i] += 0.3 * (rng.nextFloat() - 0.5) }
        for i in 0..<cloud.opacityLogits.count { cloud.opacityLogits[i] += rng.nextFloat() - 0.5 }

        var config = TrainConfig()
        config.threads = threads
        config.numDownscales = 0
        config.shDegree = degree
        config.shDegreeInterval = 1       // degree D from the first steps on
        config.iterations = 30000
        config.timeBudget = 0
        let views = TrainingViews(trainCameras: cameras, trainImages: images, testCameras: [], testImages: [],
                                  background: .zero, sceneRadius: 5)
        let trainer = Trainer(config: config, views: views,
                              state: TrainingState(cloud: cloud, seed: 1, trainViewCount: viewCount),
                              renderer: RasterizerTrainingRenderer(threadCount: threads))
        for _ in 0..<warmup { try trainer.step() }
        let phases0 = trainer.phaseSeconds
        var walls: [Double] = [], cpus: [Double] = []
        for _ in 0..<steps {
            var failure: Error?
            let t = BenchClock.wallAndCPU { do { try trainer.step() } catch { failure = error } }
            if let failure { throw failure }
            walls.append(t.wall); cpus.append(t.cpu)
        }
        print("train: synthetic scene, \(count) Gaussians (\(trainer.state.cloud.count) after pruning), \(width)x\(height), SH degree \(degree), \(threads) threads, \(viewCount) views")
        print(String(format: "step: wall median %.1f ms (min %.1f), CPU median %.1f ms, over %d steps after %d warm-up",
                     BenchClock.median(walls), walls.min()!, BenchClock.median(cpus), steps, warmup))
        let order = ["render", "loss", "backward", "adam", "maintain"]
        let total = order.reduce(0) { $0 + (trainer.phaseSeconds[$1, default: 0] - phases0[$1, default: 0]) }
        let split = order.map { p -> String in
            let s = trainer.phaseSeconds[p, default: 0] - phases0[p, default: 0]
            return String(format: "%@ %.1f ms (%.0f%%)", p, 1000 * s / Double(steps), 100 * s / max(total, 1e-12))
        }
        print("phases (wall, mean per step): " + split.joined(separator: ", "))
        print(String(format: "peak RSS %.0f MiB", BenchClock.peakRSSMiB()))
    }
}
