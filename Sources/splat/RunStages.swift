import ArgumentParser
import Foundation
import SplatCore
import SplatIO
import SplatRender
import SplatTrain

/// The stages of `splat run` after training: render + evaluate the held-out views, and the
/// orbit. Each is skipped when its outputs exist (unless `force`), stops between images on
/// SIGINT/SIGTERM, and reads the model only when it runs.
struct RunOutputStages {
    let scene: Scene
    let model: String
    let shDegree: Int
    let say: (String) -> Void
    private let fm = FileManager.default

    init(scene: Scene, model: String, shDegree: Int, say: @escaping (String) -> Void) {
        self.scene = scene; self.model = model; self.shDegree = shDegree; self.say = say
    }

    /// The model and how to render it: its PLY records whether it was trained with antialiasing.
    func readModel(for cameras: [Camera]) throws -> (GaussianCloud, RenderSettings) {
        let cloud = try GaussianPLY.read(path: model)
        try MemoryBudget.require(MemoryCheck.rendering(cloud, cameras: cameras), for: model, advice: "try --downscale 2")
        let settings = RenderSettings(background: scene.background, shDegree: shDegree,
                                      antialiased: try GaussianPLY.isAntialiased(path: model))
        return (cloud, settings)
    }

    func stopIfRequested(_ done: Int, of total: Int, what: String, in dir: String, note: String = "") throws {
        guard StopSignal.isRequested else { return }
        Progress.line("interrupted: wrote \(done) of \(total) \(what) to \(dir)\(note)")
        throw ExitCode(StopSignal.exitStatus)
    }

    /// Renders every test view to <renderDir>/<name>.png and writes PSNR/SSIM per view and their
    /// mean (3DGS: the mean of per-view values) to eval.json. When `training` (a run finished in
    /// this process) holds one render per test view, those final renders and its Gaussian count
    /// are used instead of reading and rendering the saved model.
    func renderAndEvaluate(renderDir: String, evalPath: String, force: Bool, training: TrainingSession.Outcome? = nil) throws {
        let cameras = scene.testCameras
        let stems = OutputDirectory.stems(for: cameras.map(\.name))
        if cameras.isEmpty { say("render/eval: skipped, nothing held out (eval: false / --no-holdout, or no test views): every view was trained on"); return }
        if !force && fm.fileExists(atPath: evalPath) && stems.allSatisfy({ fm.fileExists(atPath: "\(renderDir)/\($0).png") }) {
            let previous = (try? JSONDecoder().decode(EvalReport.self, from: Data(contentsOf: URL(fileURLWithPath: evalPath))))
                .map { String(format: " (PSNR %.3f SSIM %.4f)", $0.meanPSNR, $0.meanSSIM) } ?? ""
            say("render/eval: skipped, \(evalPath) and the \(cameras.count) test renders exist\(previous)")
            return
        }
        let trainingRenders = training?.testRenders ?? []
        let reuse = trainingRenders.count == cameras.count
            && zip(trainingRenders, cameras).allSatisfy { $0.width == $1.width && $0.height == $1.height }
        let saved = reuse ? nil : try readModel(for: cameras)
        let gaussians = saved?.0.count ?? training?.gaussians ?? 0
        try OutputDirectory.create(renderDir)
        let rasterizer = Rasterizer()
        var scores: [ViewScore] = []
        for (i, camera) in cameras.enumerated() {
            try stopIfRequested(i, of: cameras.count, what: "test renders", in: renderDir, note: "; eval.json not written")
            let image = saved.map { rasterizer.forward($0.0, camera: camera, settings: $0.1).image } ?? trainingRenders[i]
            try ImageCodec.writePNG(image.toImage8(), to: "\(renderDir)/\(stems[i]).png")
            let truth = ImageF(try SceneImages.loadRGB(camera, background: scene.background))
            scores.append(ViewScore(name: camera.name, render: image, truth: truth))
        }
        let report = EvalReport(model: model, scene: scene.source, gaussians: gaussians, views: scores)
        try AtomicFile.write(try report.encoded() + Data("\n".utf8), to: evalPath)
        say(String(format: "render/eval: %d test views rendered to %@, PSNR %.3f SSIM %.4f (%d Gaussians), written to %@",
                   cameras.count, renderDir, report.meanPSNR, report.meanSSIM, gaussians, evalPath))
    }

    /// What the stages after training will do, for a time budget to keep back: the pixels they
    /// render, and the decoding and encoding they do, timed here on the first held-out photo
    /// (decode + encode for each test view, an encode for each orbit frame).
    func workAfterTraining(orbitFrames: Int) -> WorkAfterTraining {
        let size = { (c: Camera) in c.width * c.height }
        let orbitPixels = orbitFrames * (scene.cameras.first.map(size) ?? 0)
        let tests = scene.testCameras
        var work = WorkAfterTraining(renderedPixels: tests.reduce(0) { $0 + size($1) } + orbitPixels)
        guard let sample = tests.first ?? scene.cameras.first else { return work }
        let t0 = Date()
        guard let photo = try? SceneImages.loadRGB(sample, background: scene.background) else { return work }
        let t1 = Date()
        guard (try? ImageCodec.encodePNG(photo)) != nil else { return work }
        let decode = t1.timeIntervalSince(t0), encodePerPixel = Date().timeIntervalSince(t1) / Double(max(size(sample), 1))
        work.fixedSeconds = Double(tests.count) * decode + encodePerPixel * Double(work.renderedPixels)
        return work
    }

    /// `frames` views on an orbit around the train cameras (as `splat render --path orbit`),
    /// at the train views' size, to <directory>/frame_XXXX.png.
    func orbit(frames: Int, directory: String, force: Bool) throws {
        guard frames > 0 else { say("orbit: skipped (--orbit-frames 0)"); return }
        let keys = scene.trainCameras.isEmpty ? scene.cameras : scene.trainCameras
        guard let first = keys.first else { say("orbit: skipped, the scene has no cameras"); return }
        let cameras = CameraPath.orbit(around: keys, points: scene.points, frames: frames, intrinsics: first.intrinsics)
        let stems = OutputDirectory.stems(for: cameras.map(\.name))
        if !force && stems.allSatisfy({ fm.fileExists(atPath: "\(directory)/\($0).png") }) {
            say("orbit: skipped, the \(frames) frames in \(directory) exist")
            return
        }
        let (cloud, settings) = try readModel(for: cameras)
        try OutputDirectory.create(directory)
        let rasterizer = Rasterizer()
        for (i, camera) in cameras.enumerated() {
            try stopIfRequested(i, of: cameras.count, what: "orbit frames", in: directory)
            let image = rasterizer.forward(cloud, camera: camera, settings: settings).image
            try ImageCodec.writePNG(image.toImage8(), to: "\(directory)/\(stems[i]).png")
        }
        say("orbit: \(frames) frames (\(first.width)x\(first.height)) rendered to \(directory)")
    }
}
