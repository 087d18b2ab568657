import Foundation
import Testing

/// With less memory available than the estimate (SPLAT_MEMORY_LIMIT_MB=1), init, optimize,
/// render and run refuse before allocating: one `error:` line naming the input, how much is
/// needed and available and what to try, exit status 1, nothing written.
@Suite struct MemoryCLITests {
    static let example = CLI.repoRoot.appendingPathComponent("Fixtures/example").path
    static let tiny = ["SPLAT_MEMORY_LIMIT_MB": "1"]

    static func expectRefusal(_ r: CLIResult, subject: String, advice: String) {
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.hasPrefix("error: \(subject): needs about "), "\(r.stderr)")
        #expect(r.stderr.contains(" but only 1 MiB is available; ") && r.stderr.contains(advice), "\(r.stderr)")
        #expect(r.stderr.filter { $0 == "\n" }.count == 1, "\(r.stderr)")
    }

    @Test func commandsRefuseWhenTheEstimateExceedsTheLimitAndWriteNothing() throws {
        let dir = try CLI.makeTempDir("splat-mem")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out").path

        let i = try CLI.run(["init", Self.example, "-o", out], environment: Self.tiny)
        Self.expectRefusal(i, subject: Self.example, advice: "try --downscale 2")

        let config = dir.appendingPathComponent("run.yaml").path
        try "scene: \(Self.example)\noutput: \(out)\ninit: sfm\niterations: 5\n".write(toFile: config, atomically: true, encoding: .utf8)
        let o = try CLI.run(["optimize", "--config", config], environment: Self.tiny)
        Self.expectRefusal(o, subject: config, advice: "try 'downscale: 2'")

        let model = try RenderFixture.writeModel(in: dir)
        let r = try CLI.run(["render", model, "--scene", Self.example, "-o", out], environment: Self.tiny)
        Self.expectRefusal(r, subject: model, advice: "try --downscale 2")

        let run = try CLI.run(["run", Self.example, "-o", out, "--iterations", "5"], environment: Self.tiny)
        Self.expectRefusal(run, subject: Self.example, advice: "try --downscale 2")

        #expect(!FileManager.default.fileExists(atPath: out))
        // The temp dir holds only what the test itself wrote.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["model.ply", "run.yaml"])
    }

    @Test func aGenerousLimitLetsACommandRunAndABadValueIsAnError() throws {
        let dir = try CLI.makeTempDir("splat-mem")
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try RenderFixture.writeModel(in: dir), out = dir.appendingPathComponent("out").path
        let ok = try CLI.run(["render", model, "--scene", Self.example, "--views", "1.jpg", "-o", out],
                             environment: ["SPLAT_MEMORY_LIMIT_MB": "4096"])
        #expect(ok.status == 0, "\(ok.stderr)")
        let bad = try CLI.run(["render", model, "--scene", Self.example, "--views", "1.jpg", "-o", out],
                              environment: ["SPLAT_MEMORY_LIMIT_MB": "2GB"])
        #expect(bad.status == 1 && bad.stderr == "error: SPLAT_MEMORY_LIMIT_MB: must be a whole number of MiB (got '2GB')\n")
    }
}
