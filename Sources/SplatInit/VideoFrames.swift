import Foundation
import SplatCore
import SplatIO

/// Photos from a video for `splat run capture.mp4` (docs/commands.md, "Video input"): ffmpeg
/// decodes `candidates` evenly spaced frames per wanted frame, and the sharpest of each group
/// (largest variance of the Laplacian of the gray image, the usual blur measure) is kept, so
/// motion-blurred frames of a hand-held capture are skipped. The kept frames are
/// `<folder>/frame_0001.jpg` … in time order, ready for COLMAP (ColmapRunner).
public enum VideoFrames {
    public static let videoExtensions: Set<String> = ["mp4", "mov", "m4v", "avi", "mkv", "webm", "mts"]
    static let doneMarker = ".frames-done"

    /// True for a regular file whose extension is a video container's.
    public static func isVideo(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && !isDir.boolValue
            && videoExtensions.contains((path as NSString).pathExtension.lowercased())
    }

    static func tool(_ name: String, path: String) -> String? {
        path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Extracts `count` frames into `folder` (created; reused when a previous extraction of the
    /// same video and count finished there). Returns the folder.
    public static func extract(video: String, into folder: String, count: Int, candidates: Int = 3,
                               environmentPath: String? = nil, progress: (String) -> Void = { _ in }) throws -> String {
        precondition(count >= 1 && candidates >= 1)
        let fm = FileManager.default
        let stamp = "\(video)\n\(count) frames, best of \(candidates)\n"
        if (try? String(contentsOfFile: folder + "/" + doneMarker, encoding: .utf8)) == stamp {
            progress("video: reusing \(count) frames in \(folder)")
            return folder
        }
        let searchPath = environmentPath ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        guard let ffmpeg = tool("ffmpeg", path: searchPath), let ffprobe = tool("ffprobe", path: searchPath) else {
            throw InitError(video, "is a video; extracting its frames needs ffmpeg and ffprobe, which are not on PATH (apt-get install ffmpeg)")
        }
        let duration = try probeDuration(video, ffprobe: ffprobe)
        // Candidate frames evenly spaced over the whole video; ffmpeg's fps filter picks the
        // frame nearest each tick.
        let rate = Double(count * candidates) / duration
        let scratch = folder + "/.candidates"
        try? fm.removeItem(atPath: folder)
        try fm.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        progress(String(format: "video: %.1f s, decoding %d candidate frames (%.3f per second), keeping the sharpest of every %d",
                        duration, count * candidates, rate, candidates))
        let status = try run(ffmpeg, ["-nostdin", "-loglevel", "error", "-i", video, "-vf", String(format: "fps=%.6f", rate),
                                      "-frames:v", String(count * candidates), "-q:v", "2", scratch + "/%06d.jpg"])
        guard status.code == 0 else { throw InitError(video, "ffmpeg could not decode the video: \(status.message)") }
        let names = try fm.contentsOfDirectory(atPath: scratch).filter { $0.hasSuffix(".jpg") }.sorted()
        guard !names.isEmpty else { throw InitError(video, "ffmpeg produced no frames") }
        let groups = stride(from: 0, to: names.count, by: candidates).map { Array(names[$0..<min($0 + candidates, names.count)]) }
        for (k, group) in groups.enumerated() {
            let scored = try group.map { ($0, sharpness(try ImageCodec.decode(path: scratch + "/" + $0))) }
            let best = scored.max { $0.1 < $1.1 }!.0
            try fm.moveItem(atPath: scratch + "/" + best, toPath: folder + String(format: "/frame_%04d.jpg", k + 1))
        }
        try fm.removeItem(atPath: scratch)
        try AtomicFile.write(stamp, to: folder + "/" + doneMarker)
        progress("video: kept \(groups.count) frames in \(folder)")
        return folder
    }

    /// Variance of the 4-neighbour Laplacian of the gray image (interior pixels): high for
    /// sharp frames, low for blurred ones.
    public static func sharpness(_ image: Image8) -> Double {
        let w = image.width, h = image.height, ch = image.channels
        guard w >= 3, h >= 3 else { return 0 }
        var gray = [Float](repeating: 0, count: w * h)
        for i in 0..<(w * h) {
            gray[i] = ch >= 3 ? (Float(image.pixels[i * ch]) + Float(image.pixels[i * ch + 1]) + Float(image.pixels[i * ch + 2])) / 3
                              : Float(image.pixels[i * ch])
        }
        var sum = 0.0, sumSq = 0.0
        for y in 1..<(h - 1) {
            for x in 1..<(w - 1) {
                let i = y * w + x
                let l = Double(gray[i - 1] + gray[i + 1] + gray[i - w] + gray[i + w] - 4 * gray[i])
                sum += l; sumSq += l * l
            }
        }
        let n = Double((w - 2) * (h - 2))
        return sumSq / n - (sum / n) * (sum / n)
    }

    static func probeDuration(_ video: String, ffprobe: String) throws -> Double {
        let out = try run(ffprobe, ["-v", "error", "-show_entries", "format=duration", "-of", "default=noprint_wrappers=1:nokey=1", video])
        guard out.code == 0, let d = Double(out.output.trimmingCharacters(in: .whitespacesAndNewlines)), d.isFinite, d > 0 else {
            throw InitError(video, "not a readable video (ffprobe: \(out.code == 0 ? "no duration" : out.message))")
        }
        return d
    }

    /// Runs a tool (argument array, no shell); stdout, and the last line of stderr for messages.
    static func run(_ executable: String, _ arguments: [String]) throws -> (code: Int32, output: String, message: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        // stdout first, then stderr: with -loglevel error / -v error the tools write only a few
        // lines to stderr, far below the pipe buffer, so neither read can block the other.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let message = String(decoding: errData, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? "(no message)"
        return (p.terminationStatus, String(decoding: outData, as: UTF8.self), message)
    }
}
