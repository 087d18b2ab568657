import Foundation

/// Pinhole intrinsics in pixels, COLMAP convention: the top-left corner of the image is (0, 0),
/// so pixel (i, j) has its centre at (i + 0.5, j + 0.5). Distortion is removed at load time;
/// everything downstream of the loaders sees only pinhole cameras.
public struct CameraIntrinsics: Equatable, Sendable, Codable {
    public var fx: Double, fy: Double, cx: Double, cy: Double
    public var width: Int, height: Int

    public init(fx: Double, fy: Double, cx: Double, cy: Double, width: Int, height: Int) {
        self.fx = fx; self.fy = fy; self.cx = cx; self.cy = cy
        self.width = width; self.height = height
    }

    /// Intrinsics for the image area-downscaled by an integer factor (`ImageOps.downscaleArea`).
    /// Output pixel i averages source pixels [f·i, f·i + f) and a partial last block is dropped,
    /// so a source coordinate x maps to exactly x / f: focal lengths and principal point divide
    /// by f whatever the image size (scaling by ⌊W/f⌋/W instead would shift every pixel when f
    /// does not divide W). An image smaller than f in an axis becomes one pixel covering all of
    /// it, so that axis divides by its size instead.
    public func downscaled(by factor: Int) -> CameraIntrinsics {
        precondition(factor >= 1)
        if factor == 1 { return self }
        let bx = Double(min(factor, width)), by = Double(min(factor, height))
        return CameraIntrinsics(fx: fx / bx, fy: fy / by, cx: cx / bx, cy: cy / by,
                                width: max(1, width / factor), height: max(1, height / factor))
    }

    /// Intrinsics for the same camera rendered at another resolution.
    public func resized(width newW: Int, height newH: Int) -> CameraIntrinsics {
        let sx = Double(newW) / Double(width), sy = Double(newH) / Double(height)
        return CameraIntrinsics(fx: fx * sx, fy: fy * sy, cx: cx * sx, cy: cy * sy, width: newW, height: newH)
    }

    public var fovX: Double { 2 * atan(Double(width) / (2 * fx)) }
    public var fovY: Double { 2 * atan(Double(height) / (2 * fy)) }
}

/// A rigid world-to-camera transform: X_cam = rotation * X_world + translation (COLMAP's (R, t)),
/// camera axes OpenCV (+X right, +Y down, +Z forward).
public struct CameraFromWorld: Equatable, Sendable, Codable {
    public var rotation: Matrix3
    public var translation: SIMD3<Double>

    public init(rotation: Matrix3, translation: SIMD3<Double>) {
        self.rotation = rotation; self.translation = translation
    }

    public init(quaternion: Quaternion, translation: SIMD3<Double>) {
        self.init(rotation: quaternion.rotationMatrix, translation: translation)
    }

    /// From a camera-to-world rotation (columns are the camera axes in world) and centre.
    public init(worldFromCameraRotation rwc: Matrix3, center: SIMD3<Double>) {
        let r = rwc.transposed
        self.init(rotation: r, translation: -(r * center))
    }

    /// Camera centre in world coordinates, C = -R^T t.
    public var center: SIMD3<Double> { -(rotation.transposed * translation) }

    public func apply(_ worldPoint: SIMD3<Double>) -> SIMD3<Double> { rotation * worldPoint + translation }

    public var quaternion: Quaternion { Quaternion(rotationMatrix: rotation) }

    /// Row-major 3x4 [R|t].
    public var matrix3x4: [Double] {
        var m = [Double]()
        for r in 0..<3 { m += [rotation[r, 0], rotation[r, 1], rotation[r, 2], translation[r]] }
        return m
    }

    /// Row-major 4x4 world-to-view matrix flattened to 16 numbers (used for view selection).
    public var flattened4x4: [Double] { matrix3x4 + [0, 0, 0, 1] }
}

