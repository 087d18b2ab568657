import Foundation
import SplatCore
@testable import SplatTrain

/// The SSIM evaluator as it was before the fused one (commit 62614d5): planar, five filtered
/// maps per channel through `GaussianFilter`, kept as the judge that the fused evaluator's maps
/// and gradients are the same bit for bit.
/// Structural similarity (old implementation): exactly as 3DGS computes it (`utils/loss_utils.py`): per channel, an
/// 11×11 Gaussian window (σ 1.5) with zero padding, C1 = 0.01², C2 = 0.03², and the mean of the
/// SSIM map over all pixels and channels. Optionally also dSSIM/d(first image), derived
/// analytically:
///
///   s = A1·A2 / (B1·B2),  A1 = 2μxμy + C1, A2 = 2(Exy − μxμy) + C2,
///                         B1 = μx² + μy² + C1, B2 = (Exx − μx²) + (Eyy − μy²) + C2,
///   ∂s/∂μx = 2μy(A2 − A1)/(B1B2) − 2μx·s·(1/B1 − 1/B2),  ∂s/∂Exy = 2A1/(B1B2),  ∂s/∂Exx = −s/B2,
///
/// and since μx = G∗x, Exx = G∗x², Exy = G∗(xy) with a symmetric G (its own transpose):
///   ∂S/∂x = (G∗∂s/∂μx + 2x·G∗∂s/∂Exx + y·G∗∂s/∂Exy) / N.
///
/// Buffers are kept between calls (one evaluator per training loop), so a step allocates nothing.
/// Work is split statically over `threadCount` workers, so results do not depend on scheduling.
final class PlanarSSIMReference: @unchecked Sendable {
    static let c1: Float = 0.01 * 0.01
    static let c2: Float = 0.03 * 0.03

    let filter = GaussianFilter()
    let threadCount: Int
    private var planeSize = 0
    /// One allocation owned by the evaluator (so pointers into it stay valid for the whole call,
    /// unlike an array's `withUnsafe…` base address outside its closure): planar [3][H*W] inputs
    /// x, y and the five filtered maps (reused for gradients), then per worker a product plane and
    /// a horizontal-pass plane.
    private var storage: UnsafeMutablePointer<Float>?

    init(threadCount: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.threadCount = max(1, threadCount)
    }

    deinit { storage?.deallocate() }

    private func reserve(_ p: Int) -> UnsafeMutablePointer<Float> {
        if p != planeSize || storage == nil {
            storage?.deallocate()
            let count = 7 * 3 * p + 2 * p * threadCount
            let s = UnsafeMutablePointer<Float>.allocate(capacity: count)
            s.initialize(repeating: 0, count: count)
            storage = s; planeSize = p
        }
        return storage!
    }

    /// Mean SSIM of `a` against `b`, both [H*W*3] interleaved RGB. With `gradient`, writes
    /// `gradientScale · ∂SSIM/∂a` into it ([H*W*3], interleaved).
    func evaluate(_ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>, width w: Int, height h: Int,
                         gradient: UnsafeMutableBufferPointer<Float>? = nil, gradientScale: Float = 1) -> Double {
        let p = w * h
        precondition(a.count == 3 * p && b.count == 3 * p && (gradient?.count ?? 3 * p) == 3 * p)
        if p == 0 { return 1 }
        let base = reserve(p)
        let threads = threadCount, f = filter
        let px = base, py = base + 3 * p, pmx = base + 6 * p, pmy = base + 9 * p
        let pxx = base + 12 * p, pyy = base + 15 * p, pxy = base + 18 * p, ps = base + 21 * p
        let ia = a.baseAddress!, ib = b.baseAddress!

        // 1. Deinterleave into planes.
        Parallel.split(p, threads: threads) { range in
            for c in 0..<3 {
                let ox = px + c * p, oy = py + c * p
                for i in range { ox[i] = ia[i &* 3 &+ c]; oy[i] = ib[i &* 3 &+ c] }
            }
        }
        // 2. The five filtered maps per channel: 15 independent plane jobs.
        Parallel.forEach(threads) { worker in
            let prod = ps + worker * 2 * p, tmp = prod + p
            for job in stride(from: worker, to: 15, by: threads) {
                let c = job % 3, xs = px + c * p, ys = py + c * p, o = c * p
                switch job / 3 {
                case 0: f.apply(xs, pmx + o, scratch: tmp, width: w, height: h)
                case 1: f.apply(ys, pmy + o, scratch: tmp, width: w, height: h)
                case 2: for i in 0..<p { prod[i] = xs[i] * xs[i] }; f.apply(prod, pxx + o, scratch: tmp, width: w, height: h)
                case 3: for i in 0..<p { prod[i] = ys[i] * ys[i] }; f.apply(prod, pyy + o, scratch: tmp, width: w, height: h)
                default: for i in 0..<p { prod[i] = xs[i] * ys[i] }; f.apply(prod, pxy + o, scratch: tmp, width: w, height: h)
                }
            }
        }
        // 3. SSIM map, summed per chunk; with a gradient, overwrite μx, Exx, Exy by ∂s/∂(them).
        let wantGrad = gradient != nil
        let sum = Parallel.sum(3 * p, threads: threads) { range in
            let lo = range.lowerBound
            var acc: Double = 0
            var rowAcc: Float = 0
            let c1 = Self.c1, c2 = Self.c2
            for i in range {
                let ux = pmx[i], uy = pmy[i]
                let a1 = 2 * ux * uy + c1, a2 = 2 * (pxy[i] - ux * uy) + c2
                let b1 = ux * ux + uy * uy + c1, b2 = (pxx[i] - ux * ux) + (pyy[i] - uy * uy) + c2
                let inv = 1 / (b1 * b2)
                let s = a1 * a2 * inv
                rowAcc += s
                if wantGrad {
                    pmx[i] = 2 * uy * (a2 - a1) * inv - 2 * ux * s * (1 / b1 - 1 / b2)
                    pxx[i] = -s / b2
                    pxy[i] = 2 * a1 * inv
                }
                // Flush the Float accumulator often so the total keeps Double accuracy.
                if (i &- lo) & 1023 == 1023 { acc += Double(rowAcc); rowAcc = 0 }
            }
            return acc + Double(rowAcc)
        }
        let n = Double(3 * p)
        guard let g = gradient?.baseAddress else { return sum / n }

        // 4. Filter the three coefficient maps in place (G is its own transpose) and combine.
        Parallel.forEach(threads) { worker in
            let tmp = ps + worker * 2 * p
            for job in stride(from: worker, to: 9, by: threads) {
                let o = (job % 3) * p
                let plane = job / 3 == 0 ? pmx + o : (job / 3 == 1 ? pxx + o : pxy + o)
                f.apply(plane, plane, scratch: tmp, width: w, height: h)
            }
        }
        let k = gradientScale / Float(n)
        Parallel.split(p, threads: threads) { range in
            for c in 0..<3 {
                let o = c * p
                for i in range {
                    g[i &* 3 &+ c] = k * (pmx[o &+ i] + 2 * px[o &+ i] * pxx[o &+ i] + py[o &+ i] * pxy[o &+ i])
                }
            }
        }
        return sum / n
    }
}
