import ArgumentParser
import Foundation
import SplatCore
import SplatIO
import SplatTrain

struct Optimize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Refine Gaussians against a scene's train views (EDGS: no densification).",
        discussion: """
            Every setting comes from the run.yaml given with --config (docs/config.md); the flags \
            below override it. Writes config.yaml, metrics.csv, metrics.json, point_cloud.ply and \
            checkpoint.bin into the output directory. SIGINT/SIGTERM stop after the current step \
            with a checkpoint (exit status 130/143); --resume continues from it.
            """)

    @Option(help: "Run configuration (YAML, docs/config.md).")
    var config: String

    @Option(help: "Training steps in total (steps, not epochs): exactly this many, whatever the config's 'time_budget' (give --minutes too for whichever comes first).")
    var iterations: Int?

    @Option(help: "Train for this many minutes of wall time (loading included) instead of a step count, whatever the config's 'iterations'; the schedules spread over the budget.")
    var minutes: Double?

    @Option(help: "Output directory, overriding 'output' (relative to the working directory).")
    var output: String?

    @Option(help: "Worker threads, overriding 'threads' (0 = all cores).")
    var threads: Int?

    @Flag(help: "Continue from <output>/checkpoint.bin instead of starting from 'init'.")
    var resume = false

    @OptionGroup(title: "Training features") var features: TrainingFeatureOptions

    func validate() throws {
        guard FileManager.default.fileExists(atPath: config) else { throw ValidationError("config file \(config) does not exist") }
        if let iterations, iterations < 0 { throw ValidationError("--iterations must be >= 0") }
        if let minutes, !(minutes > 0 && minutes <= 1e6) { throw ValidationError("--minutes must be a positive number of minutes (got \(minutes))") }
        if let threads, threads < 0 { throw ValidationError("--threads must be >= 0") }
    }

    func run() throws {
        // No handler before training: until TrainingRun installs it (after loading), Ctrl-C
        // ends the process at once; nothing has been written by then.
        var c = try ConfigLoader.load(path: config)
        c.setRunLength(iterations: iterations, minutes: minutes)
        if let threads { c.threads = threads }
        features.apply(to: &c)
        if let output { c.output = ConfigLoader.resolve(output, against: FileManager.default.currentDirectoryPath) }
        try Self.checkMemory(c, resume: resume, configFile: config)
        if FileManager.default.fileExists(atPath: c.output) { OutputDirectory.sweep(c.output) }
        let outcome = try TrainingRun.run(c, resume: resume, configFile: config)
        if !outcome.completed { throw ExitCode(StopSignal.exitStatus) }
    }

    /// Refuses a run that would not fit in memory, before the images are decoded. The scene is
    /// loaded once more by the trainer; loading reads cameras and image headers only.
    static func checkMemory(_ c: TrainConfig, resume: Bool, configFile: String) throws {
        guard !c.scene.isEmpty, !c.output.isEmpty else { return }   // the trainer reports these
        if resume && !FileManager.default.fileExists(atPath: c.output + "/checkpoint.bin") { return }
        let scene = try TrainingRun.loadScene(c).scene
        try MemoryBudget.require(MemoryCheck.training(c, scene: scene, resume: resume), for: configFile,
                                advice: "try 'downscale: \(c.downscale * 2)', a lower 'sh_degree' or fewer Gaussians in the init")
    }
}
