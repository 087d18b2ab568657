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
        abstract: "Init, optimize, render the test views and evaluate them, render an orbit, in one command.",
        discussion: """
            Writes into --output: frames/ (only for a video), colmap/ (only for a folder of images without poses or a video), init.ply and init.json (EDGS initialization), config.yaml, \
            metrics.csv, metrics.json, point_cloud.ply and checkpoint.bin (training), \
            renders/test/<name>.png (held-out views), eval.json (PSNR and SSIM per test view \
            and their mean) and orbit/frame_XXXX.png (--orbit-frames views around the scene). \
            A stage whose outputs are already there is skipped: init.ply \
            present skips init; point_cloud.ply from a finished run with the same effective \
            config (same iterations) skips optimize; eval.json and every test render present \
            skip render/eval; every orbit frame present skips the orbit. A stage that runs makes \
            every later stage run again. --force redoes everything. --resume continues training \
            from <output>/checkpoint.bin (settings from <output>/config.yaml unless --config), then \
            does the later stages. Without --config the defaults of docs/config.md are used, \
            starting from <output>/init.ply (so does a --config that names no 'init'). SIGINT/SIGTERM stop at the next safe point (training: \
            with a checkpoint) and exit with status 130/143.
            """)

    @Argument(help: "Scene folder (COLMAP or transforms.json), a transforms*.json file, a folder of images without poses (then COLMAP is run, workspace <output>/colmap), or a video file (.mp4, .mov, ...: frames are extracted with ffmpeg, then COLMAP).")
    var scene: String

    @Option(name: .shortAndLong, help: "Output directory (created if missing); every output goes there.")
    var output: String

    @Option(help: "Run configuration (YAML, docs/config.md); its 'scene' and 'output' are replaced by the arguments above.")
    var config: String?

    @Option(help: "Training steps in total: exactly this many, with no time limit (default: 20000 steps or 20 minutes of training, whichever comes first; give --minutes too for whichever comes first).")
    var iterations: Int?

    @Option(help: "Minutes of wall time for the whole command (COLMAP, init, training, test renders and the orbit included), with no step limit unless --iterations is given too; training fills what the other stages leave and its schedules spread over it. Under 20 core-minutes the EDGS init samples fewer matches (down to a third) unless --matches-per-ref is given.")
    var minutes: Double?

    @Option(help: "Integer factor by which images are reduced on load, overriding 'downscale' (1 = full size).")
    var downscale: Int?

    @Option(help: "Frames taken from a video <scene> (the sharpest of 3 per equal interval) into <output>/frames.")
    var videoFrames = 150

    @Option(help: "Frames of the orbit video path rendered to <output>/orbit (0 skips the orbit).")
    var orbitFrames = 60

    @Flag(help: "Redo every stage even when its outputs exist.")
    var force = false

    @Flag(help: "Continue training from <output>/checkpoint.bin (settings from <output>/config.yaml unless --config), then do the later stages.")
    var resume = false

    @OptionGroup(title: "Initialization") var initArguments: InitArguments

    @OptionGroup(title: "Training features") var features: TrainingFeatureOptions

    @OptionGroup(title: "COLMAP (folder of photos or video without poses)") var colmapArguments: ColmapArguments

    func validate() throws {
        if let iterations, iterations < 0 { throw ValidationError("--iterations must be >= 0") }
        if let minutes, !(minutes > 0 && minutes <= 1e6) { throw ValidationError("--minutes must be a positive number of minutes (got \(minutes))") }
        if let downscale, downscale < 1 { throw ValidationError("--downscale must be at least 1") }
        guard (1...10_000).contains(videoFrames) else { throw ValidationError("--video-frames must be between 1 and 10000 (got \(videoFrames))") }
        guard orbitFrames >= 0 else { throw ValidationError("--orbit-frames must be >= 0 (got \(orbitFrames))") }
        if resume && force { throw ValidationError("--resume continues a run and --force redoes it: use one of them") }
        if let config { try CLIChecks.requireFile(config, what: "config file") }
        try OutputDirectory.validate(output)
    }

    func run() throws {
        let commandStart = Date()
        let cwd = FileManager.default.currentDirectoryPath
        let outDir = ConfigLoader.resolve(output, against: cwd)
        let ownInit = outDir + "/init.ply"
        var c: TrainConfig
        let configFile = config ?? outDir + "/config.yaml"
        if resume {
            // Checked before anything is created: a failed --resume leaves no folder behind.
            let checkpoint = outDir + "/checkpoint.bin"
            guard FileManager.default.fileExists(atPath: checkpoint) else {
                throw TrainError.checkpoint(file: checkpoint, message: "no checkpoint to resume from")
            }
            if config == nil && !FileManager.default.fileExists(atPath: configFile) {
                throw TrainError.config(file: configFile, message: "missing: --resume needs the config the run was started with (or pass --config)")
            }
            c = try ConfigLoader.load(path: configFile)
        } else if let config {
            let named = try ConfigLoader.loadNamingKeys(path: config)
            c = named.config
            // `splat run` makes its own init: a config that names none starts from it, not from
            // the 'init' key's default (sfm, which is `splat optimize`'s).
            if !named.keys.contains("init") { c.initialization = ownInit }
        } else {
            c = TrainConfig(); c.initialization = ownInit
        }
        c.scene = ConfigLoader.resolve(scene, against: cwd)
        c.output = outDir
        c.setRunLength(iterations: iterations, minutes: minutes)
        if let downscale { c.downscale = downscale }
        features.apply(to: &c)

        // The scene is loaded before anything is written: a bad scene leaves no files behind.
        var colmapReport: ColmapReport? = nil
        var photoFolder = ColmapRunner.imageFolder(c.scene)
        var colmapOptions = colmapArguments.options
        if VideoFrames.isVideo(c.scene) {
            // A video: frames into <output>/frames, then COLMAP on them as on a photo folder
            // (sequential matching: neighbours in name order overlap).
            photoFolder = try VideoFrames.extract(video: c.scene, into: outDir + "/frames", count: videoFrames, progress: { say($0) })
            colmapOptions.videoFrames = true
        }
        if let images = photoFolder {
            // No poses: COLMAP runs in <output>/colmap (reused on a rerun), as `splat init` does.
            let colmap = try ColmapRunner.run(images: images, workspace: outDir + "/colmap", options: colmapOptions,
                                              progress: { say($0) })
            colmap.report.lines.forEach { say($0) }
            c.scene = colmap.scene
            colmapReport = colmap.report
        }
        let trainingStart = Date()
        let (loaded, notice) = try TrainingRun.loadScene(c)
        if let notice { say(notice) }
        var initOptions = initArguments.options(seed: UInt64(c.seed))
        if c.timeBudget > 0 && initArguments.matchesPerRef == nil {
            // A run with a time budget sizes its init to it (InitOptions.totalSamples).
            initOptions.totalSamples = InitOptions.totalSamples(budgetMinutes: c.timeBudget, threads: c.threadCount)
        }
        let initRuns = !resume && c.initialization == ownInit && (force || !FileManager.default.fileExists(atPath: ownInit))
        if initRuns {
            try MemoryBudget.require(MemoryCheck.initialization(loaded, options: initOptions), for: c.scene,
                                    advice: "try --downscale \(c.downscale * 2), a smaller --match-size or fewer --matches-per-ref")
        }
        try OutputDirectory.create(outDir)
        // Before this (COLMAP, loading) Ctrl-C ends the process at once; from here each stage
        // stops at its next safe point.
        StopSignal.install()

        var rerunLater = force
        // 1. EDGS initialization (only when training starts from <output>/init.ply).
        if resume {
            say("init: skipped, resuming training from \(outDir)/checkpoint.bin")
        } else if c.initialization != ownInit {
            say("init: skipped, training starts from \(c.initialization) (the config's 'init')")
        } else if !initRuns {
            say("init: skipped, \(ownInit) exists (--force redoes it)")
        } else {
            try initialize(loaded, options: initOptions, colmap: colmapReport, into: outDir)
            rerunLater = true
        }

        let stages = RunOutputStages(scene: loaded, model: outDir + "/point_cloud.ply", shDegree: c.shDegree, say: say)
        var training: TrainingSession.Outcome?
        // 2. Optimization.
        if !resume && !rerunLater && Self.optimizeIsDone(c) {
            say("optimize: skipped, \(outDir)/point_cloud.ply is from a finished run with the same config")
        } else {
            try MemoryBudget.require(MemoryCheck.training(c, scene: loaded, resume: resume), for: configFile,
                                    advice: "try --downscale \(c.downscale * 2), a lower 'sh_degree' or fewer --matches-per-ref")
            // A budget named with --minutes covers the whole command; one from the defaults or
            // a config covers init and training only, so a long COLMAP run cannot use it up.
            let budgetStart = minutes != nil ? commandStart : trainingStart
            let length = RunCommand.describeLength(c, fromCommandStart: minutes != nil)
            say(resume ? "optimize: resuming, \(length)" : "optimize: \(length)")
            StopSignal.restoreDefault()   // loading the images: immediate; TrainingRun installs it again
            // What the later stages do (test views, orbit) is kept out of a time budget.
            let afterTraining = c.timeBudget > 0 ? stages.workAfterTraining(orbitFrames: orbitFrames) : WorkAfterTraining()
            let outcome = try TrainingRun.run(c, resume: resume, configFile: configFile, budgetStart: budgetStart,
                                              afterTraining: afterTraining)
            training = outcome
            if !outcome.completed {
                Progress.line("interrupted: training stopped at step \(outcome.steps) with a checkpoint; "
                              + "continue with: splat run \(scene) --output \(output) --resume")
                throw ExitCode(StopSignal.exitStatus)
            }
            rerunLater = true
        }

        // 3 + 4. Render the held-out views and evaluate them; 5. the orbit.
        StopSignal.install()
        try stages.renderAndEvaluate(renderDir: outDir + "/renders/test", evalPath: outDir + "/eval.json", force: rerunLater,
                                     training: training)
        try stages.orbit(frames: orbitFrames, directory: outDir + "/orbit", force: rerunLater)
        say("done: outputs in \(outDir)")
    }

    /// "20000 steps", "until 20.0 min after the start of the command", or both limits.
    static func describeLength(_ c: TrainConfig, fromCommandStart: Bool) -> String {
        guard c.timeBudget > 0 else { return "\(c.iterations) steps" }
        let clock = String(format: "%.1f min after the start of %@", c.timeBudget, fromCommandStart ? "the command" : "scene loading")
        return c.stepLimit.map { "\($0) steps or until \(clock), whichever comes first" } ?? "until \(clock)"
    }

    /// Unbuffered, like the trainer's own lines, so the two stay in order.
    func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

    /// EDGS dense init, exactly as `splat init` does it, into <dir>/init.ply and init.json.
    func initialize(_ scene: Scene, options o: InitOptions, colmap: ColmapReport?, into dir: String) throws {
        let refs = o.references(trainViews: scene.trainIndices.count)
        let sized = o.matchesPerRef == 0 && o.totalSamples < InitOptions.fullSamples
            ? "; \(o.totalSamples) in all, sized to the time budget" : ""
        say("init: EDGS dense initialization (\(refs) references, \(o.nnsPerRef) neighbours, \(o.samplesPerReference(references: refs)) samples each\(sized))")
        let initialization: SceneInitialization
        do {
            initialization = try SceneInitialization(scene: scene, options: o, colmap: colmap,
                                                     progress: { say("  \($0)") }, shouldStop: { StopSignal.isRequested })
        } catch is InitInterrupted {
            Progress.line("interrupted: init stopped, nothing written for it (init.ply is written only when complete)")
            throw ExitCode(StopSignal.exitStatus)
        }
        try initialization.write(into: dir)
        let r = initialization.report
        say(String(format: "init: wrote %d Gaussians to %@/init.ply (%d of %d sampled matches kept%@%@, %.1f s)", r.gaussians, dir,
                   r.denseGaussians, r.sampled, r.filledGaussians > 0 ? " + \(r.filledGaussians) filling unmatched cells" : "",
                   r.sfmPointsAdded > 0 ? " + \(r.sfmPointsAdded) SfM points" : "", r.seconds.total))
        if StopSignal.isRequested {
            Progress.line("interrupted: init.ply written, training not started (the same command goes on from there)")
            throw ExitCode(StopSignal.exitStatus)
        }
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
              c.timeBudget > 0 || (json["steps"] as? Int) == c.iterations,
              let metricsDate = (try? fm.attributesOfItem(atPath: dir + "/metrics.json"))?[.modificationDate] as? Date,
              let configDate = (try? fm.attributesOfItem(atPath: dir + "/config.yaml"))?[.modificationDate] as? Date
        else { return false }
        return metricsDate >= configDate
    }
}
