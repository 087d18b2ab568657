import Foundation

/// Real spherical-harmonics constants and basis as used by 3DGS (docs/rendering-maths.md, SH colour).
public enum SH {
    public static let c0 = 0.28209479177387814
    public static let c1 = 0.4886025119029199
    public static let c2: [Double] = [1.0925484305920792, -1.0925484305920792, 0.31539156525252005,
                                      -1.0925484305920792, 0.5462742152960396]
    public static let c3: [Double] = [-0.5900435899266435, 2.890611442640554, -0.4570457994644658,
                                      0.3731763325901154, -0.4570457994644658, 1.445305721320277,
                                      -0.5900435899266435]

    /// RGB in [0, 1] to the degree-0 coefficient: (rgb - 0.5) / C0.
    public static func dc(fromRGB v: Float) -> Float { (v - 0.5) / Float(c0) }

    /// Basis values β_k(d) for k = 0 ..< (degree+1)^2 at the unit direction d = (x, y, z).
    public static func basis(degree: Int, x: Double, y: Double, z: Double) -> [Double] {
        var b = [c0]
        if degree >= 1 { b += [-c1 * y, c1 * z, -c1 * x] }
        if degree >= 2 {
            let xx = x * x, yy = y * y, zz = z * z
            b += [c2[0] * x * y, c2[1] * y * z, c2[2] * (2 * zz - xx - yy), c2[3] * x * z, c2[4] * (xx - yy)]
        }
        if degree >= 3 {
            let xx = x * x, yy = y * y, zz = z * z
            b += [c3[0] * y * (3 * xx - yy), c3[1] * x * y * z, c3[2] * y * (4 * zz - xx - yy),
                  c3[3] * z * (2 * zz - 3 * xx - 3 * yy), c3[4] * x * (4 * zz - xx - yy),
                  c3[5] * z * (xx - yy), c3[6] * x * (xx - 3 * yy)]
        }
        return b
    }
}
