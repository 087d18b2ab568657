import SplatCore

/// Pinhole intrinsics in matcher pixels (pixel centres at +0.5).
struct Pinhole {
    var fx: Double, fy: Double, cx: Double, cy: Double
    init(_ k: CameraIntrinsics, factor: Int) {
        let s = 1 / Double(factor)
        fx = k.fx * s; fy = k.fy * s; cx = k.cx * s; cy = k.cy * s
    }
}

/// Best depth per source pixel from one plane sweep (inverse depth along the source ray).
struct SweepResult {
    var invDepth: [Float]    // [P]; NaN where no valid match
    var score: [Float]       // [P] best ZNCC in [-1, 1]
    var uniqueness: [Float]  // [P] best − best score more than 2 samples away (0...2)
}

/// Plane-sweep stereo in one direction: for each fronto-parallel plane of the source camera
/// (uniform in inverse depth), warp the destination image into the source view, score every
/// window by ZNCC from box sums (cost independent of window size), and keep the best plane per
/// pixel with a parabola fit for sub-sample depth.
enum PlaneSweep {
    /// Windows flatter than this grey standard deviation (~0.8 grey levels) are unmatchable;
    /// 0.01 left most of the smooth white walls of cup360 empty, 0.003 fills them.
    static let minWindowStd: Float = 0.003

    /// - rotation/translation: X_dst = rotation · X_src + translation.
    /// - invDepths: ascending, uniformly spaced.
    static func sweep(src: MatchImage, dst: MatchImage, srcK: Pinhole, dstK: Pinhole,
                      rotation: Matrix3, translation: SIMD3<Double>, invDepths: [Float], radius r: Int) -> SweepResult {
        let w = src.width, h = src.height, P = w * h, D = invDepths.count
        // Images too small for one window (or for a bilinear sample) match nothing.
        guard w > 2 * r, h > 2 * r, dst.width >= 2, dst.height >= 2, D > 0 else {
            return SweepResult(invDepth: [Float](repeating: .nan, count: P), score: [Float](repeating: -1, count: P),
                               uniqueness: [Float](repeating: 0, count: P))
        }
        let n = Float((2 * r + 1) * (2 * r + 1)), invN = 1 / n
        // Homography of plane z_src = d: x_dst ~ M x_src + b / d, M = K2 R K1^-1, b = K2 t.
        let k2 = Matrix3(rows: [dstK.fx, 0, dstK.cx], [0, dstK.fy, dstK.cy], [0, 0, 1])
        let k1inv = Matrix3(rows: [1 / srcK.fx, 0, -srcK.cx / srcK.fx], [0, 1 / srcK.fy, -srcK.cy / srcK.fy], [0, 0, 1])
        let m = k2 * rotation * k1inv
        let b = k2 * translation
        let bx = Float(b.x), by = Float(b.y), bz = Float(b.z)
        var ax = [Float](repeating: 0, count: P), ay = ax, az = ax
        for y in 0..<h {
            for x in 0..<w {
                let v = m * SIMD3(Double(x) + 0.5, Double(y) + 0.5, 1)
                ax[y * w + x] = Float(v.x); ay[y * w + x] = Float(v.y); az[y * w + x] = Float(v.z)
            }
        }
        // Source window statistics; NaN variance marks pixels that cannot be matched.
        var sumS = [Float](repeating: 0, count: P), varS = sumS, tmp = sumS, sq = sumS
        var volume = [Float](repeating: .nan, count: P * D)  // [D][P] ZNCC
        var warped = [Float](repeating: 0, count: P), warped2 = warped, cross = warped
        var sumW = warped, sumW2 = warped, sumC = warped
        src.pixels.withUnsafeBufferPointer { s in
            for i in 0..<P { sq[i] = s[i] * s[i] }
            boxSum(s.baseAddress!, &sumS, &tmp, width: w, height: h, radius: r)
            var sumS2 = [Float](repeating: 0, count: P)
            boxSum(sq, &sumS2, &tmp, width: w, height: h, radius: r)
            let minVar = n * minWindowStd * minWindowStd
            for i in 0..<P {
                let v = sumS2[i] - sumS[i] * sumS[i] * invN
                varS[i] = v > minVar ? v : .nan
            }
        }
        let w2 = dst.width, h2 = dst.height
        let maxX = Float(w2 - 1), maxY = Float(h2 - 1)
        dst.pixels.withUnsafeBufferPointer { d in
        src.pixels.withUnsafeBufferPointer { s in
        ax.withUnsafeBufferPointer { ax in ay.withUnsafeBufferPointer { ay in az.withUnsafeBufferPointer { az in
            for di in 0..<D {
                let id = invDepths[di]
                warped.withUnsafeMutableBufferPointer { wp in
                warped2.withUnsafeMutableBufferPointer { w2p in
                cross.withUnsafeMutableBufferPointer { cp in
                    for p in 0..<P {
                        let z = az[p] + bz * id
                        let u = (ax[p] + bx * id) / z - 0.5, v = (ay[p] + by * id) / z - 0.5
                        let valid = z > 0 && u >= 0 && u < maxX && v >= 0 && v < maxY
                        let uc = valid ? u : 0, vc = valid ? v : 0
                        let u0 = uc.rounded(.down), v0 = vc.rounded(.down)
                        let fu = uc - u0, fv = vc - v0
                        // Exact integer from a small non-negative integral Float, without a trapping conversion.
                        let iu = Int(truncatingIfNeeded: (u0 + 8_388_608).bitPattern & 0x7F_FFFF)
                        let iv = Int(truncatingIfNeeded: (v0 + 8_388_608).bitPattern & 0x7F_FFFF)
                        let o = iv &* w2 &+ iu
                        let top = d[o] + fu * (d[o &+ 1] - d[o])
                        let bot = d[o &+ w2] + fu * (d[o &+ w2 &+ 1] - d[o &+ w2])
                        let val = valid ? top + fv * (bot - top) : Float.nan
                        wp[p] = val; w2p[p] = val * val; cp[p] = val * s[p]
                    }
                }}}
                boxSum(warped, &sumW, &tmp, width: w, height: h, radius: r)
                boxSum(warped2, &sumW2, &tmp, width: w, height: h, radius: r)
                boxSum(cross, &sumC, &tmp, width: w, height: h, radius: r)
                // Unsafe buffers: array subscripts keep their bounds checks in release builds,
                // which stop this loop from vectorizing.
                volume.withUnsafeMutableBufferPointer { vol in
                sumC.withUnsafeBufferPointer { sc in sumS.withUnsafeBufferPointer { ss in
                sumW.withUnsafeBufferPointer { sw in sumW2.withUnsafeBufferPointer { sw2 in varS.withUnsafeBufferPointer { vs in
                    let out = vol.baseAddress! + di * P
                    for p in 0..<P {
                        let num = sc[p] - ss[p] * sw[p] * invN
                        let vw = max(sw2[p] - sw[p] * sw[p] * invN, n * 1e-6)
                        out[p] = num / (vs[p] * vw).squareRoot()
                    }
                }}}}}}
            }
        }}}}}
        return bestPlanes(volume: volume, pixels: P, invDepths: invDepths)
    }

