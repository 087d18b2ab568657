import Foundation
import SplatCore

/// Structural similarity exactly as 3DGS computes it (`utils/loss_utils.py`): per channel, an
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
/// Fused and separable (docs/performance.md, "The step outside the rasterizer"): the images stay
/// interleaved RGB (a horizontal tap is an offset of 3 floats, so the three channels are filtered
/// together and nothing is deinterleaved), and the work is three passes over rows:
///   1. horizontal 11-tap filter of x, y, x², y², xy (products made per row) → five planes;
///   2. per row: vertical 11-tap filter of those five, the SSIM map and the three coefficient
///      maps, then their horizontal filter → three planes;
///   3. per row: vertical filter of those three, combined with x and y (and, for the training
///      loss, the L1 term and its sign gradient) into the gradient.
/// Each filter is one pass with all 11 taps unrolled over zero padding (15 floats either side of
/// a row buffer, 5 rows above and below a plane), so borders need no special case. Every value
/// is computed with the same operations in the same order as the plain per-plane filter
/// (GaussianFilter): a padded tap adds k·(+0) = +0 to a sum that starts at +0 and is never −0,
/// which changes nothing, so maps and gradients are the same bit for bit; only the mean is
/// summed differently (per row, then rows in order).
/// The target may be 8-bit (converted per row, as `Float(byte) / 255`), so training never
/// converts a whole image.
///
/// Buffers are kept between calls (one evaluator per training loop), so a step allocates nothing.
/// Rows are split statically over parts, and no value depends on the split, so results do not
/// depend on the thread count or on scheduling.
public final class SSIMEvaluator: @unchecked Sendable {
    static let c1: Float = 0.01 * 0.01
    static let c2: Float = 0.03 * 0.03

    /// The second image: Float [H*W*3], or 8-bit [H*W*3] read as byte/255.
    public enum Target {
        case float(UnsafeBufferPointer<Float>)
        case bytes(UnsafeBufferPointer<UInt8>)
        var count: Int {
            switch self {
            case .float(let b): b.count
            case .bytes(let b): b.count
            }
        }
    }

    let taps: [Float] = GaussianFilter().taps
    public let threadCount: Int
    private var shape = (width: 0, height: 0, parts: 0)
    /// Memory owned by the evaluator (so pointers into it stay valid for the whole call): eight
    /// [H + 10][3W] planes (five horizontal-pass maps, three filtered coefficient maps; rows
    /// −5..<0 and H..<H+5 stay zero), then seven padded row buffers per part; and per row its
    /// SSIM and L1 sums. Both only grow: photos of one capture often differ in size by a few
    /// pixels (an undistorted phone capture: 741 to 750 wide), and a fresh 70 MB buffer per step
    /// costs more in page faults than the filtering itself.
    private let storage = ScratchBuffer<Float>()
    private let rowSums = ScratchBuffer<Double>()

    public init(threadCount: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.threadCount = max(1, threadCount)
    }

    /// The storage laid out for a W×H image split into `parts`. Only the zero padding must hold
    /// zeros: every data row is written before it is read in each call. A new layout therefore
    /// clears the planes' padding rows, the row buffers and the row sums, and nothing else.
    private func reserve(width w: Int, height h: Int, parts: Int) -> UnsafeMutablePointer<Float> {
        if shape != (w, h, parts) {
            let rowLength = 3 * w, plane = rowLength * (h + 10)
            let rowBuffers = 7 * (rowLength + 30) * parts
            let s = storage.reserve(8 * plane + rowBuffers)
            for i in 0..<8 {
                (s + i * plane).initialize(repeating: 0, count: 5 * rowLength)
                (s + i * plane + (h + 5) * rowLength).initialize(repeating: 0, count: 5 * rowLength)
            }
            (s + 8 * plane).initialize(repeating: 0, count: rowBuffers)
            rowSums.reserve(2 * h).initialize(repeating: 0, count: 2 * h)
            shape = (w, h, parts)
        }
        return storage.pointer
    }

