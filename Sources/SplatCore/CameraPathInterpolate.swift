import Foundation

extension CameraPath {
    /// `frames` cameras moving through `cameras` in natural name order ("2.jpg" before
    /// "10.jpg", which is capture order for numbered photos): positions on a uniform Catmull-Rom
    /// spline through the camera centres (end points repeated), rotations slerped between
    /// neighbours. The first frame is the first camera's pose, the last frame the last one's.
    public static func interpolate(through cameras: [Camera], frames: Int, intrinsics: CameraIntrinsics) -> [Camera] {
        precondition(frames >= 1 && !cameras.isEmpty)
        let keys = cameras.sorted { $0.name.compare($1.name, options: .numeric) == .orderedAscending }
        let centers = keys.map(\.center)
        let rotations = keys.map { Quaternion(rotationMatrix: $0.pose.rotation) }
        let segments = keys.count - 1
        return (0..<frames).map { i in
            guard segments > 0 else { return makeCamera(i, pose: keys[0].pose, intrinsics: intrinsics) }
            let u = frames == 1 ? 0 : Double(i) * Double(segments) / Double(frames - 1)
            let k = min(Int(u), segments - 1), t = u - Double(k)
            let p0 = centers[max(k - 1, 0)], p1 = centers[k], p2 = centers[k + 1], p3 = centers[min(k + 2, segments)]
            let center = catmullRom(p0, p1, p2, p3, t: t)
            let rotation = rotations[k].slerp(to: rotations[k + 1], t: t).rotationMatrix
            return makeCamera(i, pose: CameraFromWorld(worldFromCameraRotation: rotation.transposed, center: center),
                              intrinsics: intrinsics)
        }
    }

    /// Uniform Catmull-Rom between p1 (t = 0) and p2 (t = 1).
    static func catmullRom(_ p0: SIMD3<Double>, _ p1: SIMD3<Double>, _ p2: SIMD3<Double>, _ p3: SIMD3<Double>,
                           t: Double) -> SIMD3<Double> {
        let t2 = t * t, t3 = t2 * t
        let a = p1 * 2
        let b = (p2 - p0) * t
        let c = (p0 * 2 - p1 * 5 + p2 * 4 - p3) * t2
        let d = (p1 * 3 - p0 - p2 * 3 + p3) * t3
        return (a + b + c + d) * 0.5
    }
}
