import Foundation
import Testing

@Suite struct OptimizeCLITests {
    static let tinyScene = CLI.repoRoot.appendingPathComponent("Fixtures/colmap_tiny").path

    func writeConfig(_ text: String, in dir: URL) throws -> String {
        let path = dir.appendingPathComponent("run.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func misspeltKeyIsReportedWithFileLineAndSuggestion() throws {
        let dir = try CLI.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try writeConfig("scene: \(Self.tinyScene)\noutput: out\niteratons: 5\n", in: dir)
        let r = try CLI.run(["optimize", "--config", config])
        #expect(r.status == 1)
        #expect(r.stderr == "error: \(config): line 3: unknown key 'iteratons' (did you mean 'iterations'?)\n")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path))
    }

    @Test func wrongTypeAndMissingKeysAreClearErrors() throws {
        let dir = try CLI.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var config = try writeConfig("scene: \(Self.tinyScene)\noutput: out\nlambda_dssim: high\n", in: dir)
        var r = try CLI.run(["optimize", "--config", config])
        #expect(r.status == 1)
        #expect(r.stderr.contains("line 3: key 'lambda_dssim' must be a number, got 'high'"))
        config = try writeConfig("output: out\n", in: dir)
        r = try CLI.run(["optimize", "--config", config])
        #expect(r.status == 1 && r.stderr == "error: \(config): key 'scene' is required\n")
        r = try CLI.run(["optimize", "--config", dir.appendingPathComponent("missing.yaml").path])
        #expect(r.status != 0 && r.stderr.contains("does not exist"))
    }

    @Test func tinySceneRunWritesOutputsAndResumes() throws {
        let dir = try CLI.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try writeConfig("""
            scene: \(Self.tinyScene)
            output: out
            downscale: 2
            iterations: 12
            test_interval: 6
            threads: 2
            """, in: dir)
        var r = try CLI.run(["optimize", "--config", config])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("[step 6] test PSNR"))
        let out = dir.appendingPathComponent("out")
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: out.path))
        #expect(files == ["config.yaml", "metrics.csv", "metrics.json", "point_cloud.ply", "checkpoint.bin"])
        r = try CLI.run(["optimize", "--config", config, "--resume", "--iterations", "15"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("metrics.json"))) as! [String: Any]
        #expect(json["steps"] as? Int == 15)
        let csv = try String(contentsOf: out.appendingPathComponent("metrics.csv"), encoding: .utf8)
        #expect(csv.split(separator: "\n").map { $0.split(separator: ",")[0] } == ["step", "0", "6", "12", "15"])
        // Resuming a finished run evaluates nothing new and keeps the final metrics.
        r = try CLI.run(["optimize", "--config", config, "--resume", "--iterations", "15"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try String(contentsOf: out.appendingPathComponent("metrics.csv"), encoding: .utf8) == csv)
        let again = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("metrics.json"))) as! [String: Any]
        #expect(abs((again["psnr"] as? Double ?? 0) - (json["psnr"] as? Double ?? 1)) < 1e-3)   // CSV keeps 4 decimals
    }

    @Test func resumeWithoutCheckpointFails() throws {
        let dir = try CLI.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try writeConfig("scene: \(Self.tinyScene)\noutput: out\ndownscale: 2\n", in: dir)
        let r = try CLI.run(["optimize", "--config", config, "--resume"])
        #expect(r.status == 1 && r.stderr.contains("no checkpoint to resume from"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path))
    }

    /// SIGINT stops after the current step with a checkpoint and exit status 130 (128 + SIGINT,
    /// as every command that stops on a signal). Waits for the
    /// first evaluation line (an event, not a time) before signalling.
    @Test func sigintWritesCheckpointAndExitsCleanly() throws {
        let dir = try CLI.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try writeConfig("""
            scene: \(Self.tinyScene)
            output: out
            downscale: 2
            iterations: 1000000
            test_interval: 1000000
            checkpoint_interval: 0
            """, in: dir)
        let outURL = dir.appendingPathComponent("stdout")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        let p = Process()
        p.executableURL = CLI.executable
        p.arguments = ["optimize", "--config", config]
        p.standardOutput = try FileHandle(forWritingTo: outURL)
        p.standardError = FileHandle.nullDevice
        try p.run()
        var started = false
        for _ in 0..<600 where !started {   // up to 60 s for the step-0 evaluation line
            started = ((try? String(contentsOf: outURL, encoding: .utf8)) ?? "").contains("[step 0] test PSNR")
            if !started { usleep(100_000) }
        }
        #expect(started)
        kill(p.processIdentifier, SIGINT)
        p.waitUntilExit()
        #expect(p.terminationStatus == 130)
        let stdout = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        #expect(stdout.contains("stopped at step"))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/checkpoint.bin").path))
    }
}
