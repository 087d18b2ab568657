import Foundation
import Testing

@Suite struct RunCLITests {
    static func fixture(_ p: String) -> String { CLI.repoRoot.appendingPathComponent("Fixtures/" + p).path }
    /// Small init and few steps keep a debug run to seconds.
    static let quick = ["--num-refs", "2", "--nns-per-ref", "2", "--matches-per-ref", "800", "--match-size", "100", "--orbit-frames", "3"]

    static func files(_ dir: String) -> [String] {
        (FileManager.default.enumerator(atPath: dir)?.allObjects as? [String] ?? []).sorted()
    }

    @Test func runWritesEveryStageOutputAndARerunSkipsFinishedStages() throws {
        let dir = try CLI.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("run").path
        let r1 = try CLI.run(["run", Self.fixture("example"), "--output", out, "--iterations", "20"] + Self.quick)
        #expect(r1.status == 0, "\(r1.stderr)")
        let expected = ["checkpoint.bin", "config.yaml", "eval.json", "init.json", "init.ply", "metrics.csv", "metrics.json",
                        "orbit", "orbit/frame_0000.png", "orbit/frame_0001.png", "orbit/frame_0002.png",
                        "point_cloud.ply", "renders", "renders/test"]
        // The example holds out 10 test views (every 8th image in name order).
        let renders = Self.files(out).filter { $0.hasPrefix("renders/test/") }
        #expect(renders.count == 10 && renders.allSatisfy { $0.hasSuffix(".png") })
        #expect(Self.files(out).filter { !$0.hasPrefix("renders/test/") } == expected)
        let eval = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/eval.json"))) as! [String: Any]
        #expect((eval["views"] as! [Any]).count == 10)
        let metrics = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/metrics.json"))) as! [String: Any]
        #expect(metrics["steps"] as? Int == 20)
        // eval.json scores the trainer's final renders; the saved model rendered again by
        // `splat eval` scores the same on the same views.
        let psnr = eval["meanPSNR"] as! Double, trainerPSNR = metrics["psnr"] as! Double
        #expect(psnr > 1 && abs(psnr - trainerPSNR) < 1e-9)
        let rescored = try CLI.run(["eval", out + "/point_cloud.ply", "--scene", Self.fixture("example"), "--json"])
        #expect(rescored.status == 0, "\(rescored.stderr)")
        let again = try JSONSerialization.jsonObject(with: Data(rescored.stdout.utf8)) as! [String: Any]
        #expect(abs((again["meanPSNR"] as! Double) - trainerPSNR) < 1e-3)
        #expect(eval["gaussians"] as? Int == metrics["gaussians"] as? Int && (again["gaussians"] as? Int) == eval["gaussians"] as? Int)
        let config = try String(contentsOfFile: out + "/config.yaml", encoding: .utf8)
        #expect(config.contains("init: \"\(out)/init.ply\"") && config.contains("iterations: 20\n"))

        // Same command again: nothing to do.
        let model = try Data(contentsOf: URL(fileURLWithPath: out + "/point_cloud.ply"))
        let r2 = try CLI.run(["run", Self.fixture("example"), "--output", out, "--iterations", "20"] + Self.quick)
        #expect(r2.status == 0, "\(r2.stderr)")
        #expect(r2.stdout.contains("init: skipped") && r2.stdout.contains("optimize: skipped") && r2.stdout.contains("render/eval: skipped")
                && r2.stdout.contains("orbit: skipped"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/point_cloud.ply")) == model)
        #expect(r2.stdout.contains(String(format: "exist (PSNR %.3f SSIM", psnr)))

        // Other step count: init is kept, optimize and render/eval run again.
        let r3 = try CLI.run(["run", Self.fixture("example"), "--output", out, "--iterations", "10"] + Self.quick)
        #expect(r3.status == 0, "\(r3.stderr)")
        #expect(r3.stdout.contains("init: skipped") && !r3.stdout.contains("optimize: skipped") && !r3.stdout.contains("render/eval: skipped")
                && r3.stdout.contains("orbit: 3 frames"))
        let m3 = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/metrics.json"))) as! [String: Any]
        #expect(m3["steps"] as? Int == 10)
    }

