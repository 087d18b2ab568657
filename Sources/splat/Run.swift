import ArgumentParser
import Foundation
import SplatCore
import SplatInit
import SplatIO
import SplatRender
import SplatTrain

/// `splat run`: init + optimize + render of the test views + eval in one command, for users
/// who do not want to chain three. Calls the same library code as the single commands and
/// skips a stage whose outputs are already in --output (unless an earlier stage ran again).
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Init, optimize, render the test views and evaluate them, in one command.",
        discussion: """
            Writes into --output: colmap/ (only for a folder of images without poses), init.ply and init.json (EDGS initialization), config.yaml, \
            metrics.csv, metrics.json, point_cloud.ply and checkpoint.bin (training), \
            renders/test/<name>.png (held-out views) and eval.json (PSNR and SSIM per test view \
            and their mean). A stage whose outputs are already there is skipped: init.ply \
            present skips init; point_cloud.ply from a finished run with the same effective \
            config (same iterations) skips optimize; eval.json and every test render present \
            skip render/eval. A stage that runs makes every later stage run again. --force \
            redoes everything. Without --config the defaults of docs/config.md are used, \
            starting from <output>/init.ply.
            """)

    @Argument(help: "Scene folder (COLMAP or transforms.json), a transforms*.json file, or a folder of images without poses (then COLMAP is run, workspace <output>/colmap).")
    var scene: String

    @Option(name: .shortAndLong, help: "Output directory (created if missing); every output goes there.")
    var output: String

    @Option(help: "Run configuration (YAML, docs/config.md); its 'scene' and 'output' are replaced by the arguments above.")
    var config: String?

    @Option(help: "Training steps in total, overriding 'iterations' (default 7000).")
    var iterations: Int?

    @Option(help: "Integer factor by which images are reduced on load, overriding 'downscale' (1 = full size).")
    var downscale: Int?

    @Flag(help: "Redo every stage even when its outputs exist.")
    var force = false

    @OptionGroup(title: "Initialization") var initArguments: InitArguments


    func validate() throws {
        if let iterations, iterations < 0 { throw ValidationError("--iterations must be >= 0") }
        if let downscale, downscale < 1 { throw ValidationError("--downscale must be at least 1") }
        if let config { try CLIChecks.requireFile(config, what: "config file") }
        try OutputDirectory.validate(output)
    }

    func run() throws {
        let cwd = FileManager.default.currentDirectoryPath
        let outDir = ConfigLoader.resolve(output, against: cwd)
        let ownInit = outDir + "/init.ply"
        var c: TrainConfig
        if let config { c = try ConfigLoader.load(path: config) } else { c = TrainConfig(); c.initialization = ownInit }
        c.scene = ConfigLoader.resolve(scene, against: cwd)
        c.output = outDir
        if let iterations { c.iterations = iterations }
        if let downscale { c.downscale = downscale }

        // The scene is loaded before anything is written: a bad scene leaves no files behind.
        var load = SceneLoadOptions()
        load.downscale = c.downscale
        load.whiteBackground = c.whiteBackground
        if let images = ColmapRunner.imageFolder(c.scene) {
            // No poses: COLMAP runs in <output>/colmap (reused on a rerun), as `splat init` does.
            c.scene = try ColmapRunner.run(images: images, workspace: outDir + "/colmap", progress: { say($0) })
        }
        let loaded = try SceneLoader.load(c.scene, options: load)
        try OutputDirectory.create(outDir)

        var rerunLater = force
        // 1. EDGS initialization (only when training starts from <output>/init.ply).
        if c.initialization != ownInit {
            say("init: skipped, training starts from \(c.initialization) (the config's 'init')")
        } else if !rerunLater && FileManager.default.fileExists(atPath: ownInit) {
            say("init: skipped, \(ownInit) exists (--force redoes it)")
        } else {
            try initialize(loaded, seed: UInt64(c.seed), into: outDir)
            rerunLater = true
        }

        // 2. Optimization.
        if !rerunLater && Self.optimizeIsDone(c) {
            say("optimize: skipped, \(outDir)/point_cloud.ply is from a finished run of \(c.iterations) steps with the same config")
        } else {
            say("optimize: \(c.iterations) steps")
            let outcome = try TrainingRun.run(c, resume: false, configFile: config ?? outDir + "/config.yaml")
            if !outcome.completed { throw ExitCode.success }   // stopped on request; optimize --resume continues
            rerunLater = true
        }

        // 3 + 4. Render the held-out views and evaluate them.
        let tests = loaded.testCameras
        let renderDir = outDir + "/renders/test"
        let evalPath = outDir + "/eval.json"
        if tests.isEmpty {
            say("render/eval: skipped, the scene has no test views")
        } else if !rerunLater && FileManager.default.fileExists(atPath: evalPath)
                    && tests.allSatisfy({ FileManager.default.fileExists(atPath: "\(renderDir)/\(OutputDirectory.stem(for: $0.name)).png") }) {
            let previous = (try? JSONDecoder().decode(EvalCommand.Report.self, from: Data(contentsOf: URL(fileURLWithPath: evalPath))))
                .map { String(format: " (PSNR %.3f SSIM %.4f)", $0.meanPSNR, $0.meanSSIM) } ?? ""
            say("render/eval: skipped, \(evalPath) and the \(tests.count) test renders exist\(previous)")
        } else {
            try renderAndEvaluate(tests, scene: loaded, shDegree: c.shDegree, model: outDir + "/point_cloud.ply",
                                  renderDir: renderDir, evalPath: evalPath)
        }
        say("done: outputs in \(outDir)")
    }

    /// Unbuffered, like the trainer's own lines, so the two stay in order.
    func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

    /// EDGS dense init, exactly as `splat init` does it, into <dir>/init.ply and init.json.
    func initialize(_ scene: Scene, seed: UInt64, into dir: String) throws {
        let o = initArguments.options(seed: seed)
        say("init: EDGS dense initialization (\(o.numRefs) references, \(o.nnsPerRef) neighbours, \(o.matchesPerRef) samples each)")
        let result = try EDGSInitializer.run(scene: scene, options: o,
                                             loadImage: { try SceneImages.loadRGB($0, background: scene.background) },
                                             progress: { say("  \($0)") })
        try GaussianPLY.write(result.cloud, to: dir + "/init.ply")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(result.report), to: dir + "/init.json")
        let r = result.report
        say(String(format: "init: wrote %d Gaussians to %@/init.ply (%.1f s)", r.gaussians, dir, r.seconds.total))
    }

    /// A finished run with this effective config: config.yaml matches, and metrics.json (written
    /// last, after point_cloud.ply) is no older than config.yaml and records the same step count.
    static func optimizeIsDone(_ c: TrainConfig) -> Bool {
        let fm = FileManager.default
        let dir = c.output
        guard fm.fileExists(atPath: dir + "/point_cloud.ply"),
              let written = try? String(contentsOfFile: dir + "/config.yaml", encoding: .utf8), written == c.yaml(),
              let data = fm.contents(atPath: dir + "/metrics.json"),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              (json["steps"] as? Int) == c.iterations,
              let metricsDate = (try? fm.attributesOfItem(atPath: dir + "/metrics.json"))?[.modificationDate] as? Date,
              let configDate = (try? fm.attributesOfItem(atPath: dir + "/config.yaml"))?[.modificationDate] as? Date
        else { return false }
        return metricsDate >= configDate
    }

    /// Renders every test view to <renderDir>/<name>.png and writes PSNR/SSIM per view and their
    /// mean (3DGS: the mean of per-view values) to eval.json.
    func renderAndEvaluate(_ cameras: [Camera], scene: Scene, shDegree: Int, model: String,
                           renderDir: String, evalPath: String) throws {
        let cloud = try GaussianPLY.read(path: model)
        try OutputDirectory.create(renderDir)
        let rasterizer = Rasterizer()
        let settings = RenderSettings(background: scene.background, shDegree: shDegree)
        var scores: [EvalCommand.ViewScore] = []
        for camera in cameras {
            let stem = OutputDirectory.stem(for: camera.name)
            let image = rasterizer.forward(cloud, camera: camera, settings: settings).image
            try ImageCodec.writePNG(image.toImage8(), to: "\(renderDir)/\(stem).png")
            let truth = ImageF(try SceneImages.loadRGB(camera, background: scene.background))
            scores.append(.init(name: camera.name, psnr: ImageMetrics.psnr(image, truth), ssim: ImageMetrics.ssim(image, truth)))
        }
        let n = Double(scores.count)
        let psnr = scores.reduce(0) { $0 + $1.psnr } / n, ssim = scores.reduce(0) { $0 + $1.ssim } / n
        // The same JSON as `splat eval --json`.
        let report = EvalCommand.Report(model: model, scene: scene.source, gaussians: cloud.count, views: scores,
                                        meanPSNR: psnr, meanSSIM: ssim)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try AtomicFile.write(try encoder.encode(report) + Data("\n".utf8), to: evalPath)
        say(String(format: "render/eval: %d test views rendered to %@, PSNR %.3f SSIM %.4f (%d Gaussians), written to %@",
                   cameras.count, renderDir, psnr, ssim, cloud.count, evalPath))
    }
}
