import Foundation

/// A small trained output folder, made once per test process: `splat optimize` for a few steps
/// on Fixtures/example at half size (SH degree 0, previews every 2 steps), and `splat render`
/// of its test views from the final model at SH degree 0.
enum TrainedFixture {
    struct Made: Sendable {
        var run: String        // output folder
        var renders: String    // splat render of the test views
        var config: String
    }

    static let scene = ViewerProcess.repoRoot.appendingPathComponent("Fixtures/example").path

    static func config(output: String, iterations: Int) -> String {
        """
        scene: \(scene)
        output: \(output)
        init: sfm
        downscale: 2
        iterations: \(iterations)
        test_interval: 2
        checkpoint_interval: 0
        preview_interval: 2
        sh_degree: 0
        """
    }

    static let made: Result<Made, ViewerTestError> = {
        do {
            let dir = try TempDir.make("splat-view-trained")
            let run = dir.appendingPathComponent("run").path, renders = dir.appendingPathComponent("renders").path
            let configPath = dir.appendingPathComponent("run.yaml").path
            try config(output: run, iterations: 4).write(toFile: configPath, atomically: true, encoding: .utf8)
            let trained = try SplatCLI.run(["optimize", "--config", configPath])
            guard trained.status == 0 else { return .failure(ViewerTestError("optimize failed: \(trained.stderr)")) }
            let rendered = try SplatCLI.run(["render", run + "/point_cloud.ply", "--scene", scene, "--downscale", "2",
                                             "--views", "test", "--sh-degree", "0", "--output", renders])
            guard rendered.status == 0 else { return .failure(ViewerTestError("render failed: \(rendered.stderr)")) }
            return .success(Made(run: run, renders: renders, config: configPath))
        } catch {
            return .failure(ViewerTestError("\(error)"))
        }
    }()
}
