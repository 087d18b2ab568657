import Foundation
import SplatCore

/// The 3DGS training loss L = (1 − λ)·L1 + λ·(1 − SSIM) on the rendered image (unclamped)
/// against the target, with dL/d(rendered) for the rasterizer's backward pass. Both terms and
/// the gradient come from one fused pass of the SSIM evaluator (SSIM.swift); the target may be
/// the cached 8-bit photo itself, read as byte/255 row by row.
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
        evaluate(rendered: rendered, target: .float(target), width: width, height: height, gradient: gradient)
    }

    /// The same against an 8-bit target ([H*W*3] bytes, value/255), with no Float copy of it.
    public func evaluate(rendered: UnsafeBufferPointer<Float>, target8 target: UnsafeBufferPointer<UInt8>,
                         width: Int, height: Int, gradient: UnsafeMutableBufferPointer<Float>) -> Value {
        evaluate(rendered: rendered, target: .bytes(target), width: width, height: height, gradient: gradient)
    }

    func evaluate(rendered: UnsafeBufferPointer<Float>, target: SSIMEvaluator.Target,
                  width: Int, height: Int, gradient: UnsafeMutableBufferPointer<Float>) -> Value {
        let n = rendered.count
        precondition(target.count == n && gradient.count == n && n == width * height * 3)
        let lam = lambdaDSSIM
        let s: Double, l1: Double
        if lam == 0 {
            s = 1
            l1 = Self.l1Only(rendered, target, gradient: gradient, threads: ssim.threadCount)
        } else {
            // gradient = −λ·∂SSIM/∂x + (1 − λ)·∂L1/∂x, as one pass.
            (s, l1) = ssim.evaluateWithL1(rendered, target: target, width: width, height: height, gradient: gradient,
                                          ssimGradientScale: -lam, l1GradientScale: 1 - lam)
        }
        return Value(loss: Double(1 - lam) * l1 + Double(lam) * (1 - s), l1: l1, ssim: s)
    }

    /// λ = 0: mean |x − t| and its gradient sign(x − t)/N alone.
    static func l1Only(_ rendered: UnsafeBufferPointer<Float>, _ target: SSIMEvaluator.Target,
                       gradient: UnsafeMutableBufferPointer<Float>, threads: Int) -> Double {
        let n = rendered.count
        guard n > 0 else { return 0 }
        let k = 1 / Float(n)
        let r = rendered.baseAddress!, g = gradient.baseAddress!
        let sum = Parallel.sum(n, threads: threads) { range in
            var acc: Double = 0
            for i in range {
                let t: Float
                switch target {
                case .float(let b): t = b[i]
                case .bytes(let b): t = Float(b[i]) * (1 / 255)
                }
                let d = r[i] - t
                acc += Double(abs(d))
                g[i] = d > 0 ? k : (d < 0 ? -k : 0)
            }
            return acc
        }
        return sum / Double(n)
    }
}
