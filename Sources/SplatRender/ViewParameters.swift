import CBlend
import SplatCore

/// The camera reduced to the Float numbers the hot loops use, built once per call.
/// Pixel (i, j) is sampled at its centre, so the projected mean is
/// u = fx·x/z + cx − 0.5 in pixel-index units (docs/rasterizer.md).
struct ViewParameters {
    var r: (Float, Float, Float, Float, Float, Float, Float, Float, Float)  // world→camera, row-major
    var t: SIMD3<Float>
    var center: SIMD3<Float>
    var fx: Float, fy: Float, cx: Float, cy: Float
    var width: Int, height: Int
    var tilesX: Int, tilesY: Int
    /// Range of x/z (y/z) the EWA Jacobian is evaluated at: the frustum widened by 15% of the image
    /// on each side (3DGS's 1.3·tan(fov/2) for a centred principal point).
    var limX: (Float, Float), limY: (Float, Float)

    static let tileSize = 16
    static let nearPlane: Float = 0.2
    static let lowPass: Float = 0.3

    init(_ camera: Camera) {
        let m = camera.pose.rotation
        r = (Float(m[0, 0]), Float(m[0, 1]), Float(m[0, 2]),
             Float(m[1, 0]), Float(m[1, 1]), Float(m[1, 2]),
             Float(m[2, 0]), Float(m[2, 1]), Float(m[2, 2]))
        let tr = camera.pose.translation
        t = SIMD3(Float(tr.x), Float(tr.y), Float(tr.z))
        let c = camera.center
        center = SIMD3(Float(c.x), Float(c.y), Float(c.z))
        let k = camera.intrinsics
        fx = Float(k.fx); fy = Float(k.fy); cx = Float(k.cx); cy = Float(k.cy)
        width = k.width; height = k.height
        tilesX = (width + Self.tileSize - 1) / Self.tileSize
        tilesY = (height + Self.tileSize - 1) / Self.tileSize
        let w = Float(width), h = Float(height)
        limX = ((-cx - 0.15 * w) / fx, (w - cx + 0.15 * w) / fx)
        limY = ((-cy - 0.15 * h) / fy, (h - cy + 0.15 * h) / fy)
    }

    var tileCount: Int { tilesX * tilesY }

    /// The same numbers for CBlend's projection kernel.
    var cView: CProjectView {
        CProjectView(r: r, t: (t.x, t.y, t.z), center: (center.x, center.y, center.z), fx: fx, fy: fy, cx: cx, cy: cy,
                     limX: limX, limY: limY, width: Int32(width), height: Int32(height),
                     tilesX: Int32(tilesX), tilesY: Int32(tilesY))
    }

    @inline(__always) func toCamera(_ p: SIMD3<Float>) -> SIMD3<Float> {
        SIMD3(r.0 * p.x + r.1 * p.y + r.2 * p.z + t.x,
              r.3 * p.x + r.4 * p.y + r.5 * p.z + t.y,
              r.6 * p.x + r.7 * p.y + r.8 * p.z + t.z)
    }

    /// Rᵀ·g: a camera-space gradient taken back to world space.
    @inline(__always) func toWorldDirection(_ g: SIMD3<Float>) -> SIMD3<Float> {
        SIMD3(r.0 * g.x + r.3 * g.y + r.6 * g.z,
              r.1 * g.x + r.4 * g.y + r.7 * g.z,
              r.2 * g.x + r.5 * g.y + r.8 * g.z)
    }
}
