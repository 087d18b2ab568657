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
