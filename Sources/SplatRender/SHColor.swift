import SplatCore

/// View-dependent colour from SH coefficients (docs/formats-output.md, docs/rendering-maths.md), forward and backward, per Gaussian.
/// Coefficient k of channel c: k = 0 is shDC[i*3 + c], k ≥ 1 is shRest[(i*restCount + k−1)*3 + c].
enum SHColor {
    // SplatCore's SH constants as Float literals, so the hot per-Gaussian code reads
    // compile-time constants instead of lazily initialised arrays (values: SH.basis, checked by SphericalHarmonicsTests).
    static let c0: Float = 0.282_094_79, c1: Float = 0.488_602_51
    static let c20: Float = 1.092_548_4, c21: Float = -1.092_548_4, c22: Float = 0.315_391_57
    static let c23: Float = -1.092_548_4, c24: Float = 0.546_274_2
    static let c30: Float = -0.590_043_6, c31: Float = 2.890_611_4, c32: Float = -0.457_045_8
    static let c33: Float = 0.373_176_33, c34: Float = -0.457_045_8, c35: Float = 1.445_305_7
    static let c36: Float = -0.590_043_6

    /// Fills `basis[0..<(degree+1)²]` with β_k(d) for the unit direction d.
    @inline(__always)
    static func basis(_ d: SIMD3<Float>, degree: Int, into b: inout (Float, Float, Float, Float, Float, Float, Float, Float,
                                                                     Float, Float, Float, Float, Float, Float, Float, Float)) {
        let (x, y, z) = (d.x, d.y, d.z)
        b.0 = c0
        guard degree >= 1 else { return }
        b.1 = -c1 * y; b.2 = c1 * z; b.3 = -c1 * x
        guard degree >= 2 else { return }
        let xx = x * x, yy = y * y, zz = z * z
        b.4 = c20 * x * y; b.5 = c21 * y * z; b.6 = c22 * (2 * zz - xx - yy)
        b.7 = c23 * x * z; b.8 = c24 * (xx - yy)
        guard degree >= 3 else { return }
        b.9 = c30 * y * (3 * xx - yy); b.10 = c31 * x * y * z; b.11 = c32 * y * (4 * zz - xx - yy)
        b.12 = c33 * z * (2 * zz - 3 * xx - 3 * yy); b.13 = c34 * x * (4 * zz - xx - yy)
        b.14 = c35 * z * (xx - yy); b.15 = c36 * x * (xx - 3 * yy)
    }

    /// Unclamped colour Σ_k β_k·f_k + 0.5.
    @inline(__always)
    static func color(_ i: Int, direction d: SIMD3<Float>, degree: Int, restCount: Int,
                      dc: UnsafePointer<Float>, rest: UnsafePointer<Float>) -> SIMD3<Float> {
        var b: (Float, Float, Float, Float, Float, Float, Float, Float, Float, Float, Float, Float, Float, Float, Float, Float)
            = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        basis(d, degree: degree, into: &b)
        var col = SIMD3<Float>(dc[i * 3], dc[i * 3 + 1], dc[i * 3 + 2]) * b.0 + 0.5
        let used = (degree + 1) * (degree + 1) - 1
        withUnsafeBytes(of: &b) { raw in
            let beta = raw.bindMemory(to: Float.self)
            var p = rest + i * restCount * 3
            for k in 0..<used {
                col += SIMD3(p[0], p[1], p[2]) * beta[k + 1]
                p += 3
            }
        }
        return col
    }

    /// Writes dL/dshDC and dL/dshRest for Gaussian i given dL/dcolour `g` (already zero on clamped
    /// channels) and returns dL/dd, the gradient w.r.t. the unit view direction.
    @inline(__always)
    static func backward(_ i: Int, direction d: SIMD3<Float>, degree: Int, restCount: Int, g: SIMD3<Float>,
                         rest: UnsafePointer<Float>, gradDC: UnsafeMutablePointer<Float>,
                         gradRest: UnsafeMutablePointer<Float>) -> SIMD3<Float> {
        gradDC[i * 3] = c0 * g.x; gradDC[i * 3 + 1] = c0 * g.y; gradDC[i * 3 + 2] = c0 * g.z
        let base = i * restCount * 3
        for k in 0..<(restCount * 3) { gradRest[base + k] = 0 }
        guard degree >= 1 else { return .zero }
        var b: (Float, Float, Float, Float, Float, Float, Float, Float, Float, Float, Float, Float, Float, Float, Float, Float)
            = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        basis(d, degree: degree, into: &b)
        let used = (degree + 1) * (degree + 1) - 1
        // s_k = f_k · g summed over channels: the loss's sensitivity to β_k.
        var sk: (Float, Float, Float, Float, Float, Float, Float, Float, Float, Float, Float, Float, Float, Float, Float, Float)
            = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeBytes(of: &b) { rawB in
            let beta = rawB.bindMemory(to: Float.self)
            withUnsafeMutableBytes(of: &sk) { rawS in
                let sp = rawS.bindMemory(to: Float.self)
                for k in 0..<used {
                    let o = base + k * 3
                    gradRest[o] = beta[k + 1] * g.x
                    gradRest[o + 1] = beta[k + 1] * g.y
                    gradRest[o + 2] = beta[k + 1] * g.z
                    sp[k + 1] = rest[o] * g.x + rest[o + 1] * g.y + rest[o + 2] * g.z
                }
            }
        }
        let (x, y, z) = (d.x, d.y, d.z)
        var gd = SIMD3<Float>(-c1 * sk.3, -c1 * sk.1, c1 * sk.2)
        guard degree >= 2 else { return gd }
        let xx = x * x, yy = y * y, zz = z * z
        gd += SIMD3(c20 * y, c20 * x, 0) * sk.4
        gd += SIMD3(0, c21 * z, c21 * y) * sk.5
        gd += SIMD3(-2 * x, -2 * y, 4 * z) * (c22 * sk.6)
        gd += SIMD3(c23 * z, 0, c23 * x) * sk.7
        gd += SIMD3(2 * x, -2 * y, 0) * (c24 * sk.8)
        guard degree >= 3 else { return gd }
        gd += SIMD3(6 * x * y, 3 * xx - 3 * yy, 0) * (c30 * sk.9)
        gd += SIMD3(y * z, x * z, x * y) * (c31 * sk.10)
        gd += SIMD3(-2 * x * y, 4 * zz - xx - 3 * yy, 8 * y * z) * (c32 * sk.11)
        gd += SIMD3(-6 * x * z, -6 * y * z, 6 * zz - 3 * xx - 3 * yy) * (c33 * sk.12)
        gd += SIMD3(4 * zz - 3 * xx - yy, -2 * x * y, 8 * x * z) * (c34 * sk.13)
        gd += SIMD3(2 * x * z, -2 * y * z, xx - yy) * (c35 * sk.14)
        gd += SIMD3(3 * xx - 3 * yy, -6 * x * y, 0) * (c36 * sk.15)
        return gd
    }
}
