import Foundation
import SplatCore

/// Evaluation metrics on images clamped to [0, 1], as 3DGS reports them.
public enum ImageMetrics {
    /// 10·log10(1 / MSE) over all pixels and channels (+∞ for identical images).
    public static func psnr(_ a: ImageF, _ b: ImageF) -> Double {
        precondition(a.width == b.width && a.height == b.height)
        var se: Double = 0
        a.pixels.withUnsafeBufferPointer { pa in
            b.pixels.withUnsafeBufferPointer { pb in
                var rowSum: Float = 0
                for i in 0..<pa.count {
                    let d = min(max(pa[i], 0), 1) - min(max(pb[i], 0), 1)
                    rowSum += d * d
                    if i & 1023 == 1023 { se += Double(rowSum); rowSum = 0 }
                }
                se += Double(rowSum)
            }
        }
        let mse = se / Double(max(1, a.pixels.count))
        return mse == 0 ? .infinity : 10 * log10(1 / mse)
    }

    /// 3DGS SSIM: 11×11 Gaussian window σ 1.5, zero padding, mean over all pixels and channels.
    public static func ssim(_ a: ImageF, _ b: ImageF, evaluator: SSIMEvaluator? = nil) -> Double {
        precondition(a.width == b.width && a.height == b.height)
        let ca = a.pixels.map { min(max($0, 0), 1) }, cb = b.pixels.map { min(max($0, 0), 1) }
        let e = evaluator ?? SSIMEvaluator()
        return ca.withUnsafeBufferPointer { pa in
            cb.withUnsafeBufferPointer { pb in e.evaluate(pa, pb, width: a.width, height: a.height) }
        }
    }
}
