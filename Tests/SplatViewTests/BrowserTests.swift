import Foundation
import Testing
import SplatCore
import SplatIO

/// The page in a real browser (headless Chromium, software WebGL): it renders what
/// `splat render` renders, loads without console errors, plots an output folder's metrics and
/// follows a training run. Skipped only when no Chromium is installed
/// (scripts/install-deps.sh installs Debian's `chromium`).
@Suite(.serialized, .enabled(if: Chromium.isAvailable, "chromium is not installed (scripts/install-deps.sh)"))
struct BrowserTests {
    struct CameraInfo { var name: String; var split: String; var width: Int; var height: Int }

    static func cameras(port: Int) throws -> [CameraInfo] {
        let reply = try RawHTTP.get("/api/info", port: port)
        let json = try JSONSerialization.jsonObject(with: reply.body) as? [String: Any] ?? [:]
        return (json["cameras"] as? [[String: Any]] ?? []).map {
            CameraInfo(name: $0["name"] as? String ?? "", split: $0["split"] as? String ?? "",
                       width: $0["width"] as? Int ?? 0, height: $0["height"] as? Int ?? 0)
        }
    }

    static func decodeDataURL(_ value: Any?) throws -> Image8 {
        guard let text = value as? String, let comma = text.firstIndex(of: ","),
              let data = Data(base64Encoded: String(text[text.index(after: comma)...])) else {
            throw ViewerTestError("capture did not return a data URL")
        }
        return try ImageCodec.decode(data: data, name: "capture.png")
    }

    /// PSNR over RGB of two 8-bit images of the same size.
    static func psnr(_ a: Image8, _ b: Image8) -> Double {
        var sum = 0.0, n = 0
        for y in 0..<a.height { for x in 0..<a.width { for c in 0..<3 {
            let d = Double(a.pixels[(y * a.width + x) * a.channels + c]) - Double(b.pixels[(y * b.width + x) * b.channels + c])
            sum += d * d; n += 1
        }}}
        let mse = sum / Double(n) / (255 * 255)
        return mse == 0 ? 99 : 10 * log10(1 / mse)
    }

    /// The trained model; the same Gaussians shrunk 4× and made nearly opaque: sharp dots,
    /// where a half-pixel error in the projection costs many dB (the trained model is smooth;
    /// seen: 39.8 → 25.7 dB); those with random SH up to degree 3 (the worker's colours); and the
    /// sharp dots recorded as antialiased, where the page must apply the Mip-Splatting compensation
    /// (`splat render` reads the mode from the PLY, as the page does).
    @Test(arguments: ["trained", "sharpened", "sh3", "antialiased"])
    func datasetViewMatchesSplatRender(_ variant: String) throws {
        let fixture = try TrainedFixture.made.get()
        var model = fixture.run + "/point_cloud.ply", renders = fixture.renders
        let dir = try TempDir.make("splat-view-sharp")
        defer { try? FileManager.default.removeItem(at: dir) }
        let degree = variant == "sh3" ? 3 : 0
        if variant != "trained" {
            let trained = try GaussianPLY.read(path: model)
            var cloud = GaussianCloud(count: trained.count, maxSHDegree: degree)
            cloud.means = trained.means; cloud.rotations = trained.rotations; cloud.shDC = trained.shDC
            cloud.logScales = trained.logScales.map { $0 - logf(4) }
            cloud.opacityLogits = [Float](repeating: 3, count: trained.count)
            var rng = SplatRandom(seed: 11)
            for i in cloud.shRest.indices { cloud.shRest[i] = Float(rng.nextGaussian() * 0.15) }
            model = dir.appendingPathComponent("sharp.ply").path
            try GaussianPLY.write(cloud, to: model, antialiased: variant == "antialiased")
            renders = dir.appendingPathComponent("renders").path
            let r = try SplatCLI.run(["render", model, "--scene", TrainedFixture.scene, "--downscale", "2",
                                      "--views", "test", "--sh-degree", String(degree), "--output", renders])
            try #require(r.status == 0, "\(r.stderr)")
        }
        let viewer = try ViewerProcess([model, "--scene", TrainedFixture.scene])
        defer { viewer.stop() }
        // The scene is loaded at full size here (no --downscale): the page fits the camera to
        // the canvas, so a half-size window gives the half-size render's intrinsics.
        let cams = try Self.cameras(port: viewer.port)
        let test = try #require(cams.first { $0.split == "test" })
        let (w, h) = (test.width / 2, test.height / 2)
        let browser = try Chromium(width: w, height: h)
        defer { browser.quit() }
        try browser.navigate(viewer.url + "?view=\(test.name)&sh=\(degree)")
        try browser.waitFor("window.splatViewer && splatViewer.frames > 0 && splatViewer.state().count > 0", timeout: 60)
        let shot = try Self.decodeDataURL(try browser.evaluate("splatViewer.settled().then(() => splatViewer.capture())"))
        let state = try browser.evaluate("JSON.stringify(splatViewer.state())") as? String ?? ""
        let stem = (test.name as NSString).deletingPathExtension
        let reference = try ImageCodec.decode(path: renders + "/\(stem).png")
        #expect(shot.width == reference.width && shot.height == reference.height, "\(shot.width)x\(shot.height) vs \(reference.width)x\(reference.height)")
        guard shot.width == reference.width && shot.height == reference.height else { return }
        let value = Self.psnr(shot, reference)
        print("viewer vs splat render, \(variant) model, view \(test.name) \(w)x\(h), SH \(degree): PSNR \(String(format: "%.2f", value)) dB (\(state))")
        #expect(value >= 30)
        #expect(browser.collectedErrors.isEmpty, "\(browser.collectedErrors)")
        if variant == "antialiased" {
            // Without the compensation the page would match the plain render instead.
            let plainDir = dir.appendingPathComponent("plain").path
            let r = try SplatCLI.run(["render", model, "--scene", TrainedFixture.scene, "--downscale", "2", "--views", "test",
                                      "--sh-degree", "0", "--no-antialiasing", "--output", plainDir])
            try #require(r.status == 0, "\(r.stderr)")
            let plain = Self.psnr(shot, try ImageCodec.decode(path: plainDir + "/\(stem).png"))
            print("viewer (antialiased model) vs splat render --no-antialiasing: PSNR \(String(format: "%.2f", plain)) dB")
            #expect(plain < value - 5)
        }
        if let dir = ProcessInfo.processInfo.environment["SPLAT_VIEW_SHOTS"] {
            try ImageCodec.writePNG(shot, to: dir + "/viewer_\(variant)_\(stem).png")
            try ImageCodec.writePNG(reference, to: dir + "/render_\(variant)_\(stem).png")
        }
    }

