import Foundation

extension CameraPath {
    /// The scene's up direction for generated paths.
    ///
    /// The mean camera up (−Y in OpenCV) fails for captures taken with the camera turned 90°
    /// (cup360): the image-up vectors then lie in the horizontal plane and cancel or point
    /// sideways. So when the cameras converge on a point and their centres lie near a plane
    /// (a ring around the object) that they do not look straight along, the plane's normal is
    /// used, pointing the way the cameras' up vectors agree with or, if they do not, away from
    /// the side the cameras look towards (photographers look down at objects). Otherwise
    /// (hemispheres, forward-facing captures) it is the mean camera up.
    public static func up(of cameras: [Camera]) -> SIMD3<Double> {
        let mean = meanUp(cameras)
        guard focusPoint(cameras) != nil, let normal = ringNormal(cameras) else { return mean }
        let forward = cameras.reduce(SIMD3<Double>.zero) { $0 + axes($1).forward } / Double(cameras.count)
        guard abs(forward.dot(normal)) < 0.85 else { return mean }  // looking along the normal: forward-facing
        let upSum = cameras.reduce(SIMD3<Double>.zero) { $0 - axes($1).down } / Double(cameras.count)
        let agreement = upSum.dot(normal)
        if abs(agreement) > 0.3 { return agreement > 0 ? normal : -normal }
        if abs(forward.dot(normal)) > 0.05 { return forward.dot(normal) < 0 ? normal : -normal }
        return agreement >= 0 ? normal : -normal
    }

    /// Unit normal of the best-fit plane through the camera centres when they are close to
    /// planar (smallest covariance eigenvalue ≤ 0.35 × the middle one), else nil.
    static func ringNormal(_ cameras: [Camera]) -> SIMD3<Double>? {
        guard cameras.count >= 3 else { return nil }
        let centroid = cameras.reduce(SIMD3<Double>.zero) { $0 + $1.center } / Double(cameras.count)
        var cov = Matrix3(rows: .zero, .zero, .zero)
        for cam in cameras {
            let d = cam.center - centroid
            for i in 0..<3 { for j in 0..<3 { cov[i, j] += d[i] * d[j] } }
        }
        let (values, vectors) = symmetricEigen(cov)
        guard values[1] > 0, values[0] <= 0.35 * values[1] else { return nil }
        return vectors[0].normalized
    }

    /// Eigenvalues (ascending) and unit eigenvectors of a symmetric 3x3 matrix (cyclic Jacobi).
    static func symmetricEigen(_ m: Matrix3) -> ([Double], [SIMD3<Double>]) {
        var a = m, v = Matrix3.identity
        for _ in 0..<50 {
            let off = a[0, 1] * a[0, 1] + a[0, 2] * a[0, 2] + a[1, 2] * a[1, 2]
            if off < 1e-30 { break }
            for (p, q) in [(0, 1), (0, 2), (1, 2)] where a[p, q] != 0 {
                // Rotation in the (p, q) plane that zeroes a[p, q].
                let theta = (a[q, q] - a[p, p]) / (2 * a[p, q])
                let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                let c = 1 / (t * t + 1).squareRoot(), s = t * c
                for k in 0..<3 {  // a ← a·J
                    let akp = a[k, p], akq = a[k, q]
                    a[k, p] = c * akp - s * akq; a[k, q] = s * akp + c * akq
                }
                for k in 0..<3 {  // a ← Jᵀ·a
                    let apk = a[p, k], aqk = a[q, k]
                    a[p, k] = c * apk - s * aqk; a[q, k] = s * apk + c * aqk
                }
                for k in 0..<3 {  // v ← v·J (columns are eigenvectors)
                    let vkp = v[k, p], vkq = v[k, q]
                    v[k, p] = c * vkp - s * vkq; v[k, q] = s * vkp + c * vkq
                }
            }
        }
        let order = [0, 1, 2].sorted { a[$0, $0] < a[$1, $1] }
        return (order.map { a[$0, $0] }, order.map { SIMD3(v[0, $0], v[1, $0], v[2, $0]) })
    }
}
