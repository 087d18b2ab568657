import Foundation
import SplatCore

/// A penalty on needle-like Gaussians (PhysGaussian's anisotropy term; nerfstudio's splatfacto
/// has it as `use_scale_regularization`): L = weight · mean over Gaussians of
/// max(s_max / s_min − maxRatio, 0), where s are a Gaussian's three scales. Without
/// densification a thin edge in the train photos is often fitted by a few long splats; seen from
/// nearer or from the side they show as streaks. Only Gaussians beyond the ratio feel it.
///
/// With log scales l, s_max / s_min = e^(l_max − l_min) = ρ, so dL/dl_max = weight·ρ/N and
/// dL/dl_min = −weight·ρ/N (the first axis wins a tie, a valid subgradient).
public enum ScaleRatioPenalty {
    /// Adds dL/d(log scales) to `gradient` (3 floats per Gaussian, the layout of
    /// `GaussianCloud.logScales`) and returns L. Splits the Gaussians over `threads`; each
    /// writes only its own rows, so the gradient has the same bits at any thread count (L, a
    /// sum of per-thread partial sums, may differ in its last bits).
    @discardableResult
    public static func addGradient(logScales: [Float], maxRatio: Float, weight: Float,
                                   into gradient: inout [Float], threads: Int = 1) -> Double {
        precondition(logScales.count == gradient.count && logScales.count % 3 == 0)
        let n = logScales.count / 3
        guard n > 0, weight > 0 else { return 0 }
        let perGaussian = weight / Float(n)
        return logScales.withUnsafeBufferPointer { lp in
            gradient.withUnsafeMutableBufferPointer { gp in
                let l = lp.baseAddress!, g = gp.baseAddress!
                let total = Parallel.sum(n, threads: threads) { range -> Double in
                    var sum = 0.0
                    for i in range {
                        let b = 3 &* i
                        var hi = b, lo = b
                        for k in (b + 1)..<(b + 3) {
                            if l[k] > l[hi] { hi = k }
                            if l[k] < l[lo] { lo = k }
                        }
                        let ratio = expf(l[hi] - l[lo])
                        guard ratio > maxRatio else { continue }
                        sum += Double(ratio - maxRatio)
                        g[hi] += perGaussian * ratio
                        g[lo] -= perGaussian * ratio
                    }
                    return sum
                }
                return Double(weight) * total / Double(n)
            }
        }
    }
}
