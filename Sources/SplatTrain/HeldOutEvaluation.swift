import Foundation
import SplatCore

/// PSNR and SSIM of one rendered view against its photo (both clamped to [0, 1]): the one
/// definition used by training's held-out evaluation, `splat eval` and `splat run`.
public struct ViewScore: Codable, Sendable, Equatable {
    public var name: String
    public var psnr: Double
    public var ssim: Double

    public init(name: String, psnr: Double, ssim: Double) {
        self.name = name; self.psnr = psnr; self.ssim = ssim
    }

    public init(name: String, render: ImageF, truth: ImageF, evaluator: SSIMEvaluator? = nil) {
        self.init(name: name, psnr: ImageMetrics.psnr(render, truth), ssim: ImageMetrics.ssim(render, truth, evaluator: evaluator))
    }

    /// Means over views as 3DGS reports them (the mean of per-view values); nil for no views.
    public static func means(_ scores: [ViewScore]) -> (psnr: Double, ssim: Double)? {
        guard !scores.isEmpty else { return nil }
        let n = Double(scores.count)
        return (scores.reduce(0) { $0 + $1.psnr } / n, scores.reduce(0) { $0 + $1.ssim } / n)
    }
}

/// The JSON of `splat eval --json` and `splat run`'s eval.json.
public struct EvalReport: Codable, Sendable {
    public var model: String
    public var scene: String
    public var gaussians: Int
    public var views: [ViewScore]
    public var meanPSNR: Double
    public var meanSSIM: Double

    public init(model: String, scene: String, gaussians: Int, views: [ViewScore]) {
        self.model = model; self.scene = scene; self.gaussians = gaussians; self.views = views
        let m = ViewScore.means(views) ?? (.nan, .nan)
        meanPSNR = m.psnr; meanSSIM = m.ssim
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        // PSNR of identical images is +inf, which JSON cannot hold.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(self)
    }
}
