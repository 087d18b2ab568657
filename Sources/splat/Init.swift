import ArgumentParser
import Foundation
import SplatCore
import SplatInit
import SplatIO
import SplatTrain

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "EDGS dense initialization: triangulate dense matches into Gaussians (init.ply, init.json).",
        discussion: """
            Picks reference views among the train views (k-means on camera poses), matches each \
            densely against its nearest views (built-in CPU plane-sweep matcher, or files given \
            with --correspondences, see docs/correspondences.md), samples reference pixels in \
            proportion to match certainty, triangulates them and writes one Gaussian per point. \
            Test views (every 8th image) are never used. Same seed, same init.ply. \
            SIGINT/SIGTERM stop between reference views and write nothing (exit status 130/143).
            """)

    @Argument(help: "Scene folder (COLMAP or transforms.json), a transforms*.json file, or a folder of images without poses (then COLMAP is run, workspace <output>/colmap).")
    var scene: String

    @Option(name: .shortAndLong, help: "Output folder (created if missing): init.ply and init.json are written there.")
    var output: String

    @OptionGroup var initArguments: InitArguments

    @OptionGroup(title: "COLMAP (folder of photos without poses)") var colmapArguments: ColmapArguments

    @Option(help: "Folder with pairs.txt and match files to use instead of the built-in matcher.")
    var correspondences: String?

    @Option(help: "Integer factor by which images are reduced on load (1 = full size).")
    var downscale = 1

    @Option(help: "Random seed for view selection and sampling.")
    var seed: UInt64 = 0

    @Option(help: "Drop points whose reprojection error exceeds this, L1 pixels at the loaded resolution (default: 0.005 x the larger image side).")
    var maxReprojectionError: Double?

    @Flag(help: "Print only the final summary.")
    var quiet = false

    func validate() throws {
        guard downscale >= 1 else { throw ValidationError("--downscale must be at least 1") }
        if let e = maxReprojectionError, !(e > 0) { throw ValidationError("--max-reprojection-error must be positive") }
        guard FileManager.default.fileExists(atPath: scene) else { throw ValidationError("scene '\(scene)' does not exist") }
        if let c = correspondences {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: c, isDirectory: &isDir), isDir.boolValue else {
                throw ValidationError("correspondences folder '\(c)' does not exist")
            }
        }
    }

    func run() throws {
        var load = SceneLoadOptions()
        load.downscale = downscale
        var scenePath = scene
        var kept = "nothing written"
        var colmapReport: ColmapReport? = nil
        if let images = ColmapRunner.imageFolder(scene) {
            // No poses: COLMAP's workspace lives in the output folder, so a rerun reuses it.
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            let workspace = (output as NSString).appendingPathComponent("colmap")
            let colmap = try ColmapRunner.run(images: images, workspace: workspace, options: colmapArguments.options,
                                              progress: { Progress.line($0) })
            colmap.report.lines.forEach { Progress.line($0) }
            scenePath = colmap.scene
            colmapReport = colmap.report
            kept = "kept the COLMAP workspace \(workspace), nothing else written"
        }
        let s = try SceneLoader.load(scenePath, options: load)
        var o = initArguments.options(seed: seed)
        o.correspondences = correspondences; o.maxReprojectionError = maxReprojectionError
        try MemoryBudget.require(MemoryCheck.initialization(s, options: o), for: scenePath,
                                advice: "try --downscale \(downscale * 2), a smaller --match-size or fewer --matches-per-ref")
        let quiet = quiet
        // From here a stop is checked between references; before, Ctrl-C ends the process at once.
        StopSignal.install()
        let initialization: SceneInitialization
        do {
            // Progress on stderr, unbuffered, like render's; stdout keeps the summary.
            initialization = try SceneInitialization(scene: s, options: o, colmap: colmapReport,
                                                     progress: { if !quiet { Progress.line($0) } },
                                                     shouldStop: { StopSignal.isRequested })
        } catch is InitInterrupted {
            Progress.line("interrupted: \(kept)")
            throw ExitCode(StopSignal.exitStatus)
        }
        // A stop that came while the Gaussians were being made: drop them rather than write.
        if StopSignal.isRequested {
            Progress.line("interrupted: \(kept)")
            throw ExitCode(StopSignal.exitStatus)
        }
        try OutputDirectory.create(output)
        let ply = try initialization.write(into: output)
        let r = initialization.report
        print(String(format: "wrote %d Gaussians to %@ (%d references, %d sampled, %d kept, %.1f%% rejected, median reprojection error %.3f px, %.1f s)",
                     r.gaussians, ply, r.references.count, r.sampled, r.denseGaussians, 100 * r.rejectedFraction,
                     r.medianReprojectionErrorPx, r.seconds.total)
              + (r.filledGaussians > 0 ? ", \(r.filledGaussians) of them filling unmatched cells" : "")
              + (r.sfmPointsAdded > 0 ? ", \(r.sfmPointsAdded) of them SfM points" : ""))
        if quiet { r.warnings.forEach { Progress.line("warning: " + $0) } }
    }
}