    /// Per pixel: the best plane (parabola-refined), its score and its margin over the best
    /// plane more than two samples away. The volume is [D][P]; every pass walks it plane by
    /// plane so that memory is read in order (a pixel-major walk jumps P floats per read).
    static func bestPlanes(volume: [Float], pixels P: Int, invDepths: [Float]) -> SweepResult {
        let D = invDepths.count
        var res = SweepResult(invDepth: [Float](repeating: .nan, count: P),
                              score: [Float](repeating: -2, count: P), uniqueness: [Float](repeating: 0, count: P))
        let step = D > 1 ? invDepths[1] - invDepths[0] : 0
        var bestIndex = [Int32](repeating: -1, count: P)
        var second = [Float](repeating: -1, count: P)
        volume.withUnsafeBufferPointer { vol in
        res.score.withUnsafeMutableBufferPointer { best in
        bestIndex.withUnsafeMutableBufferPointer { bi in
        second.withUnsafeMutableBufferPointer { sec in
            for d in 0..<D {
                let plane = vol.baseAddress! + d * P, di = Int32(d)
                for p in 0..<P where plane[p] > best[p] { best[p] = plane[p]; bi[p] = di }
            }
            for d in 0..<D {
                let plane = vol.baseAddress! + d * P, di = Int32(d)
                for p in 0..<P {
                    let far = di &- bi[p] > 2 || bi[p] &- di > 2
                    if far && plane[p] > sec[p] { sec[p] = plane[p] }
                }
            }
            for p in 0..<P {
                let b = Int(bi[p])
                guard b >= 0 else { best[p] = -1; continue }
                var offset: Float = 0
                if b > 0 && b < D - 1 {
                    let a = vol[(b - 1) * P + p], c = vol[(b + 1) * P + p]
                    let den = a - 2 * best[p] + c
                    if den < 0 { offset = min(0.5, max(-0.5, 0.5 * (a - c) / den)) }
                }
                res.invDepth[p] = invDepths[b] + offset * step
                res.uniqueness[p] = best[p] - sec[p]
            }
        }}}}
        return res
    }
}
