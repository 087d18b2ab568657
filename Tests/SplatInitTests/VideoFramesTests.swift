import Foundation
import SplatCore
import Testing
@testable import SplatInit
import SplatIO

@Suite struct VideoFramesTests {
    static let ffmpegInstalled = FileManager.default.isExecutableFile(atPath: "/usr/bin/ffmpeg")
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/ffprobe")
    static let images = CorrespondenceFilesTests.repoRoot.appendingPathComponent("Fixtures/example/images").path

    /// 5×5 box blur: what camera shake does to a frame, roughly.
    static func blurred(_ image: Image8) -> Image8 {
        var out = image
        let w = image.width, h = image.height
        for y in 0..<h {
            for x in 0..<w {
                for c in 0..<3 {
                    var sum = 0, n = 0
                    for dy in -2...2 { for dx in -2...2 where (0..<w).contains(x + dx) && (0..<h).contains(y + dy) {
                        sum += Int(image.pixels[((y + dy) * w + x + dx) * 3 + c]); n += 1
                    } }
                    out.pixels[(y * w + x) * 3 + c] = UInt8(sum / n)
                }
            }
        }
        return out
    }

    @Test func sharpnessPrefersTheSharpImage() throws {
        let sharp = try ImageCodec.decode(path: Self.images + "/1.jpg")
        #expect(VideoFrames.sharpness(sharp) > 3 * VideoFrames.sharpness(Self.blurred(sharp)))
    }

    /// Groups of three frames where only the middle one is sharp: every kept frame must be it.
    @Test(.enabled(if: ffmpegInstalled, "needs ffmpeg (scripts/install-deps.sh --tools, which scripts/test.sh runs)"))
    func keepsTheSharpestFrameOfEachInterval() throws {
        let dir = try CorrespondenceFilesTests.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sources = try ["1.jpg", "2.jpg", "3.jpg", "4.jpg"].map { try ImageCodec.decode(path: Self.images + "/" + $0) }
        for (k, image) in sources.enumerated() {
            let blur = Self.blurred(image)
            for (j, frame) in [blur, image, blur].enumerated() {
                try ImageCodec.writePNG(frame, to: dir + String(format: "/%03d.png", 3 * k + j))
            }
        }
        let video = dir + "/shaky.mp4"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        p.arguments = ["-loglevel", "error", "-framerate", "3", "-i", dir + "/%03d.png", "-c:v", "libx264", "-crf", "12",
                       "-pix_fmt", "yuv444p", video]
        try p.run(); p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        #expect(VideoFrames.isVideo(video) && !VideoFrames.isVideo(dir))
        let folder = try VideoFrames.extract(video: video, into: dir + "/frames", count: 4)
        for (k, image) in sources.enumerated() {
            let kept = try ImageCodec.decode(path: folder + String(format: "/frame_%04d.jpg", k + 1))
            func difference(_ a: Image8, _ b: Image8) -> Double {
                zip(a.pixels, b.pixels).reduce(0.0) { $0 + abs(Double($1.0) - Double($1.1)) } / Double(a.pixels.count)
            }
            #expect(difference(kept, image) < difference(kept, Self.blurred(image)), "frame \(k + 1) is not the sharp one")
        }
        // Without ffmpeg on PATH: a one-line error saying what to install.
        let e = #expect(throws: InitError.self) { try VideoFrames.extract(video: video, into: dir + "/f2", count: 4, environmentPath: dir) }
        #expect(e?.description.contains("apt-get install ffmpeg") == true)
    }
}
