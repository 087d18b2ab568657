import Foundation
import SplatCore

/// Poses for a plain folder of images: runs the `colmap` command-line tool (Debian package
/// `colmap`, CPU SIFT) as feature_extractor → matcher → mapper → image_undistorter, in a
/// workspace the caller chooses. The undistorted model (`<workspace>/undistorted`, with
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

    static func imageCount(_ dir: String) -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
            .filter { imageExtensions.contains(($0 as NSString).pathExtension.lowercased()) }.count
    }

    /// Runs (or reuses) COLMAP on `images` with its workspace in `workspace`; returns the
    /// scene folder to load. `environmentPath` overrides PATH for finding `colmap` (tests).
    /// `videoFrames`: the images are consecutive frames of a video (VideoFrames.swift), so
    /// neighbours in name order overlap and sequential matching suffices.
    public static func run(images: String, workspace: String, environmentPath: String? = nil, videoFrames: Bool = false,
                           progress: (String) -> Void = { _ in }) throws -> String {
        let fm = FileManager.default
        let scene = workspace + "/undistorted"
        if fm.fileExists(atPath: workspace + "/" + doneMarker) {
            progress("colmap: reusing \(scene)")
            return scene
        }
        let searchPath = environmentPath ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        guard let colmap = searchPath.split(separator: ":").map({ "\($0)/colmap" }).first(where: { fm.isExecutableFile(atPath: $0) }) else {
            throw InitError(images, "has no camera poses and `colmap` was not found on PATH; install it with: apt-get install colmap")
        }
        try fm.createDirectory(atPath: workspace + "/sparse", withIntermediateDirectories: true)
        let db = workspace + "/database.db"
        let count = imageCount(images)
        let steps: [(String, [String])] = [
            ("feature_extractor", ["--database_path", db, "--image_path", images, "--ImageReader.single_camera", "1",
                                   "--ImageReader.camera_model", "OPENCV", "--SiftExtraction.use_gpu", "0"]),
            (count <= 50 && !videoFrames ? "exhaustive_matcher" : "sequential_matcher", ["--database_path", db, "--SiftMatching.use_gpu", "0"]),
            ("mapper", ["--database_path", db, "--image_path", images, "--output_path", workspace + "/sparse"]),
            ("image_undistorter", ["--image_path", images, "--input_path", workspace + "/sparse/0",
                                   "--output_path", scene, "--output_type", "COLMAP"]),
        ]
        let log = workspace + "/colmap.log"
        fm.createFile(atPath: log, contents: nil)
        for (k, (command, args)) in steps.enumerated() {
            progress("colmap \(k + 1)/\(steps.count): \(command) (\(count) images, log: \(log))")
            let status = try runLogged(colmap, [command] + args, log: log, path: searchPath)
            guard status == 0 else {
                throw InitError(log, "colmap \(command) failed with status \(status): \(lastLine(of: log))")
            }
            if command == "mapper" && !fm.fileExists(atPath: workspace + "/sparse/0") {
                throw InitError(log, "colmap mapper registered no model (too few matching images?)")
            }
        }
        try AtomicFile.write("colmap finished\n", to: workspace + "/" + doneMarker)
        return scene
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
