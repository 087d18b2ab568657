import ArgumentParser
import Foundation
import SplatCore
import SplatIO
import SplatRender
import SplatTrain


/// Runs ffmpeg (argument array, no shell) on the written PNG frames.
enum VideoEncoder {
    static func ffmpegPath() -> String? {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        return dirs.map { "\($0)/ffmpeg" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Frames are linked under sequential names in a temporary folder inside the output
    /// directory (so any image names work and the frame count is exact); the video is written
    /// to a temporary name and renamed, like every other output.
    static func encode(frameNames: [String], directory: String, fps: Int, to name: String) throws {
        guard let ffmpeg = ffmpegPath() else { throw RenderError(path: name, reason: "ffmpeg not found on PATH") }
        let dir = URL(fileURLWithPath: directory).standardizedFileURL.path
        let target = dir + "/" + name
        let ext = (name as NSString).pathExtension
        let temporary = dir + "/.\(getpid())-video.tmp" + (ext.isEmpty ? "" : ".\(ext)")
        let links = dir + "/.\(getpid())-frames"
        let fm = FileManager.default
        try? fm.removeItem(atPath: links)
        do {
            try fm.createDirectory(atPath: links, withIntermediateDirectories: false)
            for (i, frame) in frameNames.enumerated() {
                try fm.createSymbolicLink(atPath: links + String(format: "/%06d.png", i), withDestinationPath: dir + "/" + frame)
            }
        } catch {
            try? fm.removeItem(atPath: links)
            throw RenderError(path: links, reason: "cannot prepare frames for ffmpeg (\(error.localizedDescription))")
        }
        defer { try? fm.removeItem(atPath: links) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ffmpeg)
        // yuv420p needs even sizes: pad by one pixel when odd.
        p.arguments = ["-y", "-loglevel", "error", "-framerate", String(fps), "-i", links + "/%06d.png",
                       "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2", "-c:v", "libx264", "-pix_fmt", "yuv420p", temporary]
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            unlink(temporary)
            throw RenderError(path: target, reason: "ffmpeg failed with status \(p.terminationStatus)")
        }
        guard rename(temporary, target) == 0 else {
            unlink(temporary)
            throw RenderError(path: target, reason: "cannot move the video into place")
        }
    }
}
