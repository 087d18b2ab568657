import Foundation
import SplatCore
import SplatIO
import SplatTrain
import Testing

/// Corrupt inputs through the real CLI: every one must end with exit status 1 and exactly one
/// `error: <file>: ...` line on stderr (no trap, no stack trace, no partial output).
@Suite struct ReliabilityCLITests {
    static let fixtures = CLI.repoRoot.appendingPathComponent("Fixtures")
    static let tiny = fixtures.appendingPathComponent("colmap_tiny").path

    /// One corrupt case: how to build the bad input inside a temp dir, and the command to run.
    struct Case: CustomStringConvertible, Sendable {
        var description: String
        var needle: String
        var make: @Sendable (URL) throws -> [String]
    }

    static func fixtureBytes(_ relative: String) throws -> Data {
        try Data(contentsOf: fixtures.appendingPathComponent(relative))
    }

    static func write(_ data: Data, _ name: String, in dir: URL) throws -> String {
        let url = dir.appendingPathComponent(name)
        try data.write(to: url)
        return url.path
    }

    /// A Gaussian PLY whose header text is edited (byte-exact: same length not required).
    static func editedPLY(_ from: String, _ to: String, in dir: URL) throws -> String {
        let data = try fixtureBytes("ply/gaussians_deg1.ply")
        let end = data.range(of: Data("end_header\n".utf8))!.upperBound
        var header = String(decoding: data[..<end], as: UTF8.self)
        precondition(header.contains(from), "fixture header lacks \(from)")
        header = header.replacingOccurrences(of: from, with: to)
        return try write(Data(header.utf8) + data[end...], "model.ply", in: dir)
    }

    /// A copy of colmap_tiny (images linked) whose sparse/0/<file> is transformed.
    static func tinyScene(in dir: URL, editing file: String? = nil, _ edit: (inout Data) -> Void = { _ in }) throws -> String {
        let fm = FileManager.default
        let scene = dir.appendingPathComponent("scene")
        try fm.createDirectory(at: scene.appendingPathComponent("sparse/0"), withIntermediateDirectories: true)
        try fm.createDirectory(at: scene.appendingPathComponent("images"), withIntermediateDirectories: true)
        for name in ["cameras.bin", "images.bin", "points3D.bin"] {
            var d = try fixtureBytes("colmap_tiny/sparse/0/\(name)")
            if name == file { edit(&d) }
            try d.write(to: scene.appendingPathComponent("sparse/0/\(name)"))
        }
        for i in 1...4 {
            try fm.copyItem(atPath: "\(tiny)/images/\(i).jpg", toPath: scene.appendingPathComponent("images/\(i).jpg").path)
        }
        return scene.path
    }

    static func model(in dir: URL) throws -> String { try RenderFixture.writeModel(in: dir) }

    static func config(_ text: String, in dir: URL) throws -> String {
        try write(Data(text.utf8), "run.yaml", in: dir)
    }

