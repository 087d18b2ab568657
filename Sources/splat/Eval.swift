import ArgumentParser
import Foundation
import SplatCore
import SplatIO
import SplatRender
import SplatTrain

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Render the held-out views and compare them with the images (PSNR, SSIM).",
        discussion: """
            PSNR and SSIM (11x11 Gaussian window, sigma 1.5, zero padding, as 3DGS) are computed \
            on the float render clamped to [0, 1] against the 8-bit image composited on the \
            background; the mean is over views. --save-renders writes <name>.png with the \
            render on the left and the ground truth on the right.
            """)

    @Argument(help: "Model to evaluate: Gaussian PLY (3DGS layout), .spz or .splat.")
    var model: String

    @OptionGroup var scene: SceneViewOptions

    @Flag(help: "Print the results as JSON instead of a table.")
    var json = false

    @Option(help: "Directory for side-by-side render | ground-truth PNGs (created if missing).")
    var saveRenders: String?

    func validate() throws {
        try scene.validateCommon()
        try CLIChecks.requireFile(model, what: "model")
        if let saveRenders { try OutputDirectory.validate(saveRenders) }
    }

    func run() throws {
        let cloud = try Export.readModel(path: model)
        let loaded = try scene.load()
        let cameras = try scene.selectedCameras(loaded)
        let background = scene.background(for: loaded)
        let settings = RenderSettings(background: background, shDegree: scene.shDegree ?? 3,
                                      antialiased: try scene.antialiased(model: model))
        try MemoryBudget.require(MemoryCheck.rendering(cloud, cameras: cameras), for: model, advice: "try --downscale 2")
        StopSignal.install()
        if let saveRenders { try OutputDirectory.create(saveRenders) }
        let rasterizer = Rasterizer()
        var scores = [ViewScore]()
        let stems = OutputDirectory.stems(for: cameras.map(\.name))
        for (index, camera) in cameras.enumerated() {
            if StopSignal.isRequested {
                Progress.line("interrupted: evaluated \(index) of \(cameras.count) views"
                              + (saveRenders.map { ", renders of those in \($0)" } ?? "") + "; no results printed")
                throw ExitCode(StopSignal.exitStatus)
            }
            let truth8 = try SceneImages.loadRGB(camera, background: background)
            let render = rasterizer.forward(cloud, camera: camera, settings: settings).image
            let truth = ImageF(truth8)
            let score = ViewScore(name: camera.name, render: render, truth: truth)
            scores.append(score)
            if let saveRenders {
                try ImageCodec.writePNG(sideBySide(render.toImage8(), truth8), to: "\(saveRenders)/\(stems[index]).png")
            }
            Progress.line("eval \(index + 1)/\(cameras.count) \(camera.name) PSNR \(fixed(score.psnr, 2)) SSIM \(fixed(score.ssim, 4))")
        }
        let report = EvalReport(model: model, scene: scene.scene, gaussians: cloud.count, views: scores)
        if json {
            print(String(decoding: try report.encoded(), as: UTF8.self))
        } else {
            let width = max(4, scores.map(\.name.count).max() ?? 0)
            func row(_ name: String, _ p: String, _ s: String) -> String {
                name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + String(repeating: " ", count: max(0, 8 - p.count)) + p
                    + "  " + String(repeating: " ", count: max(0, 6 - s.count)) + s
            }
            print(row("view", "PSNR", "SSIM"))
            for s in scores { print(row(s.name, fixed(s.psnr, 2), fixed(s.ssim, 4))) }
            print(row("mean", fixed(report.meanPSNR, 2), fixed(report.meanSSIM, 4)))
            print("\(scores.count) view(s), \(cloud.count) Gaussians")
        }
    }

    func fixed(_ v: Double, _ digits: Int) -> String { v.isFinite ? String(format: "%.\(digits)f", v) : "\(v)" }

    /// Render on the left, ground truth on the right, same height.
    func sideBySide(_ left: Image8, _ right: Image8) -> Image8 {
        let w = left.width, h = left.height
        var out = Image8(width: 2 * w, height: h, channels: 3)
        for y in 0..<h {
            for x in 0..<(w * 3) {
                out.pixels[(y * 2 * w) * 3 + x] = left.pixels[(y * w) * 3 + x]
                out.pixels[(y * 2 * w + w) * 3 + x] = right.pixels[(y * w) * 3 + x]
            }
        }
        return out
    }
}