    @Test func aTimeBudgetSizesTheInitUnlessMatchesPerRefIsGiven() throws {
        let dir = try CLI.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("run").path, config = dir.appendingPathComponent("run.yaml").path
        try "threads: 1\n".write(toFile: config, atomically: true, encoding: .utf8)
        // 5 minutes of one core: a third of the full 160,000 samples, over 2 references.
        let r = try CLI.run(["run", Self.fixture("example"), "--output", out, "--config", config, "--iterations", "3", "--minutes", "5",
                             "--num-refs", "2", "--nns-per-ref", "2", "--match-size", "100", "--orbit-frames", "0"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("6667 samples each; 53333 in all, sized to the time budget"), "\(r.stdout)")
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/init.json"))) as! [String: Any]
        #expect((report["settings"] as? [String: Any])?["totalSamples"] as? Int == 53_333)
        // An explicit --matches-per-ref is used as given.
        let again = try CLI.run(["run", Self.fixture("example"), "--output", out, "--config", config, "--iterations", "3", "--minutes", "5",
                                 "--force"] + Self.quick)
        #expect(again.status == 0 && again.stdout.contains("800 samples each)"), "\(again.stdout)")
    }

    @Test func configSettingsAreUsedAndAnSfmStartSkipsEdgsInit() throws {
        let dir = try CLI.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("run").path, config = dir.appendingPathComponent("run.yaml").path
        // scene and output here are replaced by the command line.
        try "scene: elsewhere\noutput: elsewhere\ninit: sfm\niterations: 7\ntest_interval: 0\nsh_degree: 1\n"
            .write(toFile: config, atomically: true, encoding: .utf8)
        let r = try CLI.run(["run", Self.fixture("example"), "--output", out, "--config", config, "--iterations", "5", "--orbit-frames", "0"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("init: skipped, training starts from sfm"))
        #expect(!FileManager.default.fileExists(atPath: out + "/init.ply"))
        let effective = try String(contentsOfFile: out + "/config.yaml", encoding: .utf8)
        #expect(effective.contains("scene: \"\(Self.fixture("example"))\"\n") && effective.contains("init: \"sfm\"\n"))
        #expect(effective.contains("iterations: 5\n") && effective.contains("test_interval: 0\n") && effective.contains("sh_degree: 1\n"))
        #expect(FileManager.default.fileExists(atPath: out + "/eval.json"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("elsewhere").path))
    }

    @Test func aConfigThatNamesNoInitStartsFromTheRunsOwnEdgsInit() throws {
        let dir = try CLI.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("run").path, config = dir.appendingPathComponent("run.yaml").path
        // 'init' defaults to sfm for `splat optimize`; `splat run` makes and uses its own init.
        try "threads: 1\ntest_interval: 0\n".write(toFile: config, atomically: true, encoding: .utf8)
        let r = try CLI.run(["run", Self.fixture("example"), "--output", out, "--config", config, "--iterations", "3"]
                            + Self.quick)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!r.stdout.contains("training starts from sfm"))
        #expect(FileManager.default.fileExists(atPath: out + "/init.ply"))
        let effective = try String(contentsOfFile: out + "/config.yaml", encoding: .utf8)
        #expect(effective.contains("init: \"\(out)/init.ply\"\n") && effective.contains("threads: 1\n"))
    }

    @Test func badSceneFailsWithOneLineErrorAndWritesNothing() throws {
        let dir = try CLI.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("run").path
        // A folder with neither cameras nor images is not a scene.
        let empty = dir.appendingPathComponent("empty").path
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let r = try CLI.run(["run", empty, "--output", out, "--iterations", "5"])
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("error: \(empty): no scene found"))
        #expect(r.stderr.filter { $0 == "\n" }.count == 1)
        #expect(!FileManager.default.fileExists(atPath: out))

        let missing = try CLI.run(["run", dir.appendingPathComponent("nope").path, "--output", out])
        #expect(missing.status == 1)
        #expect(missing.stderr == "error: \(dir.appendingPathComponent("nope").path): no such file or folder\n")
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
