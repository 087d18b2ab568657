import Foundation
import SplatCore
import SplatIO

/// Poses for a plain folder of images: runs the `colmap` command-line tool (Debian package
/// `colmap`, CPU SIFT) as feature_extractor → matcher → mapper → image_undistorter, in a
/// workspace the caller chooses, with settings that fit the photos (`ColmapOptions`), and says
/// what it registered (`ColmapReport`). The undistorted model (`<workspace>/undistorted`, with
/// `images/` and `sparse/`) loads like any COLMAP scene. A finished workspace is reused.
public enum ColmapRunner {
    static let imageExtensions: Set<String> = ["jpg", "jpeg", "png"]
    static let doneMarker = "done"

    /// The folder holding the images when `path` is an image folder without poses (the folder
    /// itself or its `images/`), nil when it is anything else (a COLMAP or NeRF scene).
    public static func imageFolder(_ path: String) -> String? {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else { return nil }
        for marker in ["sparse", "transforms.json", "transforms_train.json"] where fm.fileExists(atPath: path + "/" + marker) {
            return nil
        }
        for dir in [path + "/images", path] where imageCount(dir) > 0 { return dir }
        return nil
    }

    static func imageCount(_ dir: String) -> Int { imageNames(dir).count }

    /// The scene folder to load and what COLMAP did.
    public struct Outcome: Sendable {
        public var scene: String
        public var report: ColmapReport
    }

    /// Image file names in `dir` (sorted), as COLMAP names them.
    static func imageNames(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
            .filter { imageExtensions.contains(($0 as NSString).pathExtension.lowercased()) }.sorted()
    }

    /// The settings `options` resolve to for these photos: one shared camera when `auto` and
    /// every photo has the same size and EXIF make/model.
    static func resolve(_ options: ColmapOptions, images: String, names: [String]) -> ColmapReport.Settings {
        let cameras = names.map { PhotoCamera.read(path: images + "/" + $0) }
        let distinct = Set(cameras.compactMap { $0 })
        var shared: Bool, reason: String
        if let only = distinct.first, distinct.count == 1, !cameras.contains(nil) {
            let exif = only.model.isEmpty && only.make.isEmpty ? "no EXIF model" : "EXIF \(only.make) \(only.model)".trimmingCharacters(in: .whitespaces)
            shared = true
            reason = "all \(names.count) photos \(only.width)x\(only.height), \(exif)"
        } else {
            shared = false
            let sizes = Set(distinct.map { "\($0.width)x\($0.height)" }), models = Set(distinct.map { "\($0.make) \($0.model)" })
            reason = cameras.contains(nil) ? "some photo sizes unreadable"
                : sizes.count > 1 ? "\(sizes.count) different photo sizes" : "\(models.count) different EXIF cameras"
        }
        switch options.camera {
        case .auto: break
        case .single: shared = true; reason = "--colmap-camera single"
        case .perImage: shared = false; reason = "--colmap-camera per-image"
        }
        let longest = distinct.map { max($0.width, $0.height) }.max() ?? 0
        let small = longest > 0 && longest < ColmapOptions.smallPhotoSide
        return .init(matcher: options.resolvedMatching.rawValue, sharedCamera: shared,
                     cameraModel: options.cameraModel ?? (shared ? "OPENCV" : "SIMPLE_RADIAL"),
                     maxImageSize: options.maxImageSize,
                     siftPeakThreshold: options.siftPeakThreshold ?? (small ? ColmapOptions.smallPhotoPeakThreshold : nil),
                     cameraReason: reason)
    }

