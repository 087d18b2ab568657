import Foundation
import SplatCore
import SplatIO
import SplatRender
import Testing

/// A small model for the tiny COLMAP fixture: one Gaussian per sparse point, in its colour,
/// with some view-dependent SH so the SH path is exercised too.
enum RenderFixture {
    static let scene = CLI.repoRoot.appendingPathComponent("Fixtures/colmap_tiny").path

    static func cloud(_ scene: Scene) -> GaussianCloud {
        var c = GaussianCloud(count: scene.points.count, maxSHDegree: 3)
        var rng = SplatRandom(seed: 5)
        for (i, p) in scene.points.enumerated() {
            for k in 0..<3 {
                c.means[i * 3 + k] = p[k]
                c.logScales[i * 3 + k] = logf(0.04 * (1 + rng.nextFloat()))
                c.shDC[i * 3 + k] = SH.dc(fromRGB: Float(scene.pointColors[i][k]) / 255)
            }
            for k in 0..<4 { c.rotations[i * 4 + k] = rng.nextFloat() - 0.3 }
            c.opacityLogits[i] = 1 + rng.nextFloat()
            for j in 0..<(c.restCount * 3) { c.shRest[i * c.restCount * 3 + j] = (rng.nextFloat() - 0.5) * 0.2 }
        }
        return c
    }

    /// Writes the model into `dir` and returns its path.
    static func writeModel(in dir: URL) throws -> String {
        let path = dir.appendingPathComponent("model.ply").path
        try GaussianPLY.write(cloud(try SceneLoader.load(scene)), to: path)
        return path
    }
}

