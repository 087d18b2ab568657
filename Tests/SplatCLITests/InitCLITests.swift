import Foundation
import Testing

@Suite struct InitCLITests {
    static func fixture(_ p: String) -> String { CLI.repoRoot.appendingPathComponent("Fixtures/" + p).path }
    static let quick = ["--num-refs", "2", "--nns-per-ref", "2", "--matches-per-ref", "1500", "--match-size", "100"]

    @Test func initWritesPlyAndReportAndSameSeedIsByteIdentical() throws {
        let dir = try CLI.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a").path, b = dir.appendingPathComponent("b").path
        let r1 = try CLI.run(["init", Self.fixture("example"), "--output", a, "--seed", "3"] + Self.quick)
        #expect(r1.status == 0, "\(r1.stderr)")
        #expect(r1.stdout.contains("wrote ") && r1.stdout.contains("Gaussians to \(a)/init.ply"))
        let r2 = try CLI.run(["init", Self.fixture("example"), "--output", b, "--seed", "3", "--quiet"] + Self.quick)
        #expect(r2.status == 0, "\(r2.stderr)")
        let p1 = try Data(contentsOf: URL(fileURLWithPath: a + "/init.ply")), p2 = try Data(contentsOf: URL(fileURLWithPath: b + "/init.ply"))
        #expect(p1 == p2 && p1.count > 1000)
        // The report is JSON with the counts and per-stage timings.
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: a + "/init.json"))) as! [String: Any]
        let n = json["gaussians"] as! Int, dense = json["denseGaussians"] as! Int, filled = json["filledGaussians"] as! Int
        #expect(dense > 1000 && dense <= 3000)
        // So few dense points (2 × 1500 samples) are fewer than 4x the 4,194 SfM points: added.
        #expect(json["sfmPointsAdded"] as? Int == 4194 && n == dense + filled + 4194)
        #expect((json["references"] as! [Any]).count == 2)
        #expect((json["seconds"] as! [String: Any])["matching"] != nil)
        #expect(String(decoding: p1.prefix(200), as: UTF8.self).contains("element vertex \(n)\n"))
        // No temporary files are left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: a).sorted() == ["init.json", "init.ply"])
    }

    @Test func otherSeedGivesAnotherCloud() throws {
        let dir = try CLI.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a").path, b = dir.appendingPathComponent("b").path
        _ = try CLI.run(["init", Self.fixture("example"), "-o", a, "--seed", "1", "--quiet"] + Self.quick)
        _ = try CLI.run(["init", Self.fixture("example"), "-o", b, "--seed", "2", "--quiet"] + Self.quick)
        let p1 = try Data(contentsOf: URL(fileURLWithPath: a + "/init.ply")), p2 = try Data(contentsOf: URL(fileURLWithPath: b + "/init.ply"))
        #expect(p1 != p2)
    }

    @Test func badCorrespondencesFailWithOneLineErrorAndNoOutput() throws {
        let dir = try CLI.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let m = dir.appendingPathComponent("m").path, out = dir.appendingPathComponent("out").path
        try FileManager.default.createDirectory(atPath: m, withIntermediateDirectories: true)
        // 1.jpg is a test view of the example (index 0 in name order).
        try "2.jpg 1.jpg x.txt\n".write(toFile: m + "/pairs.txt", atomically: true, encoding: .utf8)
        let r = try CLI.run(["init", Self.fixture("example"), "-o", out, "--correspondences", m])
        #expect(r.status == 1)
        #expect(r.stderr == "error: \(m)/pairs.txt:1: 1.jpg is a test view; only train views may be used\n")
        #expect(!FileManager.default.fileExists(atPath: out + "/init.ply"))
    }

    @Test func sceneWithOneTrainViewIsAClearError() throws {
        let dir = try CLI.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        // The Blender fixture with only the first of its two train frames.
        let scene = dir.appendingPathComponent("one").path, out = dir.appendingPathComponent("out").path
        try FileManager.default.copyItem(atPath: Self.fixture("nerf_blender"), toPath: scene)
        let url = URL(fileURLWithPath: scene + "/transforms_train.json")
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        json["frames"] = Array((json["frames"] as! [Any]).prefix(1))
        try JSONSerialization.data(withJSONObject: json).write(to: url)
        let r = try CLI.run(["init", scene, "-o", out])
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("error: ") && r.stderr.contains("needs at least 2 train views, the scene has 1"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out + "/init.ply"))
    }

    @Test func invalidArgumentsAreUsageErrors() throws {
        let r = try CLI.run(["init", Self.fixture("example"), "-o", "/tmp/never", "--num-refs", "0"])
        #expect(r.status != 0 && r.stderr.contains("--num-refs must be at least 1"))
        let h = try CLI.run(["init", "--help"])
        #expect(h.status == 0 && h.stdout.contains("--matches-per-ref") && h.stdout.contains("--correspondences"))
    }
}