    /// Runs (or reuses) COLMAP on `images` with its workspace in `workspace`; returns the
    /// scene folder to load and the report. A finished workspace made with the same resolved
    /// settings is reused without calling COLMAP; other settings redo it. `environmentPath`
    /// overrides PATH for finding `colmap` (tests).
    public static func run(images: String, workspace: String, options: ColmapOptions = .init(),
                           environmentPath: String? = nil, progress: (String) -> Void = { _ in }) throws -> Outcome {
        let fm = FileManager.default
        let scene = workspace + "/undistorted", reportFile = workspace + "/report.json"
        let names = imageNames(images)
        let settings = resolve(options, images: images, names: names)
        if fm.fileExists(atPath: workspace + "/" + doneMarker) {
            let previous = (try? Data(contentsOf: URL(fileURLWithPath: reportFile))).flatMap { try? JSONDecoder().decode(ColmapReport.self, from: $0) }
            if let previous, previous.settings == settings {
                progress("colmap: reusing \(scene)")
                return Outcome(scene: scene, report: previous)
            }
            if previous == nil, fm.fileExists(atPath: workspace + "/sparse/0") {
                // A workspace from before report.json: describe it with the current settings.
                progress("colmap: reusing \(scene)")
                let report = try summarize(workspace: workspace, names: names, settings: settings, options: options)
                return Outcome(scene: scene, report: report)
            }
            progress("colmap: settings changed, running again in \(workspace)")
            for old in [doneMarker, "report.json", "database.db", "sparse", "undistorted"] {
                try? fm.removeItem(atPath: workspace + "/" + old)
            }
        }
        let searchPath = environmentPath ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        guard let colmap = searchPath.split(separator: ":").map({ "\($0)/colmap" }).first(where: { fm.isExecutableFile(atPath: $0) }) else {
            throw InitError(images, "has no camera poses and `colmap` was not found on PATH; install it with: apt-get install colmap")
        }
        try fm.createDirectory(atPath: workspace + "/sparse", withIntermediateDirectories: true)
        let db = workspace + "/database.db"
        let count = names.count
        let matcherArgs: [String] = settings.matcher == ColmapMatching.sequential.rawValue
            ? ["--SequentialMatching.overlap", String(options.sequentialOverlap)] : []
        let log = workspace + "/colmap.log"
        fm.createFile(atPath: log, contents: nil)
        var seconds = [String: Double]()
        func step(_ k: Int, _ command: String, _ args: [String]) throws {
            progress("colmap \(k)/4: \(command) (\(count) images, log: \(log))")
            let start = Date()
            let status = try runLogged(colmap, [command] + args, log: log, path: searchPath)
            seconds[command] = Date().timeIntervalSince(start)
            guard status == 0 else {
                throw InitError(log, "colmap \(command) failed with status \(status): \(lastLine(of: log))")
            }
        }
        // COLMAP would read every file it can decode in the folder (a JPEG saved without an
        // extension, say); the list keeps it to the photos counted and reported here.
        let imageList = workspace + "/image_list.txt"
        try AtomicFile.write(Data(names.map { $0 + "\n" }.joined().utf8), to: imageList)
        try step(1, "feature_extractor", ["--database_path", db, "--image_path", images, "--image_list_path", imageList,
                                          "--ImageReader.single_camera", settings.sharedCamera ? "1" : "0",
                                          "--ImageReader.camera_model", settings.cameraModel,
                                          "--SiftExtraction.max_image_size", String(settings.maxImageSize),
                                          "--SiftExtraction.use_gpu", "0"]
                 + (settings.siftPeakThreshold.map { ["--SiftExtraction.peak_threshold", String($0)] } ?? []))
        try step(2, settings.matcher + "_matcher", ["--database_path", db, "--SiftMatching.use_gpu", "0"] + matcherArgs)
        try step(3, "mapper", ["--database_path", db, "--image_path", images, "--output_path", workspace + "/sparse"])
        var report = try summarize(workspace: workspace, names: names, settings: settings, options: options)
        if report.models.count > 1 {
            progress("colmap: the mapper made \(report.models.count) models (\(report.models.map(String.init).joined(separator: ", ")) photos); undistorting model \(report.chosenModel), the largest")
        }
        try step(4, "image_undistorter", ["--image_path", images, "--input_path", workspace + "/sparse/\(report.chosenModel)",
                                          "--output_path", scene, "--output_type", "COLMAP"])
        report.seconds = seconds
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(report), to: reportFile)
        try AtomicFile.write("colmap finished\n", to: workspace + "/" + doneMarker)
        return Outcome(scene: scene, report: report)
    }

    /// Reads every model in `<workspace>/sparse` and describes the largest.
    static func summarize(workspace: String, names: [String], settings: ColmapReport.Settings,
                          options: ColmapOptions) throws -> ColmapReport {
        let sparse = workspace + "/sparse"
        let indices = ((try? FileManager.default.contentsOfDirectory(atPath: sparse)) ?? []).compactMap(Int.init).sorted()
        var models = [ColmapModelSummary]()
        for i in indices {
            do { models.append(try ColmapModelSummary.read(directory: "\(sparse)/\(i)")) } catch {
                throw InitError("\(sparse)/\(i)", "the COLMAP mapper wrote a model that cannot be read: \(error)")
            }
        }
        let sizes = models.map { $0.imageNames.count }
        // The largest; among equals the first.
        var best = 0
        for i in sizes.indices where sizes[i] > sizes[best] { best = i }
        guard !models.isEmpty, sizes[best] > 0 else {
            throw InitError(workspace + "/colmap.log", "colmap mapper registered no model (too few matching images?)")
        }
        let chosen = models[best]
        let registered = Set(chosen.imageNames)
        var report = ColmapReport(settings: settings, images: names.count, registered: chosen.imageNames.count,
                                  leftOut: names.filter { !registered.contains($0) },
                                  meanReprojectionErrorPx: chosen.meanReprojectionErrorPx, points: chosen.pointCount,
                                  models: sizes, chosenModel: indices[best], warning: nil)
        if report.registeredFraction < options.warnBelowRegistered {
            report.warning = advice(report)
        }
        return report
    }

    /// The low-registration warning and what usually helps, given what was used.
    static func advice(_ r: ColmapReport) -> String {
        var tips = ["photos that overlap more (every part of the scene in 3 or more photos; around an object, one photo every 5–10°)",
                    "sharp, well-lit photos with texture in view"]
        if r.settings.matcher == ColmapMatching.sequential.rawValue {
            tips.append("--colmap-matcher exhaustive (the photos may not be in capture order)")
        }
        if r.settings.sharedCamera {
            tips.append("--colmap-camera per-image if the photos come from different cameras or zoom settings")
        }
        if r.settings.maxImageSize < 3200 { tips.append("a larger --colmap-max-image-size (more SIFT features, slower)") }
        let percent = Int((100 * r.registeredFraction).rounded())
        return "COLMAP registered only \(r.registered) of \(r.images) photos (\(percent)%); the \(r.leftOut.count) left out are not used. "
            + "What usually helps: " + tips.joined(separator: "; ") + "."
    }

    /// Runs a process with an argument array, appending its output to `log`.
    static func runLogged(_ executable: String, _ arguments: [String], log: String, path: String) throws -> Int32 {
        var env = ProcessInfo.processInfo.environment
        env["PATH"] = path
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        defer { try? handle.close() }
        handle.seekToEndOfFile()
        handle.write(Data(("$ colmap " + arguments.joined(separator: " ") + "\n").utf8))
        // ETXTBSY: a just-written executable can still be open for writing in a child that
        // another thread is forking; it clears within moments. A fresh Process per attempt.
        var attempts = 0
        while true {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: executable)
            p.arguments = arguments
            p.environment = env
            p.standardOutput = handle
            p.standardError = handle
            do {
                try p.run()
                p.waitUntilExit()
                return p.terminationStatus
            } catch let e as NSError where attempts < 20 && isTextBusy(e) {
                attempts += 1
                usleep(50_000)
            }
        }
    }

    static func isTextBusy(_ e: NSError) -> Bool {
        (e.userInfo[NSUnderlyingErrorKey] as? NSError)?.code == Int(ETXTBSY) || e.code == Int(ETXTBSY)
    }

    static func lastLine(of path: String) -> String {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").last.map(String.init) ?? "(no output)"
    }
}
