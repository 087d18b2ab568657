import Foundation
import SplatCore

/// EDGS's opacity schedule: opacities shrink by a constant factor at fixed steps (the logits are
/// rewritten; Adam's moments are kept), and Gaussians that fall below a threshold are removed
/// together with their Adam moments.
enum OpacityMaintenance {
    /// opacity ← opacity · factor, in logit form. Element-wise (libm expf/logf, the same in every
    /// part), split over `threads`.
    static func decay(_ cloud: inout GaussianCloud, factor: Float, threads: Int = 1) {
        cloud.opacityLogits.withUnsafeMutableBufferPointer { b in
            guard let l = b.baseAddress else { return }
            Parallel.split(b.count, threads: threads) { range in
                for i in range {
                    let p = 1 / (1 + expf(-l[i])) * factor
                    l[i] = logf(p / (1 - p))
                }
            }
        }
    }

    /// Removes Gaussians with opacity < threshold from the cloud and the optimizer; returns how many.
    @discardableResult
    static func prune(_ state: inout TrainingState, below threshold: Float) -> Int {
        let limit = logf(threshold / (1 - threshold))   // opacity < t  ⇔  logit < logit(t)
        let keep = state.cloud.opacityLogits.map { $0 >= limit }
        let removed = keep.lazy.filter { !$0 }.count
        guard removed > 0 else { return 0 }
        state.cloud.filter(keep: keep)
        state.adam.filter(keep: keep, restCount: state.cloud.restCount)
        return removed
    }
}
