import Foundation

/// Generated camera trajectories for `splat render --path`: an orbit around the scene centre
/// (360° captures), a spiral in front of the mean camera (forward-facing captures) and a smooth
/// interpolation through given cameras. Every generated camera uses the caller's intrinsics
/// (one image size for a whole video), has no image, and is named frame_0000, frame_0001, ...
public enum CameraPath {
    /// What the paths are built around, estimated from the capture cameras.
    public struct Frame: Sendable, Equatable {
        /// The point the cameras look at (see `center(of:points:)`).
        public var center: SIMD3<Double>
        /// Unit "up" vector (see `up(of:)`).
        public var up: SIMD3<Double>
        /// Mean distance of the camera centres from `center`.
        public var radius: Double
    }

    public static func frame(of cameras: [Camera], points: [SIMD3<Float>] = []) -> Frame {
        precondition(!cameras.isEmpty, "a camera path needs at least one camera")
        let c = center(of: cameras, points: points)
        let r = cameras.reduce(0.0) { $0 + ($1.center - c).length } / Double(cameras.count)
        return Frame(center: c, up: up(of: cameras), radius: max(r, 1e-6))
    }

    /// Camera i's axes in world coordinates: the rows of its world-to-camera rotation.
    static func axes(_ camera: Camera) -> (right: SIMD3<Double>, down: SIMD3<Double>, forward: SIMD3<Double>) {
        let r = camera.pose.rotation
        return (r.rows.0, r.rows.1, r.rows.2)
    }

    /// Unit mean of the cameras' up vectors (−Y axis in OpenCV); falls back to the first
    /// camera's up if the mean cancels out.
    public static func meanUp(_ cameras: [Camera]) -> SIMD3<Double> {
        let sum = cameras.reduce(SIMD3<Double>.zero) { $0 - axes($1).down }
        return sum.length > 1e-9 ? sum.normalized : -axes(cameras[0]).down
    }

    /// Where the cameras look: the least-squares point closest to all optical axes when they
    /// converge (360° captures; well conditioned and in front of the cameras), else the mean of
    /// the sparse points, else a point one mean camera spacing ahead of the mean camera.
    public static func center(of cameras: [Camera], points: [SIMD3<Float>] = []) -> SIMD3<Double> {
        if let focus = focusPoint(cameras) { return focus }
        if !points.isEmpty {
            let sum = points.reduce(SIMD3<Double>.zero) { $0 + SIMD3<Double>(Double($1.x), Double($1.y), Double($1.z)) }
            return sum / Double(points.count)
        }
        let centroid = cameras.reduce(SIMD3<Double>.zero) { $0 + $1.center } / Double(cameras.count)
        let forward = cameras.reduce(SIMD3<Double>.zero) { $0 + axes($1).forward }
        let spread = cameras.reduce(0.0) { $0 + ($1.center - centroid).length } / Double(cameras.count)
        let dir = forward.length > 1e-9 ? forward.normalized : axes(cameras[0]).forward
        return centroid + dir * max(spread, 1)
    }

    /// Solves Σ(I − d dᵀ) p = Σ(I − d dᵀ) C over the camera axes; nil if they are (nearly)
    /// parallel or the point lies behind the cameras on average.
    static func focusPoint(_ cameras: [Camera]) -> SIMD3<Double>? {
        guard cameras.count >= 2 else { return nil }
        var a = Matrix3(rows: .zero, .zero, .zero), b = SIMD3<Double>.zero
        for cam in cameras {
            let d = axes(cam).forward, c = cam.center
            var p = Matrix3.identity
            for i in 0..<3 { for j in 0..<3 { p[i, j] -= d[i] * d[j] } }
            for i in 0..<3 { for j in 0..<3 { a[i, j] += p[i, j] } }
            b += p * c
        }
        let scale = (a[0, 0] + a[1, 1] + a[2, 2]) / 3
        guard scale > 0, a.determinant / (scale * scale * scale) > 1e-2, let point = solve(a, b) else { return nil }
        let inFront = cameras.reduce(0.0) { $0 + (point - $1.center).dot(axes($1).forward) }
        guard point.x.isFinite && point.y.isFinite && point.z.isFinite, inFront > 0 else { return nil }
        return point
    }

    /// A pose at `eye` looking at `target` with image-up as close to `up` as possible
    /// (OpenCV axes: +Z towards the target, +Y down).
    public static func lookAt(eye: SIMD3<Double>, target: SIMD3<Double>, up: SIMD3<Double>) -> CameraFromWorld {
        let forward = (target - eye).normalized
        var right = forward.cross(up)
        if right.length < 1e-9 {  // looking straight along up: any perpendicular will do
            right = forward.cross(abs(forward.x) < 0.9 ? SIMD3(1, 0, 0) : SIMD3(0, 1, 0))
        }
        right = right.normalized
        let down = forward.cross(right)
        let rotation = Matrix3(rows: right, down, forward)
        return CameraFromWorld(rotation: rotation, translation: -(rotation * eye))
    }

    static func makeCamera(_ index: Int, pose: CameraFromWorld, intrinsics: CameraIntrinsics) -> Camera {
        Camera(name: String(format: "frame_%04d", index), imagePath: nil, intrinsics: intrinsics, pose: pose)
    }

    /// x with a·x = b by Cramer's rule (cofactors); nil when a is singular.
    static func solve(_ a: Matrix3, _ b: SIMD3<Double>) -> SIMD3<Double>? {
        let det = a.determinant
        guard det != 0, det.isFinite else { return nil }
        // For rows r0, r1, r2 of a, the columns of a⁻¹ are r1×r2, r2×r0, r0×r1 divided by det(a).
        let (r0, r1, r2) = a.rows
        return (r1.cross(r2) * b.x + r2.cross(r0) * b.y + r0.cross(r1) * b.z) / det
    }
}
