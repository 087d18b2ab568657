import CEigenShim
import Foundation
import SplatCore

/// One two-view triangulation result (pixels in the cameras' own intrinsics convention).
public struct TriangulatedPoint: Equatable, Sendable {
    public var position: SIMD3<Double>
    /// Larger of the two views' reprojection errors, L1 distance in pixels.
    public var error: Double
    public var isValid: Bool
}

/// Linear two-view triangulation (DLT through CEigenShim) plus the checks the DLT leaves to us:
/// the point must be in front of both cameras and the rays must not be near-parallel.
public enum Triangulation {
    /// Triangulates `count` matches between two cameras in one call. `refPixels`/`nbrPixels` are
    /// [count * 2]. A result is invalid when the DLT is degenerate, the point is behind either
    /// camera, or the angle between the rays is below `minRayAngleDegrees`.
    public static func triangulate(ref: Camera, nbr: Camera, refPixels: [Double], nbrPixels: [Double],
                                   minRayAngleDegrees: Double = 0) -> [TriangulatedPoint] {
        let n = refPixels.count / 2
        precondition(refPixels.count == n * 2 && nbrPixels.count == n * 2)
        if n == 0 { return [] }
        let p1 = ref.projectionMatrix, p2 = nbr.projectionMatrix
        var points = [Double](repeating: 0, count: n * 3)
        var status = [Int32](repeating: 0, count: n)
        let rc = splat_eigen_triangulate_dlt(n, p1, p2, 0, refPixels, nbrPixels, &points, &status)
        precondition(rc == 0, "splat_eigen_triangulate_dlt failed with \(rc)")
        let c1 = ref.center, c2 = nbr.center
        let cosMax = cos(minRayAngleDegrees * .pi / 180)
        var out = [TriangulatedPoint]()
        out.reserveCapacity(n)
        for i in 0..<n {
            let x = SIMD3(points[i * 3], points[i * 3 + 1], points[i * 3 + 2])
            var valid = status[i] == 0
            var err = Double.infinity
            if valid, let a = project(ref, x), let b = project(nbr, x) {
                err = max(abs(a.x - refPixels[i * 2]) + abs(a.y - refPixels[i * 2 + 1]),
                          abs(b.x - nbrPixels[i * 2]) + abs(b.y - nbrPixels[i * 2 + 1]))
                let r1 = (x - c1).normalized, r2 = (x - c2).normalized
                if minRayAngleDegrees > 0 && r1.dot(r2) > cosMax { valid = false }
            } else {
                valid = false
            }
            out.append(TriangulatedPoint(position: x, error: err, isValid: valid && err.isFinite))
        }
        return out
    }

    /// Projection that also rejects points closer than a tiny fraction of the focal scale.
    private static func project(_ camera: Camera, _ x: SIMD3<Double>) -> SIMD2<Double>? {
        let p = camera.pose.apply(x)
        guard p.z > 1e-9 else { return nil }
        return camera.project(x)
    }
}