@Suite struct RenderCLITests {
    @Test func renderedViewEqualsRasterizerOutputAfter8BitRounding() throws {
        let dir = try CLI.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try RenderFixture.writeModel(in: dir)
        let out = dir.appendingPathComponent("renders").path
        let r = try CLI.run(["render", model, "--scene", RenderFixture.scene, "--output", out, "--views", "2.jpg,3"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("render 2/2 3.png"))
        let scene = try SceneLoader.load(RenderFixture.scene)
        let cloud = try GaussianPLY.read(path: model)
        for name in ["2", "3"] {
            let camera = scene.cameras.first { $0.name == "\(name).jpg" }!
            let expected = Rasterizer().forward(cloud, camera: camera, settings: RenderSettings(background: scene.background)).image.toImage8()
            let written = try ImageCodec.decode(path: "\(out)/\(name).png")
            #expect(written == expected)
            #expect(expected.pixels.contains { $0 > 0 })  // the model is visible
        }
    }

    @Test func exportedThenReimportedPLYRendersIdentically() throws {
        let dir = try CLI.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try RenderFixture.writeModel(in: dir)
        let exported = dir.appendingPathComponent("exported.ply").path
        #expect(try CLI.run(["export", model, "--output", exported]).status == 0)
        for (input, folder) in [(model, "a"), (exported, "b")] {
            let r = try CLI.run(["render", input, "--scene", RenderFixture.scene, "-o", dir.appendingPathComponent(folder).path,
                                 "--views", "all", "--background", "0.2,0.4,0.6"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        for name in ["1", "2", "3", "4"] {
            let a = try Data(contentsOf: dir.appendingPathComponent("a/\(name).png"))
            #expect(a == (try Data(contentsOf: dir.appendingPathComponent("b/\(name).png"))))
        }
    }

    @Test func orbitWritesNumberedFramesAtTheRequestedSizeWithDepthAndAlpha() throws {
        let dir = try CLI.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try RenderFixture.writeModel(in: dir)
        let out = dir.appendingPathComponent("orbit").path
        let r = try CLI.run(["render", model, "--scene", RenderFixture.scene, "-o", out, "--path", "orbit",
                             "--frames", "3", "--width", "64", "--depth", "--alpha"])
        #expect(r.status == 0, "\(r.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(files == ["frame_0000.png", "frame_0000_alpha.png", "frame_0000_depth.npy", "frame_0000_depth.png",
                          "frame_0001.png", "frame_0001_alpha.png", "frame_0001_depth.npy", "frame_0001_depth.png",
                          "frame_0002.png", "frame_0002_alpha.png", "frame_0002_depth.npy", "frame_0002_depth.png"])
        let frame = try ImageCodec.decode(path: out + "/frame_0001.png")
        #expect(frame.width == 64 && frame.height == 48)  // 200x150 aspect kept
        let depth = try ImageCodec.decode(path: out + "/frame_0001_depth.png")
        #expect(depth.channels == 1 && depth.pixels.contains(255) && depth.pixels.contains(0))
    }

    @Test(arguments: [
        (["--frames", "0", "--path", "orbit"], "--frames must be at least 1"),
        (["--width", "-5"], "--width must be a positive number of pixels"),
        (["--height", "0"], "--height must be a positive number of pixels"),
        (["--width", "10", "--downscale", "2"], "either --width/--height or --downscale"),
        (["--downscale", "0"], "--downscale must be at least 1"),
        (["--background", "pink"], "--background must be black, white or r,g,b"),
        (["--path", "zigzag"], "zigzag"),
        (["--video", "../x.mp4", "--path", "orbit"], "--video must be a file name inside --output"),
    ])
    func badOptionsAreUsageErrorsAndWriteNothing(extra: [String], message: String) throws {
        let dir = try CLI.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = CLI.repoRoot.appendingPathComponent("Fixtures/export/input.ply").path
        let out = dir.appendingPathComponent("out").path
        let r = try CLI.run(["render", model, "--scene", RenderFixture.scene, "-o", out] + extra)
        #expect(r.status == 64, "usage errors exit with EX_USAGE")
        #expect(r.stderr.contains(message), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func unknownViewNameAndUnusableOutputAreReported() throws {
        let dir = try CLI.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try RenderFixture.writeModel(in: dir)
        let r1 = try CLI.run(["render", model, "--scene", RenderFixture.scene, "-o", dir.appendingPathComponent("o").path, "--views", "2.jpg,99.jpg"])
        #expect(r1.status == 1)
        #expect(r1.stderr.hasPrefix("error: \(RenderFixture.scene): no view named '99.jpg'"), "\(r1.stderr)")
        let r2 = try CLI.run(["render", model, "--scene", RenderFixture.scene, "-o", model])
        #expect(r2.status != 0 && r2.stderr.contains("exists and is not a directory"), "\(r2.stderr)")
        let r3 = try CLI.run(["render", model, "--scene", RenderFixture.scene, "-o", model + "/sub/dir"])
        #expect(r3.status == 64 && r3.stderr.contains("is not a directory"), "\(r3.stderr)")
        // Missing parents are created, like mkdir -p.
        let nested = dir.appendingPathComponent("new/nested/dir").path
        let r5 = try CLI.run(["render", model, "--scene", RenderFixture.scene, "-o", nested, "--views", "1"])
        #expect(r5.status == 0 && FileManager.default.fileExists(atPath: nested + "/1.png"), "\(r5.stderr)")
        let r4 = try CLI.run(["render", model, "--scene", dir.appendingPathComponent("nowhere").path, "-o", dir.appendingPathComponent("o").path])
        #expect(r4.status != 0 && r4.stderr.contains("scene"), "\(r4.stderr)")
    }

    @Test func nestedImageNamesAreFlattenedAndAmbiguousShortNamesRefused() throws {
        let dir = try CLI.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = CLI.repoRoot.appendingPathComponent("Fixtures/export/input.ply").path
        let blender = CLI.repoRoot.appendingPathComponent("Fixtures/nerf_blender").path
        let out = dir.appendingPathComponent("o").path
        let r1 = try CLI.run(["render", model, "--scene", blender, "-o", out, "--views", "train/r_0.png,r_1"])
        #expect(r1.status == 0, "\(r1.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted() == ["train_r_0.png", "train_r_1.png"])
        let r2 = try CLI.run(["render", model, "--scene", blender, "-o", out, "--views", "r_0"])
        #expect(r2.status == 1)
        #expect(r2.stderr.contains("view 'r_0' is ambiguous: test/r_0.png, train/r_0.png"), "\(r2.stderr)")
    }

    static let ffmpegInstalled = FileManager.default.isExecutableFile(atPath: "/usr/bin/ffmpeg")

    @Test(.enabled(if: ffmpegInstalled, "needs ffmpeg (scripts/install-deps.sh --tools)"))
    func videoHasOneFramePerRenderedImageAndNoLeftovers() throws {
        let dir = try CLI.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try RenderFixture.writeModel(in: dir)
        let out = dir.appendingPathComponent("v").path
        let r = try CLI.run(["render", model, "--scene", RenderFixture.scene, "-o", out, "--views", "all",
                             "--width", "51", "--video", "views.mp4", "--fps", "10"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted() == ["1.png", "2.png", "3.png", "4.png", "views.mp4"])
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/ffprobe")
        probe.arguments = ["-v", "error", "-count_frames", "-show_entries", "stream=nb_read_frames,width,height",
                           "-of", "csv=p=0", out + "/views.mp4"]
        let text = dir.appendingPathComponent("probe.txt")
        _ = FileManager.default.createFile(atPath: text.path, contents: nil)
        probe.standardOutput = try FileHandle(forWritingTo: text)
        try probe.run(); probe.waitUntilExit()
        // 51x38 frames padded to even 52x38; four views, four frames.
        #expect(try String(contentsOf: text, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) == "52,38,4")
    }

    @Test func videoWithoutFFmpegOnPathIsAClearError() throws {
        let dir = try CLI.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try RenderFixture.writeModel(in: dir)
        let p = Process()
        p.executableURL = CLI.executable
        p.arguments = ["render", model, "--scene", RenderFixture.scene, "-o", dir.appendingPathComponent("v").path,
                       "--path", "orbit", "--frames", "2", "--video", "out.mp4"]
        p.environment = ["PATH": dir.path]  // no ffmpeg here
        let errURL = dir.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        p.standardError = try FileHandle(forWritingTo: errURL)
        p.standardOutput = FileHandle.nullDevice
        try p.run(); p.waitUntilExit()
        #expect(p.terminationStatus != 0)
        #expect(try String(contentsOf: errURL, encoding: .utf8).contains("--video needs ffmpeg, which is not on PATH"))
    }
}