    /// Mean SSIM of `a` against `b`, both [H*W*3] interleaved RGB. With `gradient`, writes
    /// `gradientScale · ∂SSIM/∂a` into it ([H*W*3], interleaved).
    public func evaluate(_ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>, width w: Int, height h: Int,
                         gradient: UnsafeMutableBufferPointer<Float>? = nil, gradientScale: Float = 1) -> Double {
        precondition(a.count == 3 * w * h && b.count == 3 * w * h && (gradient?.count ?? 3 * w * h) == 3 * w * h)
        if w * h == 0 { return 1 }
        return run(a.baseAddress!, .float(b), width: w, height: h, gradient: gradient?.baseAddress,
                   ssimScale: gradientScale / Float(3 * w * h), l1Scale: nil).ssim
    }

    /// The training loss's two terms in one go: mean SSIM and mean |a − b| of `a` against
    /// `target`, and gradient = ssimGradientScale · ∂SSIM/∂a + l1GradientScale · sign(a − b)
    /// (sign(0) = 0, as torch.abs's gradient), each scale applied to the mean over N = 3HW.
    func evaluateWithL1(_ a: UnsafeBufferPointer<Float>, target: Target, width w: Int, height h: Int,
                        gradient: UnsafeMutableBufferPointer<Float>, ssimGradientScale: Float,
                        l1GradientScale: Float) -> (ssim: Double, l1: Double) {
        let n = 3 * w * h
        precondition(a.count == n && target.count == n && gradient.count == n)
        if n == 0 { return (1, 0) }
        let r = run(a.baseAddress!, target, width: w, height: h, gradient: gradient.baseAddress,
                    ssimScale: ssimGradientScale / Float(n), l1Scale: l1GradientScale / Float(n))
        return (r.ssim, r.l1)
    }