/// How the stored image file differs from the camera's pinhole model: the file was taken with
/// `source` intrinsics and this lens distortion (COLMAP/OpenCV parameters, zero when unused).
/// The image loader resamples such files into the pinhole `Camera.intrinsics` (as COLMAP's
/// image_undistorter does), so nothing downstream of the loaders sees distortion.
public struct LensDistortion: Equatable, Sendable, Codable {
    /// COLMAP model name of the source camera, e.g. "OPENCV", "SIMPLE_RADIAL", "RADIAL".
    public var model: String
    /// Intrinsics of the stored (distorted) image file, at its full resolution.
    public var source: CameraIntrinsics
    public var k1: Double, k2: Double, p1: Double, p2: Double

    public init(model: String, source: CameraIntrinsics, k1: Double, k2: Double = 0, p1: Double = 0, p2: Double = 0) {
        self.model = model; self.source = source
        self.k1 = k1; self.k2 = k2; self.p1 = p1; self.p2 = p2
    }

    /// Applies the OpenCV distortion to normalised coordinates (x, y) = (X/Z, Y/Z).
    public func distort(_ x: Double, _ y: Double) -> (Double, Double) {
        let r2 = x * x + y * y
        let g = k1 * r2 + k2 * r2 * r2
        let xd = x * (1 + g) + 2 * p1 * x * y + p2 * (r2 + 2 * x * x)
        let yd = y * (1 + g) + 2 * p2 * x * y + p1 * (r2 + 2 * y * y)
        return (xd, yd)
    }
}

/// One calibrated view: a pinhole camera, its pose and the image it was taken with.
public struct Camera: Equatable, Sendable, Codable {
    /// Image name as the dataset gives it (e.g. "12.jpg" or "train/r_3.png"); unique in a scene.
    public var name: String
    /// Absolute path of the image file, or nil for a camera with no image (generated paths).
    public var imagePath: String?
    public var intrinsics: CameraIntrinsics
    public var pose: CameraFromWorld
    /// Set when the image file is distorted and must be resampled into `intrinsics` on load.
    public var distortion: LensDistortion?
    /// Integer factor by which the image file is area-downscaled on load (1 = full size).
    /// `intrinsics` already describe the downscaled image.
    public var imageDownscale: Int

    public init(name: String, imagePath: String?, intrinsics: CameraIntrinsics, pose: CameraFromWorld,
                distortion: LensDistortion? = nil, imageDownscale: Int = 1) {
        self.name = name; self.imagePath = imagePath
        self.intrinsics = intrinsics; self.pose = pose
        self.distortion = distortion; self.imageDownscale = imageDownscale
    }

    public var width: Int { intrinsics.width }
    public var height: Int { intrinsics.height }
    public var center: SIMD3<Double> { pose.center }

    /// Projects a world point to pixel coordinates (COLMAP convention, centre of pixel (0,0) is
    /// (0.5, 0.5)). Returns nil for points at or behind the camera plane.
    public func project(_ worldPoint: SIMD3<Double>) -> SIMD2<Double>? {
        let p = pose.apply(worldPoint)
        guard p.z > 1e-12 else { return nil }
        return SIMD2(intrinsics.fx * p.x / p.z + intrinsics.cx, intrinsics.fy * p.y / p.z + intrinsics.cy)
    }

    /// Row-major 3x4 projection matrix K [R|t] in the same pixel convention as `project`.
    public var projectionMatrix: [Double] {
        let rt = pose.matrix3x4
        let k = intrinsics
        var p = [Double](repeating: 0, count: 12)
        for c in 0..<4 {
            p[c] = k.fx * rt[c] + k.cx * rt[8 + c]
            p[4 + c] = k.fy * rt[4 + c] + k.cy * rt[8 + c]
            p[8 + c] = rt[8 + c]
        }
        return p
    }

    /// The same view with its image area-downscaled by `factor` on load.
    public func downscaled(by factor: Int) -> Camera {
        var c = self
        c.intrinsics = intrinsics.downscaled(by: factor)
        c.imageDownscale = imageDownscale * factor
        return c
    }
}
