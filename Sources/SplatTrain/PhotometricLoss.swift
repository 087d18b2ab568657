import Foundation
import SplatCore

/// The 3DGS training loss L = (1 − λ)·L1 + λ·(1 − SSIM) on the rendered image (unclamped)
/// against the target, with dL/d(rendered) for the rasterizer's backward pass.
public final class PhotometricLoss: @unchecked Sendable {
    public struct Value: Sendable, Equatable {
        public var loss: Double
        public var l1: Double
        public var ssim: Double
    }

    public let lambdaDSSIM: Float
    private let ssim: SSIMEvaluator

    public init(lambdaDSSIM: Float = 0.2, threadCount: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.lambdaDSSIM = lambdaDSSIM
        ssim = SSIMEvaluator(threadCount: threadCount)
    }

    /// Loss of `rendered` against `target` ([H*W*3] each); writes dL/d(rendered) into `gradient`.
    public func evaluate(rendered: UnsafeBufferPointer<Float>, target: UnsafeBufferPointer<Float>,
                         width: Int, height: Int, gradient: UnsafeMutableBufferPointer<Float>) -> Value {
        let n = rendered.count
        precondition(target.count == n && gradient.count == n && n == width * height * 3)
        let lam = lambdaDSSIM
        // SSIM first: it writes −λ·∂SSIM/∂x, to which the L1 term is added below.
        let s = lam == 0 ? 1 : ssim.evaluate(rendered, target, width: width, height: height,
                                            gradient: gradient, gradientScale: -lam)
        if lam == 0 { gradient.update(repeating: 0) }
        let k = (1 - lam) / Float(max(n, 1))
        let r = rendered.baseAddress!, t = target.baseAddress!, g = gradient.baseAddress!
        let l1Sum = Parallel.sum(n, threads: ssim.threadCount) { range in
            let lo = range.lowerBound
            var acc: Double = 0, part: Float = 0
            for i in range {
                let d = r[i] - t[i]
                part += abs(d)
                // sign(0) = 0, as torch.abs's gradient.
                g[i] += d > 0 ? k : (d < 0 ? -k : 0)
                if (i - lo) & 1023 == 1023 { acc += Double(part); part = 0 }
            }
            return acc + Double(part)
        }
        let l1 = l1Sum / Double(max(n, 1))
        return Value(loss: Double(1 - lam) * l1 + Double(lam) * (1 - s), l1: l1, ssim: s)
    }
}