    private func run(_ xs: UnsafePointer<Float>, _ target: Target, width w: Int, height h: Int,
                     gradient g: UnsafeMutablePointer<Float>?, ssimScale k: Float, l1Scale: Float?) -> (ssim: Double, l1: Double) {
        let threads = threadCount
        let parts = threads <= 1 ? 1 : max(1, min(h, threads * 4))
        let base = reserve(width: w, height: h, parts: parts)
        let rowLength = 3 * w, plane = rowLength * (h + 10), padded = rowLength + 30
        // Plane pointers at data row 0 (5 zero rows above it, 5 below row h − 1).
        let p0 = base + 5 * rowLength
        let hx = p0, hy = p0 + plane, hxx = p0 + 2 * plane, hyy = p0 + 3 * plane, hxy = p0 + 4 * plane
        let cmx = p0 + 5 * plane, cxx = p0 + 6 * plane, cxy = p0 + 7 * plane
        let scratchBase = base + 8 * plane
        let sums = rowSums.pointer
        let wantGrad = g != nil

        func forEachPart(_ body: (Int, Range<Int>) -> Void) {
            func work(_ p: Int) { body(p, (h * p / parts)..<(h * (p + 1) / parts)) }
            if parts == 1 { work(0) } else { Parallel.forEach(parts, work) }
        }
        /// Row buffer `i` (0..<7) of part `p`, at its first data float (15 zeros either side).
        @inline(__always) func row(_ p: Int, _ i: Int) -> UnsafeMutablePointer<Float> {
            scratchBase + (p * 7 + i) * padded + 15
        }
        /// Row `y` of the target as Float: a pointer into it, or converted into `buffer`.
        @inline(__always) func targetRow(_ y: Int, _ buffer: UnsafeMutablePointer<Float>) -> UnsafePointer<Float> {
            switch target {
            case .float(let b): return b.baseAddress! + y * rowLength
            case .bytes(let b):
                let src = b.baseAddress! + y * rowLength
                var j = 0
                while j < rowLength { buffer[j] = Float(src[j]) * (1 / 255); j &+= 1 }
                return UnsafePointer(buffer)
            }
        }

        taps.withUnsafeBufferPointer { tb in
            let k5 = tb.baseAddress!
            // 1. Horizontal pass of x, y, x², y², xy.
            forEachPart { p, rows in
                let xr = row(p, 0), yb = row(p, 1), prod = row(p, 2)
                for y in rows {
                    let o = y * rowLength
                    xr.update(from: xs + o, count: rowLength)
                    var yr = targetRow(y, yb)
                    if yr != UnsafePointer(yb) { yb.update(from: yr, count: rowLength); yr = UnsafePointer(yb) }
                    Self.horizontal(xr, hx + o, width: w, taps: k5)
                    Self.horizontal(yr, hy + o, width: w, taps: k5)
                    var j = 0
                    while j < rowLength { prod[j] = xr[j] * xr[j]; j &+= 1 }
                    Self.horizontal(prod, hxx + o, width: w, taps: k5)
                    j = 0
                    while j < rowLength { prod[j] = yr[j] * yr[j]; j &+= 1 }
                    Self.horizontal(prod, hyy + o, width: w, taps: k5)
                    j = 0
                    while j < rowLength { prod[j] = xr[j] * yr[j]; j &+= 1 }
                    Self.horizontal(prod, hxy + o, width: w, taps: k5)
                }
            }
            // 2. Vertical pass, SSIM map and its coefficient maps, their horizontal pass.
            forEachPart { p, rows in
                let mx = row(p, 2), my = row(p, 3), exx = row(p, 4), eyy = row(p, 5), exy = row(p, 6)
                let c1 = Self.c1, c2 = Self.c2
                for y in rows {
                    Self.vertical(hx, mx, row: y, width: w, taps: k5)
                    Self.vertical(hy, my, row: y, width: w, taps: k5)
                    Self.vertical(hxx, exx, row: y, width: w, taps: k5)
                    Self.vertical(hyy, eyy, row: y, width: w, taps: k5)
                    Self.vertical(hxy, exy, row: y, width: w, taps: k5)
                    var j = 0
                    if wantGrad {
                        // μx, Exx, Exy are overwritten by ∂s/∂(them), μy by s.
                        while j < rowLength {
                            let ux = mx[j], uy = my[j]
                            let a1 = 2 * ux * uy + c1, a2 = 2 * (exy[j] - ux * uy) + c2
                            let b1 = ux * ux + uy * uy + c1, b2 = (exx[j] - ux * ux) + (eyy[j] - uy * uy) + c2
                            let inv = 1 / (b1 * b2)
                            let sv = a1 * a2 * inv
                            my[j] = sv
                            mx[j] = 2 * uy * (a2 - a1) * inv - 2 * ux * sv * (1 / b1 - 1 / b2)
                            exx[j] = -sv / b2
                            exy[j] = 2 * a1 * inv
                            j &+= 1
                        }
                        let o = y * rowLength
                        Self.horizontal(mx, cmx + o, width: w, taps: k5)
                        Self.horizontal(exx, cxx + o, width: w, taps: k5)
                        Self.horizontal(exy, cxy + o, width: w, taps: k5)
                    } else {
                        while j < rowLength {
                            let ux = mx[j], uy = my[j]
                            let a1 = 2 * ux * uy + c1, a2 = 2 * (exy[j] - ux * uy) + c2
                            let b1 = ux * ux + uy * uy + c1, b2 = (exx[j] - ux * ux) + (eyy[j] - uy * uy) + c2
                            my[j] = a1 * a2 * (1 / (b1 * b2))
                            j &+= 1
                        }
                    }
                    sums[2 * y] = Self.sum(my, rowLength)
                }
            }
            guard let g else { return }
            // 3. Vertical pass of the coefficient maps, combined into the gradient (+ L1).
            forEachPart { p, rows in
                let yb = row(p, 1), v0 = row(p, 2), v1 = row(p, 3), v2 = row(p, 4)
                for y in rows {
                    let o = y * rowLength
                    let xr = xs + o, yr = targetRow(y, yb), gr = g + o
                    Self.vertical(cmx, v0, row: y, width: w, taps: k5)
                    Self.vertical(cxx, v1, row: y, width: w, taps: k5)
                    Self.vertical(cxy, v2, row: y, width: w, taps: k5)
                    var j = 0
                    if let l1Scale {
                        let kp = l1Scale, kn = -l1Scale
                        while j < rowLength {
                            let x = xr[j], yv = yr[j]
                            let gs = k * (v0[j] + 2 * x * v1[j] + yv * v2[j])
                            let d = x - yv
                            gr[j] = gs + (d > 0 ? kp : (d < 0 ? kn : 0))
                            v1[j] = abs(d)
                            j &+= 1
                        }
                        sums[2 * y + 1] = Self.sum(v1, rowLength)
                    } else {
                        while j < rowLength {
                            gr[j] = k * (v0[j] + 2 * xr[j] * v1[j] + yr[j] * v2[j])
                            j &+= 1
                        }
                    }
                }
            }
        }
        var ssim = 0.0, l1 = 0.0
        for y in 0..<h { ssim += sums[2 * y]; l1 += sums[2 * y + 1] }
        let n = Double(3 * w * h)
        return (ssim / n, l1Scale == nil ? 0 : l1 / n)
    }