    static let cases: [Case] = [
        // Gaussian PLY models.
        Case(description: "PLY cut at the end of the header", needle: "model.ply: ") { dir in
            let d = try fixtureBytes("ply/gaussians_deg1.ply")
            let end = d.range(of: Data("end_header\n".utf8))!.upperBound
            return ["export", try write(d[..<end], "model.ply", in: dir), "-o", dir.appendingPathComponent("o.spz").path]
        },
        Case(description: "PLY cut inside the first record", needle: "model.ply: ") { dir in
            let d = try fixtureBytes("ply/gaussians_deg1.ply")
            let end = d.range(of: Data("end_header\n".utf8))!.upperBound
            return ["export", try write(d[..<(end + 10)], "model.ply", in: dir), "-o", dir.appendingPathComponent("o.splat").path]
        },
        Case(description: "PLY claiming 4 billion vertices", needle: "model.ply: ") { dir in
            ["render", try editedPLY("element vertex 4\n", "element vertex 4000000000\n", in: dir), "--scene", tiny,
             "-o", dir.appendingPathComponent("r").path]
        },
        Case(description: "PLY with a negative vertex count", needle: "model.ply: ") { dir in
            ["export", try editedPLY("element vertex 4\n", "element vertex -4\n", in: dir), "-o", dir.appendingPathComponent("o.ply").path]
        },
        Case(description: "PLY with a wrong magic", needle: "model.ply: ") { dir in
            var d = try fixtureBytes("ply/gaussians_deg1.ply")
            d[0] = UInt8(ascii: "q")
            return ["eval", try write(d, "model.ply", in: dir), "--scene", tiny]
        },
        Case(description: "PLY with an unknown format", needle: "model.ply: ") { dir in
            ["export", try editedPLY("binary_little_endian", "binary_middle_endian", in: dir), "-o", dir.appendingPathComponent("o.spz").path]
        },
        // SPZ and .splat models.
        Case(description: "SPZ with a bad magic", needle: "corrupt_bad_magic.spz: ") { dir in
            ["export", fixtures.appendingPathComponent("export/corrupt_bad_magic.spz").path, "-o", dir.appendingPathComponent("o.ply").path]
        },
        Case(description: "SPZ claiming a huge count", needle: "corrupt_huge_count.spz: ") { dir in
            ["render", fixtures.appendingPathComponent("export/corrupt_huge_count.spz").path, "--scene", tiny, "-o", dir.appendingPathComponent("r").path]
        },
        Case(description: "truncated SPZ", needle: "corrupt_truncated.spz: ") { dir in
            ["eval", fixtures.appendingPathComponent("export/corrupt_truncated.spz").path, "--scene", tiny]
        },
        Case(description: ".splat whose length is not whole records", needle: "model.splat: ") { dir in
            let d = try fixtureBytes("export/expected.splat")
            return ["export", try write(d.dropLast(5), "model.splat", in: dir), "-o", dir.appendingPathComponent("o.ply").path]
        },
        // COLMAP scenes.
        Case(description: "cameras.bin written big-endian", needle: "cameras.bin: ") { dir in
            let scene = try tinyScene(in: dir, editing: "cameras.bin") { d in
                d.replaceSubrange(0..<8, with: Data(d[0..<8].reversed()))
            }
            return ["eval", try model(in: dir), "--scene", scene]
        },
        Case(description: "images.bin with a negative (2^64 - 1) keypoint count", needle: "images.bin: ") { dir in
            let scene = try tinyScene(in: dir, editing: "images.bin") { d in
                // First image: count u64 (8) id u32 (4) pose 7 x f64 (56) camera u32 (4) name "1.jpg\0" (6).
                d.replaceSubrange(78..<86, with: Data(repeating: 0xFF, count: 8))
            }
            return ["render", try model(in: dir), "--scene", scene, "-o", dir.appendingPathComponent("r").path]
        },
        Case(description: "points3D.bin cut at the first record", needle: "points3D.bin: ") { dir in
            let scene = try tinyScene(in: dir, editing: "points3D.bin") { d in d = d.prefix(8 + 20) }
            return ["info", scene]
        },
        Case(description: "camera with an unknown model id", needle: "unknown camera model id 99") { dir in
            ["eval", try model(in: dir), "--scene", fixtures.appendingPathComponent("corrupt/cameras_unknown_model_id").path]
        },
        Case(description: "scene with a missing image", needle: "image file listed in images.bin is missing") { dir in
            ["eval", try model(in: dir), "--scene", fixtures.appendingPathComponent("corrupt/missing_image").path]
        },
        Case(description: "scene image of the wrong size", needle: "2.jpg: ") { dir in
            let scene = try tinyScene(in: dir)
            try FileManager.default.removeItem(atPath: scene + "/images/2.jpg")
            try FileManager.default.copyItem(atPath: fixtures.appendingPathComponent("images/baseline.jpg").path, toPath: scene + "/images/2.jpg")
            return ["info", scene]
        },
        Case(description: "eval with a test image of the wrong size", needle: "1.jpg: ") { dir in
            let scene = try tinyScene(in: dir)
            try FileManager.default.removeItem(atPath: scene + "/images/1.jpg")
            try FileManager.default.copyItem(atPath: fixtures.appendingPathComponent("images/subsampled.jpg").path, toPath: scene + "/images/1.jpg")
            return ["eval", try model(in: dir), "--scene", scene]
        },
        Case(description: "eval with a truncated test image", needle: "1.jpg: ") { dir in
            let scene = try tinyScene(in: dir)
            let jpeg = try Data(contentsOf: URL(fileURLWithPath: scene + "/images/1.jpg"))
            try jpeg.prefix(jpeg.count / 2).write(to: URL(fileURLWithPath: scene + "/images/1.jpg"))
            return ["eval", try model(in: dir), "--scene", scene]
        },
        Case(description: "images.bin with a NaN pose", needle: "non-finite or zero pose") { dir in
            ["render", try model(in: dir), "--scene", fixtures.appendingPathComponent("corrupt/images_nan_pose").path,
             "-o", dir.appendingPathComponent("r").path]
        },
        Case(description: "transforms.json with a NaN matrix", needle: "transform_matrix") { dir in
            ["eval", try model(in: dir), "--scene", fixtures.appendingPathComponent("corrupt/json_bad_matrix").path]
        },
        // Run configuration and checkpoints.
        Case(description: "config with a NaN learning weight", needle: "run.yaml: ") { dir in
            ["optimize", "--config", try config("scene: \(tiny)\noutput: out\nlambda_dssim: .nan\n", in: dir)]
        },
        Case(description: "config with negative iterations", needle: "run.yaml: ") { dir in
            ["optimize", "--config", try config("scene: \(tiny)\noutput: out\niterations: -5\n", in: dir)]
        },
        Case(description: "config with a 30-digit iteration count", needle: "run.yaml: ") { dir in
            ["optimize", "--config", try config("scene: \(tiny)\noutput: out\niterations: 999999999999999999999999999999\n", in: dir)]
        },
        Case(description: "resume from a checkpoint with a bad magic", needle: "checkpoint.bin: ") { dir in
            try FileManager.default.createDirectory(at: dir.appendingPathComponent("out"), withIntermediateDirectories: true)
            var d = try fixtureBytes("fuzz/checkpoint/deg0_n2.ckpt")
            d[0] = 0
            _ = try write(d, "out/checkpoint.bin", in: dir)
            return ["optimize", "--config", try config("scene: \(tiny)\noutput: out\ndownscale: 2\n", in: dir), "--resume"]
        },
        Case(description: "resume from a checkpoint claiming 2^60 Gaussians", needle: "checkpoint.bin: ") { dir in
            try FileManager.default.createDirectory(at: dir.appendingPathComponent("out"), withIntermediateDirectories: true)
            var d = try fixtureBytes("fuzz/checkpoint/deg0_n2.ckpt")
            d.replaceSubrange(16..<24, with: withUnsafeBytes(of: UInt64(1 << 60).littleEndian) { Data($0) })
            _ = try write(d, "out/checkpoint.bin", in: dir)
            return ["optimize", "--config", try config("scene: \(tiny)\noutput: out\ndownscale: 2\n", in: dir), "--resume"]
        },
        Case(description: "resume from a truncated checkpoint", needle: "checkpoint.bin: ") { dir in
            try FileManager.default.createDirectory(at: dir.appendingPathComponent("out"), withIntermediateDirectories: true)
            let d = try fixtureBytes("fuzz/checkpoint/deg0_n2.ckpt")
            _ = try write(d.prefix(100), "out/checkpoint.bin", in: dir)
            return ["optimize", "--config", try config("scene: \(tiny)\noutput: out\ndownscale: 2\n", in: dir), "--resume"]
        },
    ]

