import Foundation
import SplatCore
import SplatIO

/// `splat optimize` end to end: load the scene and its images, make or resume the starting
/// cloud, train with the tile rasterizer, write the outputs.
public enum TrainingRun {
    /// `budgetStart` and `afterTraining` place a `time_budget` run's deadline within a
    /// longer command (TimeBudget.swift); by default the budget starts here and ends with training.
    public static func run(_ config: TrainConfig, resume: Bool, configFile: String,
                           budgetStart: Date? = nil, afterTraining: WorkAfterTraining = WorkAfterTraining()) throws -> TrainingSession.Outcome {
        guard !config.scene.isEmpty else { throw TrainError.config(file: configFile, message: "key 'scene' is required") }
        guard !config.output.isEmpty else {
            throw TrainError.config(file: configFile, message: "key 'output' is required (or pass --output)")
        }
        let threads = config.threadCount
        let t0 = Date()
        let (scene, notice) = try loadScene(config)
        var views = try loadViews(scene, threads: threads)
        views.trainMasks = try loadMasks(scene, mode: config.masks)
        let renderer = RasterizerTrainingRenderer(threadCount: threads, antialiased: config.antialiasing)
        let session = TrainingSession(config: config, views: views, renderer: renderer) { cloud, path in
            try GaussianPLY.write(cloud, to: path, antialiased: config.antialiasing)
        }
        session.stageSeconds = [("load", Date().timeIntervalSince(t0))]
        session.budgetStart = budgetStart
        session.workAfterTraining = afterTraining
        if let notice { session.report(notice) }
        let masked = views.trainMasks.compactMap { $0 }.count
        if masked > 0 { session.report("masks: \(masked) of \(views.trainCameras.count) train views have a loss mask (\(config.masks == "alpha" ? "alpha channel" : SceneMasks.folder(of: scene)))") }
        session.report("loaded \(scene.format) scene: \(views.trainCameras.count) train / \(views.testCameras.count) test views, "
                       + "\(views.trainCameras.first.map { "\($0.width)x\($0.height)" } ?? "-"), radius \(String(format: "%.3f", scene.radius))")
        StopSignal.install()
        return try session.run(resume: resume) {
            let cloud = try initialCloud(config, scene: scene, threads: threads)
            session.report("initial cloud: \(cloud.count) Gaussians (\(config.initialization))")
            return cloud
        }
    }

    /// The scene as a run with `config` trains on it: downscale, background, holdout and the
    /// `max_resolution` limit (with the notice to print when it applied).
    public static func loadScene(_ config: TrainConfig) throws -> (scene: Scene, notice: String?) {
        var options = SceneLoadOptions()
        options.downscale = config.downscale
        options.whiteBackground = config.whiteBackground
        options.holdout = config.eval
        return try SceneLoader.load(config.scene, options: options, maxResolution: config.maxResolution)
    }

    /// Loss masks of the train views (`masks`: auto, alpha or none; LossMask.swift). `auto`
    /// uses `<scene>/masks` when that folder exists; a view without a mask file there trains on
    /// every pixel.
    public static func loadMasks(_ scene: Scene, mode: String) throws -> [Image8?] {
        let cameras = scene.trainCameras
        let folder = SceneMasks.folder(of: scene)
        switch mode {
        case "none": return []
        case "auto":
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else { return [] }
            return try cameras.map { c in try SceneMasks.maskPath(for: c, in: folder).map { try SceneMasks.load(path: $0, camera: c) } }
        default:
            return try cameras.map { c in
                guard let m = try SceneMasks.alpha(of: c) else {
                    throw TrainError.input(file: c.imagePath ?? c.name, message: "masks: alpha, but the image has no alpha channel")
                }
                return m
            }
        }
    }

    /// Decodes every train and test image once (in parallel), as 8-bit RGB on the background.
    public static func loadViews(_ scene: Scene, threads: Int) throws -> TrainingViews {
        let cameras = scene.cameras
        var images = [Image8?](repeating: nil, count: cameras.count)
        var errors = [Error?](repeating: nil, count: cameras.count)
        images.withUnsafeMutableBufferPointer { out in
            errors.withUnsafeMutableBufferPointer { err in
                let o = out.baseAddress!, e = err.baseAddress!
                Parallel.forEach(min(threads, max(1, cameras.count))) { worker in
                    for i in stride(from: worker, to: cameras.count, by: threads) {
                        do { o[i] = try SceneImages.loadRGB(cameras[i], background: scene.background) }
                        catch { e[i] = error }
                    }
                }
            }
        }
        if let first = errors.compactMap({ $0 }).first { throw first }
        let loaded = images.map { $0! }
        return TrainingViews(trainCameras: scene.trainIndices.map { cameras[$0] }, trainImages: scene.trainIndices.map { loaded[$0] },
                             testCameras: scene.testIndices.map { cameras[$0] }, testImages: scene.testIndices.map { loaded[$0] },
                             background: scene.background, sceneRadius: scene.radius)
    }

    /// The starting cloud named by `init`, at the configured SH degree.
    public static func initialCloud(_ config: TrainConfig, scene: Scene, threads: Int) throws -> GaussianCloud {
        let spec = config.initialization
        if spec == "sfm" { return try InitialCloud.sfm(scene, shDegree: config.shDegree, threadCount: threads) }
        if spec.hasPrefix("random:"), let n = Int(spec.dropFirst(7)), n > 0 {
            return InitialCloud.random(count: n, scene: scene, shDegree: config.shDegree, seed: UInt64(config.seed), threadCount: threads)
        }
        let cloud = try GaussianPLY.read(path: spec)
        if let bad = cloud.firstNonFiniteIndex() {
            throw TrainError.input(file: spec, message: "Gaussian \(bad) has a non-finite parameter")
        }
        return cloud.withSHDegree(config.shDegree)
    }
}