    @Test func outputFolderShowsMetricsPlots() throws {
        let fixture = try TrainedFixture.made.get()
        let viewer = try ViewerProcess([fixture.run])
        defer { viewer.stop() }
        let browser = try Chromium(width: 900, height: 600)
        defer { browser.quit() }
        try browser.navigate(viewer.url)
        try browser.waitFor("window.splatViewer && splatViewer.frames > 0", timeout: 60)
        try browser.waitFor("Number(document.getElementById('plot-psnr').dataset.points) > 1 && Number(document.getElementById('plot-loss').dataset.points) > 1", timeout: 30)
        #expect(try browser.evaluate("document.getElementById('plots').hidden") as? Bool == false)
        #expect(try browser.evaluate("document.querySelectorAll('#cameras li').length") as? Int ?? 0 > 10)
        #expect(try browser.evaluate("document.querySelectorAll('#cameras .tag.test').length") as? Int ?? 0 > 0)
        #expect(browser.collectedErrors.isEmpty, "\(browser.collectedErrors)")
        if let dir = ProcessInfo.processInfo.environment["SPLAT_VIEW_SHOTS"] {
            try browser.screenshotPNG().write(to: URL(fileURLWithPath: dir + "/viewer_page.png"))
        }
    }

    @Test func followsATrainingRun() throws {
        let fixture = try TrainedFixture.made.get()
        // A copy of the finished folder, then a new run trains into it while the page is open.
        let dir = try TempDir.make("splat-view-live")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = dir.appendingPathComponent("run").path
        try FileManager.default.copyItem(atPath: fixture.run, toPath: run)
        // The copy's times follow the copy order; make the final model the newest file, as at
        // the end of a run, so the page starts on it.
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(1)], ofItemAtPath: run + "/point_cloud.ply")
        let viewer = try ViewerProcess([run])
        defer { viewer.stop() }
        let browser = try Chromium(width: 640, height: 480)
        defer { browser.quit() }
        try browser.navigate(viewer.url)
        try browser.waitFor("window.splatViewer && splatViewer.frames > 0 && splatViewer.state().kind === 'final'", timeout: 60)
        let configPath = dir.appendingPathComponent("run.yaml").path
        // Far more steps than the test waits for: the run is stopped with SIGINT once the page
        // has followed it. A short run could write its final model before a slow page (two
        // busy cores, software WebGL) ever loaded a preview, and the page would rightly skip it.
        try TrainedFixture.config(output: run, iterations: 1_000_000).write(toFile: configPath, atomically: true, encoding: .utf8)
        let trainer = Process()
        trainer.executableURL = ViewerProcess.executable
        trainer.arguments = ["optimize", "--config", configPath]
        trainer.standardOutput = FileHandle.nullDevice
        trainer.standardError = FileHandle.nullDevice
        try trainer.run()
        defer { if trainer.isRunning { trainer.terminate() }; trainer.waitUntilExit() }
        // The page must show a training preview (not only the final model at the end) and pick
        // up the rewritten metrics, without a reload.
        let before = try browser.evaluate("splatViewer.history.length") as? Int ?? 0
        try browser.waitFor("splatViewer.history.slice(\(before)).some((h) => h.startsWith('preview:'))", timeout: 120)
        try browser.waitFor("splatViewer.metricsLoads > 1", timeout: 60)
        #expect(trainer.isRunning, "the run ended before the page followed it")
        trainer.interrupt()
        trainer.waitUntilExit()
        #expect(trainer.terminationStatus == 130, "SIGINT stops training with a checkpoint")
        #expect(try browser.evaluate("performance.getEntriesByType('navigation').length") as? Int == 1, "no reload")
        #expect(browser.collectedErrors.isEmpty, "\(browser.collectedErrors)")
    }
}
