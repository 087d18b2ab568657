import Foundation

extension CameraPath {
    /// `frames` cameras on a circle around `frame.center`, perpendicular to `frame.up`, at the
    /// capture cameras' mean height above the centre and mean horizontal distance from it, all
    /// looking at the centre. Starts at the first camera's bearing; one full turn, no repeat of
    /// the first frame at the end (so the video loops).
    public static func orbit(around cameras: [Camera], points: [SIMD3<Float>] = [], frames: Int,
                             intrinsics: CameraIntrinsics) -> [Camera] {
        precondition(frames >= 1)
        let f = frame(of: cameras, points: points)
        var height = 0.0, horizontal = 0.0
        for cam in cameras {
            let offset = cam.center - f.center
            let h = offset.dot(f.up)
            height += h
            horizontal += (offset - f.up * h).length
        }
        height /= Double(cameras.count)
        horizontal /= Double(cameras.count)
        if horizontal < 1e-3 * f.radius { horizontal = f.radius }  // cameras all above the centre
        let (e1, e2) = planeBasis(up: f.up, towards: cameras[0].center - f.center)
        return (0..<frames).map { i in
            let theta = 2 * Double.pi * Double(i) / Double(frames)
            let eye = f.center + f.up * height + (e1 * cos(theta) + e2 * sin(theta)) * horizontal
            return makeCamera(i, pose: lookAt(eye: eye, target: f.center, up: f.up), intrinsics: intrinsics)
        }
    }

    /// A spiral for forward-facing captures (as LLFF renders them): the eye circles the mean
    /// camera centre in its image plane with radii the 90th percentile of the cameras' offsets
    /// along the mean camera's right/down/forward axes, while forward/back motion runs at half
    /// rate, over two turns; every frame looks at the scene centre.
    public static func spiral(around cameras: [Camera], points: [SIMD3<Float>] = [], frames: Int,
                              intrinsics: CameraIntrinsics) -> [Camera] {
        precondition(frames >= 1)
        let f = frame(of: cameras, points: points)
        let mean = cameras.reduce(SIMD3<Double>.zero) { $0 + $1.center } / Double(cameras.count)
        var forward = f.center - mean
        if forward.length < 1e-9 { forward = cameras.reduce(SIMD3<Double>.zero) { $0 + axes($1).forward } }
        forward = forward.normalized
        let right = forward.cross(f.up).length > 1e-9 ? forward.cross(f.up).normalized : axes(cameras[0]).right
        let down = forward.cross(right)
        func percentile90(_ axis: SIMD3<Double>) -> Double {
            let values = cameras.map { abs(($0.center - mean).dot(axis)) }.sorted()
            return values[min(values.count - 1, Int(0.9 * Double(values.count - 1)))]
        }
        // A single camera (or all at one spot) still gets a small visible motion.
        let fallback = 0.05 * (f.center - mean).length
        let rx = max(percentile90(right), fallback), ry = max(percentile90(down), fallback)
        let rz = percentile90(forward)
        return (0..<frames).map { i in
            let t = 4 * Double.pi * Double(i) / Double(frames)
            let eye = mean + right * (rx * cos(t)) + down * (ry * sin(t)) + forward * (rz * sin(0.5 * t))
            return makeCamera(i, pose: lookAt(eye: eye, target: f.center, up: f.up), intrinsics: intrinsics)
        }
    }

    /// Orthonormal e1, e2 spanning the plane perpendicular to `up`, e1 along `towards` projected
    /// into that plane (any perpendicular if it is parallel to up); e2 = up × e1.
    static func planeBasis(up: SIMD3<Double>, towards: SIMD3<Double>) -> (SIMD3<Double>, SIMD3<Double>) {
        var e1 = towards - up * towards.dot(up)
        if e1.length < 1e-9 { e1 = up.cross(abs(up.x) < 0.9 ? SIMD3(1, 0, 0) : SIMD3(0, 1, 0)) }
        e1 = e1.normalized
        return (e1, up.cross(e1))
    }
}
