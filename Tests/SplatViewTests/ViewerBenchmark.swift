import Foundation
import Testing

/// Figures for docs/commands.md (`splat view`), not a pass/fail speed target: runs only when
/// SPLAT_VIEW_BENCH names a model, and prints how long the page took to show it and the frame
/// and sort times at 1280×720 in headless Chromium (software WebGL, SwiftShader, on the CPU).
///   SPLAT_VIEW_BENCH=model.ply swift test --skip-build --filter ViewerBenchmark
/// SPLAT_VIEW_BENCH_SCENE adds --scene, SPLAT_VIEW_BENCH_VIEW opens at that camera, and
/// SPLAT_VIEW_SHOTS=<dir> saves a screenshot of the page there (docs/images/splat-view.png).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["SPLAT_VIEW_BENCH"] != nil && Chromium.isAvailable))
struct ViewerBenchmark {
    @Test func loadAndFrameTime() throws {
        let model = ProcessInfo.processInfo.environment["SPLAT_VIEW_BENCH"]!
        let started = Date()
        let env = ProcessInfo.processInfo.environment
        let viewer = try ViewerProcess([model] + (env["SPLAT_VIEW_BENCH_SCENE"].map { ["--scene", $0] } ?? []), timeout: 300)
        defer { viewer.stop() }
        let serverReady = Date().timeIntervalSince(started)
        let browser = try Chromium(width: 1280, height: 720)
        defer { browser.quit() }
        let navigated = Date()
        try browser.navigate(viewer.url + (env["SPLAT_VIEW_BENCH_VIEW"].map { "?view=\($0)" } ?? ""))
        try browser.waitFor("window.splatViewer && splatViewer.firstFrameMs !== undefined", timeout: 300)
        let shown = Date().timeIntervalSince(navigated)
        let state = try browser.evaluate("JSON.stringify(splatViewer.state())") as? String ?? ""
        print("splat view \(model): first frame after \(String(format: "%.2f", shown)) s; \(state)")
        let degree0 = try browser.evaluate("splatViewer.benchmark(3)", timeout: 600) as? Double ?? -1
        print(String(format: "splat view %@: server up after %.2f s; page shows the first frame %.2f s after navigation; frame %.1f ms at 1280x720 (SwiftShader); %@",
                     model, serverReady, shown, degree0, state))
        if let dir = env["SPLAT_VIEW_SHOTS"] {
            try browser.screenshotPNG().write(to: URL(fileURLWithPath: dir + "/bench.png"))
        }
        #expect(browser.collectedErrors.isEmpty, "\(browser.collectedErrors)")
    }
}
