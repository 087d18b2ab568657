import Foundation
import SplatCore
import SplatIO
import SplatRender
import SplatTrain
import Testing

@Suite struct EvalCLITests {
    struct Score: Decodable { var name: String; var psnr: Double; var ssim: Double }
    struct Report: Decodable { var gaussians: Int; var views: [Score]; var meanPSNR: Double; var meanSSIM: Double }

    @Test func jsonScoresAreTheMetricsOfTheRenderedTestViews() throws {
        let dir = try CLI.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try RenderFixture.writeModel(in: dir)
        let r = try CLI.run(["eval", model, "--scene", RenderFixture.scene, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(r.stdout.utf8))
        let scene = try SceneLoader.load(RenderFixture.scene)
        #expect(report.views.map(\.name) == scene.testCameras.map(\.name))
        let cloud = try GaussianPLY.read(path: model)
        #expect(report.gaussians == cloud.count)
        for (score, camera) in zip(report.views, scene.testCameras) {
            let render = Rasterizer().forward(cloud, camera: camera, settings: RenderSettings(background: scene.background)).image
            let truth = ImageF(try SceneImages.loadRGB(camera, background: scene.background))
            #expect(abs(score.psnr - ImageMetrics.psnr(render, truth)) < 1e-9)
            #expect(abs(score.ssim - ImageMetrics.ssim(render, truth)) < 1e-9)
            #expect(score.psnr > 5 && score.psnr < 60 && score.ssim > 0 && score.ssim < 1)
        }
        #expect(abs(report.meanPSNR - report.views.map(\.psnr).reduce(0, +) / Double(report.views.count)) < 1e-9)
    }

    /// Photos larger than --max-resolution are scored at the size training would have used:
    /// the same notice, the same extra downscale (here 2, so the scores equal --downscale 2's).
    @Test func maxResolutionScoresAtTheTrainingSize() throws {
        let dir = try CLI.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try RenderFixture.writeModel(in: dir)
        let scene = try SceneLoader.load(RenderFixture.scene)
        let side = scene.cameras.map { max($0.width, $0.height) }.max()!
        let limited = try CLI.run(["eval", model, "--scene", RenderFixture.scene, "--json", "--max-resolution", "\(side - 1)"])
        #expect(limited.status == 0 && limited.stderr.contains("exceed max_resolution \(side - 1)"), "\(limited.stderr)")
        let halved = try CLI.run(["eval", model, "--scene", RenderFixture.scene, "--json", "--downscale", "2"])
        let a = try JSONDecoder().decode(Report.self, from: Data(limited.stdout.utf8))
        let b = try JSONDecoder().decode(Report.self, from: Data(halved.stdout.utf8))
        #expect(a.meanPSNR == b.meanPSNR && a.meanSSIM == b.meanSSIM)
        let full = try JSONDecoder().decode(Report.self, from: Data(try CLI.run(["eval", model, "--scene", RenderFixture.scene, "--json"]).stdout.utf8))
        #expect(full.meanPSNR != a.meanPSNR)
    }

    @Test func savedRendersAreRenderBesideGroundTruthAndTheTableHasAMeanRow() throws {
        let dir = try CLI.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try RenderFixture.writeModel(in: dir)
        let saved = dir.appendingPathComponent("side").path
        let r = try CLI.run(["eval", model, "--scene", RenderFixture.scene, "--views", "train", "--save-renders", saved])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("view") == true && lines.contains { $0.hasPrefix("mean") })
        #expect(lines.last == "3 view(s), 150 Gaussians")
        let scene = try SceneLoader.load(RenderFixture.scene)
        let cloud = try GaussianPLY.read(path: model)
        for camera in scene.trainCameras {
            let side = try ImageCodec.decode(path: saved + "/" + (camera.name as NSString).deletingPathExtension + ".png")
            #expect(side.width == 2 * camera.width && side.height == camera.height)
            let render = Rasterizer().forward(cloud, camera: camera, settings: RenderSettings(background: scene.background)).image.toImage8()
            let truth = try SceneImages.loadRGB(camera, background: scene.background)
            let w = camera.width
            for y in [0, camera.height / 2, camera.height - 1] {
                let row = Array(side.pixels[(y * 2 * w) * 3..<(y * 2 * w + 2 * w) * 3])
                #expect(Array(row[0..<w * 3]) == Array(render.pixels[y * w * 3..<(y + 1) * w * 3]))
                #expect(Array(row[w * 3..<2 * w * 3]) == Array(truth.pixels[y * w * 3..<(y + 1) * w * 3]))
            }
        }
    }

    @Test func badViewsAndOptionsAreReported() throws {
        let dir = try CLI.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try RenderFixture.writeModel(in: dir)
        let r1 = try CLI.run(["eval", model, "--scene", RenderFixture.scene, "--views", "nosuch"])
        #expect(r1.status == 1 && r1.stderr.contains("no view named 'nosuch'"), "\(r1.stderr)")
        let r2 = try CLI.run(["eval", model, "--scene", RenderFixture.scene, "--sh-degree", "7"])
        #expect(r2.status == 64 && r2.stderr.contains("--sh-degree must be 0, 1, 2 or 3"), "\(r2.stderr)")
        let r3 = try CLI.run(["eval", model, "--scene", RenderFixture.scene, "--save-renders", model])
        #expect(r3.status == 64 && r3.stderr.contains("exists and is not a directory"), "\(r3.stderr)")
        let r4 = try CLI.run(["eval", dir.appendingPathComponent("none.ply").path, "--scene", RenderFixture.scene])
        #expect(r4.status == 64 && r4.stderr.contains("does not exist"), "\(r4.stderr)")
    }
}