    /// Sum of `n` floats in eight independent Float lanes (a chain the CPU overlaps; a row is at
    /// most a few thousand values), added in Double.
    @inline(__always)
    static func sum(_ p: UnsafePointer<Float>, _ n: Int) -> Double {
        var a0: Float = 0, a1: Float = 0, a2: Float = 0, a3: Float = 0
        var a4: Float = 0, a5: Float = 0, a6: Float = 0, a7: Float = 0
        var j = 0
        while j &+ 8 <= n {
            a0 += p[j]; a1 += p[j &+ 1]; a2 += p[j &+ 2]; a3 += p[j &+ 3]
            a4 += p[j &+ 4]; a5 += p[j &+ 5]; a6 += p[j &+ 6]; a7 += p[j &+ 7]
            j &+= 8
        }
        var tail: Float = 0
        while j < n { tail += p[j]; j &+= 1 }
        return ((Double(a0) + Double(a1)) + (Double(a2) + Double(a3))) + ((Double(a4) + Double(a5)) + (Double(a6) + Double(a7))) + Double(tail)
    }

    /// One interleaved RGB row of `width` pixels filtered horizontally: d[j] = Σ_t k[t]·s[j + 3(t − 5)],
    /// taps added in order from +0 (as GaussianFilter). `s` must have 15 zero floats either side.
    @inline(__always)
    static func horizontal(_ s: UnsafePointer<Float>, _ d: UnsafeMutablePointer<Float>, width w: Int,
                           taps k: UnsafePointer<Float>) {
        let n = 3 * w
        let k0 = k[0], k1 = k[1], k2 = k[2], k3 = k[3], k4 = k[4], k5 = k[5]
        let k6 = k[6], k7 = k[7], k8 = k[8], k9 = k[9], k10 = k[10]
        let c = s - 15
        var i = 0
        while i < n {
            var acc: Float = 0
            acc += k0 * c[i]; acc += k1 * c[i &+ 3]; acc += k2 * c[i &+ 6]; acc += k3 * c[i &+ 9]
            acc += k4 * c[i &+ 12]; acc += k5 * c[i &+ 15]; acc += k6 * c[i &+ 18]; acc += k7 * c[i &+ 21]
            acc += k8 * c[i &+ 24]; acc += k9 * c[i &+ 27]; acc += k10 * c[i &+ 30]
            d[i] = acc
            i &+= 1
        }
    }

    /// Row `y` of a [H][3W] plane filtered vertically into `d`, taps added in order from +0 (as
    /// GaussianFilter). The plane must have 5 zero rows above row 0 and below row H − 1.
    @inline(__always)
    static func vertical(_ src: UnsafePointer<Float>, _ d: UnsafeMutablePointer<Float>, row y: Int, width w: Int,
                         taps k: UnsafePointer<Float>) {
        let n = 3 * w
        let r0 = src + (y - 5) * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n, r4 = r3 + n, r5 = r4 + n
        let r6 = r5 + n, r7 = r6 + n, r8 = r7 + n, r9 = r8 + n, r10 = r9 + n
        let k0 = k[0], k1 = k[1], k2 = k[2], k3 = k[3], k4 = k[4], k5 = k[5]
        let k6 = k[6], k7 = k[7], k8 = k[8], k9 = k[9], k10 = k[10]
        var j = 0
        while j < n {
            var acc: Float = 0
            acc += k0 * r0[j]; acc += k1 * r1[j]; acc += k2 * r2[j]; acc += k3 * r3[j]
            acc += k4 * r4[j]; acc += k5 * r5[j]; acc += k6 * r6[j]; acc += k7 * r7[j]
            acc += k8 * r8[j]; acc += k9 * r9[j]; acc += k10 * r10[j]
            d[j] = acc
            j &+= 1
        }
    }
}
