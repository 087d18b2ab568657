import Foundation
import SplatIO
import Testing

/// SIGINT/SIGTERM to `splat render` and `splat init` while they work: they stop within a
/// short time of the signal, say what was saved in one line, exit with 128 + signal, and leave
/// only complete files. The signal is sent after a progress line appeared (an event, not a time);
/// only the interval from the signal to the exit is measured, with a generous bound for a
/// loaded machine and a debug build.
@Suite struct InterruptCLITests {
    static let example = CLI.repoRoot.appendingPathComponent("Fixtures/example").path
    /// Seconds from the signal to the exit. A step or an image takes well under a second here;
    /// the slack is for a CI machine busy with other suites (the runs would take minutes or more
    /// without the signal).
    static let stopBound = 15.0

    /// Every file in `dir` is a PNG that decodes (no temporaries); returns how many there are.
    static func completePNGs(in dir: String) throws -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        for name in names {
            #expect(name.hasSuffix(".png") && !name.hasPrefix("."), "unexpected file \(name)")
            #expect((try? ImageCodec.decode(path: dir + "/" + name)) != nil, "\(name) does not decode")
        }
        return names.count
    }

    @Test(arguments: [(SIGINT, Int32(130)), (SIGTERM, Int32(143))])
    func interruptedRenderKeepsOnlyCompleteImagesAndSaysHowMany(signal: Int32, status: Int32) throws {
        let dir = try CLI.makeTempDir("splat-int")
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try RenderFixture.writeModel(in: dir)
        let out = dir.appendingPathComponent("frames").path
        let bg = try BackgroundCLI(["render", model, "--scene", Self.example, "--path", "orbit", "--frames", "5000", "-o", out])
        #expect(bg.waitForStderr("render 2/5000"), "\(bg.stderrText)")
        let seconds = bg.signalAndWait(signal)
        #expect(bg.process.terminationStatus == status, "\(bg.stderrText)")
        #expect(seconds < Self.stopBound, "took \(seconds) s to stop")
        let line = bg.stderrText.split(separator: "\n").last.map(String.init) ?? ""
        let written = try Self.completePNGs(in: out)
        #expect(line == "interrupted: wrote \(written) of 5000 images to \(out)", "\(line)")
        #expect(written >= 2 && written < 5000)
    }

    @Test func interruptedInitWritesNothing() throws {
        let dir = try CLI.makeTempDir("splat-int")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("init").path
        let bg = try BackgroundCLI(["init", Self.example, "-o", out, "--num-refs", "40", "--match-size", "160"])
        #expect(bg.waitForStderr("reference 2/40"), "\(bg.stderrText)")
        let seconds = bg.signalAndWait(SIGINT)
        #expect(bg.process.terminationStatus == 130, "\(bg.stderrText)")
        #expect(seconds < Self.stopBound, "took \(seconds) s to stop")
        #expect(bg.stderrText.hasSuffix("interrupted: nothing written\n"), "\(bg.stderrText)")
        #expect(!bg.stderrText.contains("reference 40/40"))
        // Nothing was created: the output folder is made only when init.ply is written.
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(bg.stdoutText.isEmpty)
    }

    @Test func interruptedEvalKeepsCompleteSideBySides() throws {
        let dir = try CLI.makeTempDir("splat-int")
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try RenderFixture.writeModel(in: dir)
        let out = dir.appendingPathComponent("compare").path
        let bg = try BackgroundCLI(["eval", model, "--scene", Self.example, "--views", "all", "--save-renders", out])
        #expect(bg.waitForStderr("eval 2/77"), "\(bg.stderrText)")
        let seconds = bg.signalAndWait(SIGTERM)
        #expect(bg.process.terminationStatus == 143, "\(bg.stderrText)")
        #expect(seconds < Self.stopBound, "took \(seconds) s to stop")
        let written = try Self.completePNGs(in: out)
        #expect(bg.stderrText.hasSuffix("interrupted: evaluated \(written) of 77 views, renders of those in \(out); no results printed\n"),
                "\(bg.stderrText)")
        #expect(bg.stdoutText.isEmpty)
    }

    @Test func interruptedRunDuringInitWritesNoInit() throws {
        let dir = try CLI.makeTempDir("splat-int")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("run").path
        let bg = try BackgroundCLI(["run", Self.example, "-o", out, "--num-refs", "40", "--match-size", "160"])
        #expect(bg.waitForStdout("  reference 2/40"), "\(bg.stdoutText)")
        let seconds = bg.signalAndWait(SIGINT)
        #expect(bg.process.terminationStatus == 130, "\(bg.stderrText)")
        #expect(seconds < Self.stopBound, "took \(seconds) s to stop")
        #expect(bg.stderrText.hasSuffix("interrupted: init stopped, nothing written for it (init.ply is written only when complete)\n"),
                "\(bg.stderrText)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).isEmpty)
    }
}