    @Test(arguments: cases)
    func corruptInputGivesExitOneAndOneErrorLine(_ c: Case) throws {
        let dir = try CLI.makeTempDir("splat-rely")
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = try c.make(dir)
        let r = try CLI.run(args, cwd: dir)
        #expect(r.status == 1, "\(c): status \(r.status), stderr \(r.stderr)")
        let lines = r.stderr.split(separator: "\n").filter { !$0.isEmpty }
        #expect(lines.count == 1 && lines[0].hasPrefix("error: "), "\(c): \(r.stderr)")
        #expect(r.stderr.contains(c.needle), "\(c): \(r.stderr)")
        // Nothing was written for a command that failed on its input.
        for out in ["o.spz", "o.ply", "o.splat", "r"] {
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent(out).path), "\(c) left \(out)")
        }
    }

    /// NaN and Inf inside a model are data, not a broken file: render skips such Gaussians and
    /// the writers map them to documented finite values (docs/formats-output.md).
    @Test func nonFiniteModelValuesRenderAndExport() throws {
        let dir = try CLI.makeTempDir("splat-rely")
        defer { try? FileManager.default.removeItem(at: dir) }
        let names = GaussianPLY.propertyNames(shDegree: 0)
        var text = "ply\nformat ascii 1.0\nelement vertex 3\n" + names.map { "property float \($0)\n" }.joined() + "end_header\n"
        let finite = Array(repeating: "0.1", count: names.count)
        for bad in ["nan", "inf", "-inf"] {
            var row = finite
            row[0] = bad; row[names.firstIndex(of: "opacity")!] = bad; row[names.firstIndex(of: "rot_0")!] = bad
            text += row.joined(separator: " ") + "\n"
        }
        let model = try Self.write(Data(text.utf8), "model.ply", in: dir)
        for out in ["o.spz", "o.splat", "o.ply"] {
            let r = try CLI.run(["export", model, "-o", dir.appendingPathComponent(out).path])
            #expect(r.status == 0 && r.stderr.isEmpty, "\(out): \(r.stderr)")
        }
        let r = try CLI.run(["render", model, "--scene", Self.tiny, "--views", "1.jpg", "-o", dir.appendingPathComponent("r").path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try ImageCodec.decode(path: dir.appendingPathComponent("r/1.png").path).width == 200)
    }
}

