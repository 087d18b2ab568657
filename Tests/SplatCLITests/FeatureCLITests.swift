import Foundation
import SplatCore
import SplatIO
import SplatRender
import Testing

/// Issue 17 features end to end through the binary: training on every view, metric depth,
/// video input.
@Suite struct FeatureCLITests {
    static let tiny = CLI.repoRoot.appendingPathComponent("Fixtures/colmap_tiny").path
    static let example = CLI.repoRoot.appendingPathComponent("Fixtures/example").path
    static let ffmpegInstalled = FileManager.default.isExecutableFile(atPath: "/usr/bin/ffmpeg")
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/ffprobe")
    static let numpyInstalled: Bool = {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import numpy"]
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }()

    @Test func noHoldoutTrainsOnEveryViewAndSaysNothingIsHeldOut() throws {
        let dir = try CLI.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("run.yaml").path
        try "scene: \(Self.tiny)\noutput: out\ninit: random:200\niterations: 4\ntest_interval: 2\n".write(toFile: config, atomically: true, encoding: .utf8)
        let r = try CLI.run(["optimize", "--config", config, "--no-holdout"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("4 train / 0 test views"))
        #expect(r.stdout.contains("eval: nothing held out"))
        #expect(r.stdout.contains("done: 4 steps") && r.stdout.contains("nothing held out, training"))
        let out = dir.appendingPathComponent("out").path
        let json = try String(contentsOfFile: out + "/metrics.json", encoding: .utf8)
        let m = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        #expect(m["train_views"] as? Int == 4 && m["test_views"] as? Int == 0 && m["psnr"] == nil)
        #expect(!json.lowercased().contains("nan"))
        #expect(try String(contentsOfFile: out + "/config.yaml", encoding: .utf8).contains("\neval: false\n"))
        // With the holdout (the default) the same config has a test view.
        let held = try CLI.run(["optimize", "--config", config, "--output", dir.appendingPathComponent("held").path])
        #expect(held.status == 0 && held.stdout.contains("3 train / 1 test views") && !held.stdout.contains("nothing held out"))
    }

    /// `--antialiasing` trains with the filter, point_cloud.ply and preview.json record it, and
    /// `eval` then scores exactly what the trainer scored (its held-out PSNR), which it does not
    /// with `--no-antialiasing`; `render` follows the file too.
    @Test func antialiasingIsTrainedRecordedAndUsedByEvalAndRender() throws {
        let dir = try CLI.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("run.yaml").path
        try "scene: \(Self.tiny)\noutput: out\ninit: random:300\niterations: 4\ntest_interval: 2\npreview_interval: 2\n"
            .write(toFile: config, atomically: true, encoding: .utf8)
        let r = try CLI.run(["optimize", "--config", config, "--antialiasing"])
        #expect(r.status == 0, "\(r.stderr)")
        let out = dir.appendingPathComponent("out").path, model = out + "/point_cloud.ply"
        #expect(try String(contentsOfFile: out + "/config.yaml", encoding: .utf8).contains("\nantialiasing: true\n"))
        #expect(try GaussianPLY.isAntialiased(path: model))
        #expect(try String(contentsOfFile: out + "/preview.json", encoding: .utf8).contains(#""antialiasing": true"#))
        let metrics = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/metrics.json"))) as! [String: Any]
        let trained = try #require(metrics["psnr"] as? Double)
        func evalPSNR(_ extra: [String]) throws -> (Double, String) {
            let e = try CLI.run(["eval", model, "--scene", Self.tiny, "--json"] + extra)
            try #require(e.status == 0, "\(e.stderr)")
            let report = try JSONSerialization.jsonObject(with: Data(e.stdout.utf8)) as! [String: Any]
            return (try #require(report["meanPSNR"] as? Double, "\(e.stdout)"), e.stderr)
        }
        let (recorded, note) = try evalPSNR([])
        let (plain, _) = try evalPSNR(["--no-antialiasing"])
        #expect(note.contains("antialiasing: on"))
        #expect(abs(recorded - trained) < 1e-9, "eval \(recorded) vs training's \(trained)")
        #expect(abs(plain - trained) > 1e-3, "--no-antialiasing scored the same (\(plain))")
        for (name, extra) in [("file", [String]()), ("plain", ["--no-antialiasing"]), ("forced", ["--antialiasing"])] {
            let rr = try CLI.run(["render", model, "--scene", Self.tiny, "--output", dir.appendingPathComponent(name).path] + extra)
            #expect(rr.status == 0, "\(rr.stderr)")
        }
        let test = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("file").path).sorted()
        let png = try #require(test.first { $0.hasSuffix(".png") })
        func bytes(_ name: String) throws -> Data { try Data(contentsOf: dir.appendingPathComponent("\(name)/\(png)")) }
        #expect(try bytes("file") == bytes("forced") && bytes("file") != bytes("plain"))
    }

    /// Python one-liner: load the .npy with numpy and print dtype, shape and the drawn pixels' stats.
    func numpyStats(_ path: String) throws -> [String] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", """
            import numpy as np, sys
            a = np.load(sys.argv[1])
            d = a[a > 0]
            print(a.dtype, a.shape[0], a.shape[1], d.size, repr(float(d.min())), repr(float(d.max())))
            a.astype('<f4').tofile(sys.argv[1] + '.raw')
            """, path]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return out.split(whereSeparator: \.isWhitespace).map(String.init)
    }

    @Test(.enabled(if: numpyInstalled, "needs python3 with numpy (scripts/install-deps.sh --python)"))
    func depthNpyIsMetricAndReadsInNumpy() throws {
        let dir = try CLI.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let scene = try SceneLoader.load(Self.tiny)
        let camera = scene.cameras[1]
        // Independent reference: one flat Gaussian 2.5 units straight ahead of the camera has
        // depth 2.5 wherever it is drawn (its centre's view-space z; docs/commands.md).
        var wall = GaussianCloud(count: 1, maxSHDegree: 0)
        let forward = camera.pose.rotation.transposed * SIMD3<Double>(0, 0, 1)
        let centre = camera.center + 2.5 * forward
        wall.means = [Float(centre.x), Float(centre.y), Float(centre.z)]
        wall.logScales = [0, 0, 0].map { _ in logf(0.5) }
        wall.opacityLogits = [3]
        let wallPath = dir.appendingPathComponent("wall.ply").path
        try GaussianPLY.write(wall, to: wallPath)
        var r = try CLI.run(["render", wallPath, "--scene", Self.tiny, "--views", camera.name, "--depth", "-o", dir.appendingPathComponent("w").path])
        #expect(r.status == 0, "\(r.stderr)")
        let stem = (camera.name as NSString).deletingPathExtension
        let wallStats = try numpyStats(dir.appendingPathComponent("w/\(stem)_depth.npy").path)
        #expect(wallStats.prefix(3) == ["float32", "150", "200"])
        #expect(wallStats.count == 6 && Int(wallStats[3])! > 1000)
        #expect(abs(Double(wallStats[4])! - 2.5) < 1e-4 && abs(Double(wallStats[5])! - 2.5) < 1e-4, "\(wallStats)")

        // A real model: numpy's array equals the rasterizer's depth bit for bit.
        let model = try RenderFixture.writeModel(in: dir)
        r = try CLI.run(["render", model, "--scene", Self.tiny, "--views", camera.name, "--depth", "-o", dir.appendingPathComponent("m").path])
        #expect(r.status == 0, "\(r.stderr)")
        let npy = dir.appendingPathComponent("m/\(stem)_depth.npy").path
        _ = try numpyStats(npy)
        let raw = try Data(contentsOf: URL(fileURLWithPath: npy + ".raw"))
        let fromNumpy = raw.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        let expected = Rasterizer().forward(try GaussianPLY.read(path: model), camera: camera,
                                            settings: RenderSettings(background: scene.background, outputs: [.depth])).depth!
        #expect(fromNumpy.map(\.bitPattern) == expected.map(\.bitPattern))
        #expect(expected.contains { $0 > 0 })
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("m/\(stem)_depth.png").path))
    }

    /// A stand-in `colmap` (as in ColmapRunnerTests) that records its calls and the number of
    /// images it was given, and answers with the example scene's model.
    static func fakeColmap(in dir: String) throws {
        let script = """
        #!/bin/sh
        cmd="$1"; shift
        while [ $# -gt 0 ]; do
          case "$1" in
            --output_path) out="$2" ;;
            --database_path) db="$2" ;;
            --image_path) images="$2" ;;
          esac
          shift
        done
        echo "$cmd $(ls "$images" 2>/dev/null | grep -c jpg)" >> "\(dir)/calls.txt"
        case "$cmd" in
          feature_extractor) touch "$db" ;;
          mapper) mkdir -p "$out/0" && cp "\(example)/sparse/0/"* "$out/0/" ;;
          image_undistorter) mkdir -p "$out/sparse" && cp "\(example)/sparse/0/"* "$out/sparse/" && ln -s "\(example)/images" "$out/images" ;;
        esac
        """
        try script.write(toFile: dir + "/colmap", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir + "/colmap")
    }

    @Test(.enabled(if: ffmpegInstalled, "needs ffmpeg (scripts/install-deps.sh --tools, which scripts/test.sh runs)"))
    func runTakesAVideoThroughFramesAndColmap() throws {
        let dir = try CLI.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        // A 3-second video of the example's frames (77 frames at 25 fps).
        let video = dir.appendingPathComponent("capture.mp4").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        p.arguments = ["-loglevel", "error", "-framerate", "25", "-pattern_type", "glob", "-i", Self.example + "/images/*.jpg",
                       "-c:v", "libx264", "-pix_fmt", "yuv420p", video]
        try p.run(); p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        try Self.fakeColmap(in: dir.path)
        let out = dir.appendingPathComponent("out").path
        let r = try CLI.run(["run", video, "-o", out, "--video-frames", "10", "--iterations", "2", "--orbit-frames", "0",
                             "--num-refs", "2", "--nns-per-ref", "2", "--matches-per-ref", "300", "--match-size", "100"],
                            environment: ["PATH": dir.path + ":/usr/bin:/bin"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("video: kept 10 frames in \(out)/frames"))
        let frames = try FileManager.default.contentsOfDirectory(atPath: out + "/frames").filter { $0.hasSuffix(".jpg") }.sorted()
        #expect(frames == (1...10).map { String(format: "frame_%04d.jpg", $0) })
        #expect(try ImageCodec.readSize(path: out + "/frames/frame_0001.jpg") == (200, 150))
        // Video frames go to sequential matching even though there are fewer than 50.
        let calls = try String(contentsOfFile: dir.path + "/calls.txt", encoding: .utf8)
        #expect(calls == "feature_extractor 10\nsequential_matcher 0\nmapper 10\nimage_undistorter 10\n")
        #expect(FileManager.default.fileExists(atPath: out + "/point_cloud.ply"))
        // A second run reuses the frames.
        let again = try CLI.run(["run", video, "-o", out, "--video-frames", "10", "--iterations", "2", "--orbit-frames", "0"],
                                environment: ["PATH": dir.path + ":/usr/bin:/bin"])
        #expect(again.status == 0 && again.stdout.contains("video: reusing 10 frames"))
    }
}
