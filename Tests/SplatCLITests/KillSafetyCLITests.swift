import Foundation
import SplatCore
import SplatIO
import SplatTrain
import Testing

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
            // Let it reach training (a first checkpoint, or a resumed one), then a random extra
            // 0-0.6 s so that kills land in steps, evaluations and file writes alike.
            let checkpoint = out.appendingPathComponent("checkpoint.bin").path
            var polls = 0
            while p.isRunning && !FileManager.default.fileExists(atPath: checkpoint) && polls < 6000 {
                usleep(5_000); polls += 1
            }
            usleep(UInt32(rng.nextFloat() * 600_000))
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            let step = try Self.validateOutput(out, round: round)
            if let step, let lastStep { #expect(step >= lastStep, "checkpoint went back from \(lastStep) to \(step)") }
            lastStep = step ?? lastStep
        }
        // Finish the run from the last checkpoint.
        let r = try CLI.run(["optimize", "--config", config] + (lastStep != nil ? ["--resume"] : []), cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try Self.validateOutput(out, round: 4) == Self.iterations)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("metrics.json"))) as? [String: Any]
        #expect(json?["steps"] as? Int == Self.iterations)
        // A resumed run evaluates no step-0 model: it went on from the checkpoint.
        if lastStep != nil { #expect(!r.stdout.contains("[step 0] test"), "\(r.stdout)") }
    }
}