/// `splat optimize` killed with SIGKILL at pseudo-random moments must leave every output file
/// either absent or complete and valid, and `--resume` must carry on from the last checkpoint.
@Suite struct KillSafetyCLITests {
    static let example = CLI.repoRoot.appendingPathComponent("Fixtures/example").path
    static let iterations = 24, checkpointInterval = 3

    /// Checks every file in `out`; returns the checkpoint's step, if there is a checkpoint.
    static func validateOutput(_ out: URL, round: Int) throws -> Int? {
        var checkpointStep: Int? = nil
        let fm = FileManager.default
        for name in (try? fm.contentsOfDirectory(atPath: out.path)) ?? [] {
            let path = out.appendingPathComponent(name).path
            switch name {
            case "checkpoint.bin":
                let state = try Checkpoint.read(path: path)
                #expect(state.step % checkpointInterval == 0 || state.step == iterations, "round \(round): step \(state.step)")
                #expect(state.trainViewCount == 67)
                checkpointStep = state.step
            case "point_cloud.ply":
                #expect(try GaussianPLY.read(path: path).count > 0)
            case "metrics.json":
                #expect(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) is [String: Any])
            case "metrics.csv":
                let text = try String(contentsOfFile: path, encoding: .utf8)
                #expect(text.hasPrefix("step,psnr,ssim,gaussians,elapsed_s\n") && text.hasSuffix("\n"), "round \(round)")
                let rows = text.split(separator: "\n").dropFirst().map { $0.split(separator: ",") }
                #expect(rows.allSatisfy { $0.count == 5 }, "round \(round): \(text)")
                let steps = rows.compactMap { Int($0[0]) }
                #expect(steps.count == rows.count && steps == steps.sorted() && Set(steps).count == steps.count, "round \(round): \(text)")
            case "config.yaml":
                _ = try ConfigLoader.load(path: path)
            default:
                // AtomicFile's temporary: `.<name>.<pid>.tmp`, never read by anything.
                let parts = name.split(separator: ".")
                let isTemp = name.hasPrefix(".") && name.hasSuffix(".tmp") && parts.count >= 3 && Int(parts[parts.count - 2]) != nil
                #expect(isTemp, "round \(round): unexpected file \(name)")
            }
        }
        return checkpointStep
    }

    @Test func sigkilledOptimizeLeavesOnlyCompleteFilesAndResumes() throws {
        let dir = try CLI.makeTempDir("splat-kill")
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("run.yaml").path
        try """
            scene: \(Self.example)
            output: out
            downscale: 2
            iterations: \(Self.iterations)
            checkpoint_interval: \(Self.checkpointInterval)
            test_interval: 8
            threads: 2
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out")
        var rng = SplatRandom(seed: 2024)
        var lastStep: Int? = nil
        for round in 0..<4 {
            let p = Process()
            p.executableURL = CLI.executable
            p.arguments = ["optimize", "--config", config] + (lastStep != nil ? ["--resume"] : [])
            p.currentDirectoryURL = dir
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            // Let it write a checkpoint of its own (so every round makes progress), then a
            // random extra 0-0.6 s so that kills land in steps, evaluations and file writes alike.
            let checkpoint = out.appendingPathComponent("checkpoint.bin").path
            func stamp() -> Date? { (try? FileManager.default.attributesOfItem(atPath: checkpoint))?[.modificationDate] as? Date }
            let before = stamp()
            var polls = 0
            while p.isRunning && stamp() == before && polls < 6000 { usleep(5_000); polls += 1 }
            usleep(UInt32(rng.nextFloat() * 600_000))
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            let step = try Self.validateOutput(out, round: round)
            if let step, let lastStep { #expect(step >= lastStep, "checkpoint went back from \(lastStep) to \(step)") }
            lastStep = step ?? lastStep
        }
        // A temporary of a dead process, as a kill during a write leaves one (the kills above
        // may or may not have landed in a write).
        let dead = Process()
        dead.executableURL = URL(fileURLWithPath: "/bin/true")
        try dead.run()
        dead.waitUntilExit()
        try Data("partial".utf8).write(to: out.appendingPathComponent(".point_cloud.ply.\(dead.processIdentifier).tmp"))
        // Finish the run from the last checkpoint.
        let r = try CLI.run(["optimize", "--config", config] + (lastStep != nil ? ["--resume"] : []), cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try Self.validateOutput(out, round: 4) == Self.iterations)
        // The resumed run swept every stale temporary away.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty, "\(leftovers)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("metrics.json"))) as? [String: Any]
        #expect(json?["steps"] as? Int == Self.iterations)
        // A resumed run evaluates no step-0 model: it went on from the checkpoint.
        if lastStep != nil { #expect(!r.stdout.contains("[step 0] test"), "\(r.stdout)") }
    }
}
