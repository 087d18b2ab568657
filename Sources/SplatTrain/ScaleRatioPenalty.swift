import Foundation
import SplatCore

/// A penalty on over-stretched Gaussians (PhysGaussian's anisotropy term; nerfstudio's
/// splatfacto has it as `use_scale_regularization`): L = weight · mean over Gaussians of
/// max(s_max / s_other − maxRatio, 0), where s are a Gaussian's three scales and s_other is the
/// shortest (PhysGaussian: needles and flat discs alike) or the middle one (needles only: a
/// flat disc on a surface keeps its thinness). Without densification a thin edge in the train
/// photos is often fitted by a few long splats; seen from nearer or from the side they show as
/// streaks. Only Gaussians beyond the ratio feel it.
///
/// With log scales l, s_max / s_other = e^(l_max − l_other) = ρ, so dL/dl_max = weight·ρ/N and
/// dL/dl_other = −weight·ρ/N (where axes tie, one of them takes it: a valid subgradient).
public enum ScaleRatioPenalty {
    public enum Against: String, Sendable, CaseIterable {
        case shortest, middle
    }

    /// Adds dL/d(log scales) to `gradient` (3 floats per Gaussian, the layout of
    /// `GaussianCloud.logScales`) and returns L. Splits the Gaussians over `threads`; each
    /// writes only its own rows, so the gradient has the same bits at any thread count (L, a
    /// sum of per-thread partial sums, may differ in its last bits).
    @discardableResult
    public static func addGradient(logScales: [Float], against: Against = .shortest, maxRatio: Float, weight: Float,
                                   into gradient: inout [Float], threads: Int = 1) -> Double {
        precondition(logScales.count == gradient.count && logScales.count % 3 == 0)
        let n = logScales.count / 3
        guard n > 0, weight > 0 else { return 0 }
        let perGaussian = weight / Float(n), middle = against == .middle
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
                        if hi == lo { continue }   // a sphere
                        // The three indices sum to 3b + 3, so the middle one is what is left.
                        let other = middle ? 3 &* b &+ 3 &- hi &- lo : lo
                        let ratio = expf(l[hi] - l[other])
                        guard ratio > maxRatio else { continue }
                        sum += Double(ratio - maxRatio)
                        g[hi] += perGaussian * ratio
                        g[other] -= perGaussian * ratio
                    }
                    return sum
                }
                return Double(weight) * total / Double(n)
            }
        }
    }
}
