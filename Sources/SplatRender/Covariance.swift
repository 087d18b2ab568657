import Foundation

/// Σ = R(q)·diag(s)²·R(q)ᵀ for one Gaussian, with the pieces the backward needs.
struct Covariance3D {
    var scale: SIMD3<Float>
    var qn: SIMD4<Float>         // normalised quaternion w, x, y, z
    var qNorm: Float
    var rot: (SIMD3<Float>, SIMD3<Float>, SIMD3<Float>)   // rows of R(q)
    var sigma: (Float, Float, Float, Float, Float, Float) // xx, xy, xz, yy, yz, zz

    @inline(__always)
    init(logScales: UnsafePointer<Float>, quaternion q: UnsafePointer<Float>) {
        scale = SIMD3(expf(logScales[0]), expf(logScales[1]), expf(logScales[2]))
        let raw = SIMD4(q[0], q[1], q[2], q[3])
        qNorm = (raw * raw).sum().squareRoot()
        qn = raw / qNorm
        let (w, x, y, z) = (qn[0], qn[1], qn[2], qn[3])
        rot = (SIMD3(1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)),
               SIMD3(2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)),
               SIMD3(2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)))
        // M = R·diag(s): rows of M are rows of R scaled per column.
        let m0 = rot.0 * scale, m1 = rot.1 * scale, m2 = rot.2 * scale
        sigma = ((m0 * m0).sum(), (m0 * m1).sum(), (m0 * m2).sum(),
                 (m1 * m1).sum(), (m1 * m2).sum(), (m2 * m2).sum())
    }
}

/// The perspective Jacobian of the projection at camera-space point p, evaluated with x/z and y/z
/// clamped to the widened frustum (3DGS), and T = J·W.
struct EWAJacobian {
    var j00: Float, j02: Float, j11: Float, j12: Float
    var tx: Float, ty: Float, z: Float
    var flags: UInt8
    var t0: SIMD3<Float>, t1: SIMD3<Float>   // rows of T = J·W

    @inline(__always)
    init(p: SIMD3<Float>, view: ViewParameters) {
        z = p.z
        let xz = p.x / p.z, yz = p.y / p.z
        var f: UInt8 = 0
        var cxz = xz, cyz = yz
        if xz < view.limX.0 { cxz = view.limX.0; f |= ClampFlag.jacobianX }
        if xz > view.limX.1 { cxz = view.limX.1; f |= ClampFlag.jacobianX }
        if yz < view.limY.0 { cyz = view.limY.0; f |= ClampFlag.jacobianY }
        if yz > view.limY.1 { cyz = view.limY.1; f |= ClampFlag.jacobianY }
        flags = f
        tx = f & ClampFlag.jacobianX != 0 ? cxz * p.z : p.x
        ty = f & ClampFlag.jacobianY != 0 ? cyz * p.z : p.y
        j00 = view.fx / z; j02 = -view.fx * tx / (z * z)
        j11 = view.fy / z; j12 = -view.fy * ty / (z * z)
        let r = view.r
        let w0 = SIMD3(r.0, r.1, r.2), w1 = SIMD3(r.3, r.4, r.5), w2 = SIMD3(r.6, r.7, r.8)
        t0 = j00 * w0 + j02 * w2
        t1 = j11 * w1 + j12 * w2
    }

    /// T·Σ·Tᵀ as (a, b, c) = (xx, xy, yy), before the low-pass.
    @inline(__always)
    func project(_ s: (Float, Float, Float, Float, Float, Float), view: ViewParameters) -> (Float, Float, Float) {
        let st0 = Self.mul(s, t0), st1 = Self.mul(s, t1)
        return ((t0 * st0).sum(), (t0 * st1).sum(), (t1 * st1).sum())
    }

    /// Σ·v for a symmetric Σ stored as (xx, xy, xz, yy, yz, zz).
    @inline(__always)
    static func mul(_ s: (Float, Float, Float, Float, Float, Float), _ v: SIMD3<Float>) -> SIMD3<Float> {
        SIMD3(s.0 * v.x + s.1 * v.y + s.2 * v.z,
              s.1 * v.x + s.3 * v.y + s.4 * v.z,
              s.2 * v.x + s.4 * v.y + s.5 * v.z)
    }
}

/// Mip-Splatting's 2D filter (docs/rendering-maths.md step 3): the low-pass Σ2D + h·I (h = 0.3 px²)
/// is a convolution with a pixel-sized Gaussian, and the convolution of a normalised Gaussian
/// keeps its integral, so the unnormalised splat's opacity is scaled by
/// ρ = √(max(det Σ2D, 0) / det(Σ2D + h·I)) (gsplat's `compensation`; 3DGS clamps ρ² at 2.5e-5
/// instead of 0). ρ < 1 only matters for splats of about a pixel or less, which is what keeps
/// them from turning into bright dilated dots when a view is rendered at a lower resolution.
enum AntialiasFilter {
    /// ρ² for the projected covariance `raw` = (a, b, c) before the low-pass, given the
    /// determinant of the low-passed one (> 0).
    @inline(__always)
    static func compensationSquared(raw: (Float, Float, Float), blurredDet: Float) -> Float {
        max(raw.0 * raw.2 - raw.1 * raw.1, 0) / blurredDet
    }

    /// dL/dΣ2D from dL/dρ, in the matrix convention of `ProjectBackward` ((0,0), (0,1), (1,1) of a
    /// symmetric G with dL = tr(G·dΣ2D)). With Σ' = Σ2D + h·I, det' its determinant and
    /// (A, B, C) = Σ'⁻¹, d(ρ²) = (1 − ρ²)·tr(Σ'⁻¹·dΣ2D) − h·tr(dΣ2D)/det' (the cofactors of Σ2D are
    /// those of Σ' minus h), and dρ = d(ρ²)/(2ρ). Where the max clamped (ρ = 0) the gradient is 0.
    @inline(__always)
    static func covarianceGradient(dLdRho: Float, rhoSquared r2: Float, conic: (Float, Float, Float),
                                   invBlurredDet: Float) -> (Float, Float, Float) {
        guard r2 > 0 else { return (0, 0, 0) }
        let k = dLdRho / (2 * r2.squareRoot())
        let keep = 1 - r2, h = ViewParameters.lowPass * invBlurredDet
        return (k * (keep * conic.0 - h), k * keep * conic.1, k * (keep * conic.2 - h))
    }
}
