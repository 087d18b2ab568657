import Foundation
import SplatTrain
import Testing

/// `splat run --resume` continues training from <output>/checkpoint.bin and then does the
/// later stages; a run stopped by SIGINT says how to continue and exits 130; the orbit stage.
@Suite struct RunResumeCLITests {
    static let example = CLI.repoRoot.appendingPathComponent("Fixtures/example").path
    static let quick = RunCLITests.quick

    @Test func resumeContinuesTrainingFromTheCheckpointThenRendersAndEvaluates() throws {
        let dir = try CLI.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("run").path
        let r1 = try CLI.run(["run", Self.example, "-o", out, "--iterations", "6", "--downscale", "4"] + Self.quick)
        #expect(r1.status == 0, "\(r1.stderr)")
        #expect(try Checkpoint.read(path: out + "/checkpoint.bin").step == 6)
        let r2 = try CLI.run(["run", Self.example, "-o", out, "--iterations", "10", "--resume", "--downscale", "4"] + Self.quick)
        #expect(r2.status == 0, "\(r2.stderr)")
        #expect(r2.stdout.contains("init: skipped, resuming training from \(out)/checkpoint.bin"), "\(r2.stdout)")
        #expect(r2.stdout.contains("optimize: resuming, 10 steps"))
        // It went on from step 6: no step-0 evaluation, and the later stages ran again.
        #expect(!r2.stdout.contains("[step 0] test") && r2.stdout.contains("render/eval: 10 test views") && r2.stdout.contains("orbit: 3 frames"))
        let metrics = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/metrics.json"))) as! [String: Any]
        #expect(metrics["steps"] as? Int == 10)
        #expect(try Checkpoint.read(path: out + "/checkpoint.bin").step == 10)

        // The antialiasing mode cannot change on resume: a clear error, the checkpoint untouched.
        let before = try Data(contentsOf: URL(fileURLWithPath: out + "/checkpoint.bin"))
        let r3 = try CLI.run(["run", Self.example, "-o", out, "--iterations", "12", "--resume", "--downscale", "4", "--antialiasing"] + Self.quick)
        #expect(r3.status == 1)
        #expect(r3.stderr == "error: \(out)/checkpoint.bin: trained without antialiasing (\(out)/config.yaml); resume it without antialiasing too\n",
                "\(r3.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/checkpoint.bin")) == before)
    }

    @Test func resumeWithoutACheckpointFailsAndCreatesNothing() throws {
        let dir = try CLI.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("run").path
        let r = try CLI.run(["run", Self.example, "-o", out, "--resume"])
        #expect(r.status == 1)
        #expect(r.stderr == "error: \(out)/checkpoint.bin: no checkpoint to resume from\n")
        #expect(!FileManager.default.fileExists(atPath: out))
        let both = try CLI.run(["run", Self.example, "-o", out, "--resume", "--force"])
        #expect(both.status == 64 && both.stderr.contains("--resume continues a run and --force redoes it"))
    }

    @Test func sigintDuringTrainingSaysHowToContinueAndResumeFinishes() throws {
        let dir = try CLI.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("run").path
        let bg = try BackgroundCLI(["run", Self.example, "-o", out, "--iterations", "1000000", "--downscale", "4"] + Self.quick)
        #expect(bg.waitForStdout("initial cloud:"), "\(bg.stdoutText) \(bg.stderrText)")
        let seconds = bg.signalAndWait(SIGINT)
        #expect(bg.process.terminationStatus == 130, "\(bg.stderrText)")
        #expect(seconds < InterruptCLITests.stopBound, "took \(seconds) s to stop")
        let last = bg.stderrText.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.hasPrefix("interrupted: training stopped at step ") && last.hasSuffix("continue with: splat run \(Self.example) --output \(out) --resume"), "\(last)")
        let step = try Checkpoint.read(path: out + "/checkpoint.bin").step
        #expect(last.contains("step \(step) with a checkpoint"))
        #expect(!FileManager.default.fileExists(atPath: out + "/point_cloud.ply") && !FileManager.default.fileExists(atPath: out + "/eval.json"))

        let r = try CLI.run(["run", Self.example, "-o", out, "--resume", "--iterations", "\(step + 2)", "--downscale", "4"] + Self.quick)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try Checkpoint.read(path: out + "/checkpoint.bin").step == step + 2)
        #expect(FileManager.default.fileExists(atPath: out + "/eval.json") && FileManager.default.fileExists(atPath: out + "/orbit/frame_0002.png"))
    }

    @Test func orbitStageIsSkippedWhenItsFramesExistAndRedoneWhenOneIsMissing() throws {
        let dir = try CLI.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("run").path
        let args = ["run", Self.example, "-o", out, "--iterations", "2", "--downscale", "4"] + Self.quick
        let r1 = try CLI.run(args)
        #expect(r1.status == 0, "\(r1.stderr)")
        #expect(r1.stdout.contains("orbit: 3 frames (50x37) rendered to \(out)/orbit"), "\(r1.stdout)")
        try FileManager.default.removeItem(atPath: out + "/orbit/frame_0001.png")
        let r2 = try CLI.run(args)
        #expect(r2.stdout.contains("render/eval: skipped") && r2.stdout.contains("orbit: 3 frames"), "\(r2.stdout)")
        let r3 = try CLI.run(args)
        #expect(r3.stdout.contains("orbit: skipped, the 3 frames in \(out)/orbit exist"), "\(r3.stdout)")
        let r4 = try CLI.run(args.dropLast(2) + ["--orbit-frames", "0"])
        #expect(r4.stdout.contains("orbit: skipped (--orbit-frames 0)"), "\(r4.stdout)")
    }
}
