import Foundation
import SplatCore

/// A scene with known geometry for matcher and initializer tests: a value-noise textured cube
/// (centre origin, half-size 0.5) in front of a textured wall (plane z = −1.5), seen by
/// cameras on an arc at distance 4 looking at the origin. Images are ray-cast analytically
/// with 2x2 supersampling, so the true match of every pixel is known.
struct SyntheticScene {
    static let wallZ = -1.5
    static let cubeHalf = 0.5

    var cameras: [Camera]
    var images: [Image8]

    /// `angles` in degrees around the y axis; `elevation` raises every camera (world +y up).
    init(width: Int = 128, height: Int = 96, focal: Double = 120, angles: [Double], elevation: Double = 0.6) {
        cameras = angles.enumerated().map { (i, a) in
            let r = a * .pi / 180
            let centre = SIMD3(4 * sin(r), elevation, 4 * cos(r))
            return Self.lookAt(name: "v\(i).png", centre: centre, width: width, height: height, focal: focal)
        }
        images = cameras.map(Self.render)
    }

    static func lookAt(name: String, centre: SIMD3<Double>, width: Int, height: Int, focal: Double) -> Camera {
        let z = (-centre).normalized
        let down = SIMD3<Double>(0, -1, 0)
        let x = down.cross(z).normalized, y = z.cross(x)
        let rwc = Matrix3(rows: [x.x, y.x, z.x], [x.y, y.y, z.y], [x.z, y.z, z.z])
        let k = CameraIntrinsics(fx: focal, fy: focal, cx: Double(width) / 2, cy: Double(height) / 2, width: width, height: height)
        return Camera(name: name, imagePath: nil, intrinsics: k, pose: CameraFromWorld(worldFromCameraRotation: rwc, center: centre))
    }

    /// World ray through a pixel position (pixel-centre convention).
    static func ray(_ c: Camera, _ u: Double, _ v: Double) -> SIMD3<Double> {
        let k = c.intrinsics
        let d = SIMD3((u - k.cx) / k.fx, (v - k.cy) / k.fy, 1)
        return (c.pose.rotation.transposed * d).normalized
    }

    /// Distance along a unit ray to the first surface (cube or wall), or nil.
    static func hit(origin o: SIMD3<Double>, direction d: SIMD3<Double>) -> Double? {
        var best: Double? = nil
        if abs(d.z) > 1e-12 {
            let t = (wallZ - o.z) / d.z
            if t > 0 { best = t }
        }
        var tmin = -Double.infinity, tmax = Double.infinity
        for a in 0..<3 {
            if abs(d[a]) < 1e-12 {
                if abs(o[a]) > cubeHalf { tmin = .infinity }
                continue
            }
            let t1 = (-cubeHalf - o[a]) / d[a], t2 = (cubeHalf - o[a]) / d[a]
            tmin = max(tmin, min(t1, t2)); tmax = min(tmax, max(t1, t2))
        }
        if tmin <= tmax && tmin > 0 { best = min(best ?? .infinity, tmin) }
        return best
    }

    /// True surface point seen at pixel (u, v) of camera c.
    static func surfacePoint(_ c: Camera, _ u: Double, _ v: Double) -> SIMD3<Double>? {
        let d = ray(c, u, v)
        guard let t = hit(origin: c.center, direction: d) else { return nil }
        return c.center + t * d
    }

    /// Whether world point x is visible (not occluded) from camera c and inside its image.
    static func isVisible(_ x: SIMD3<Double>, from c: Camera) -> Bool {
        guard let q = c.project(x), q.x >= 0, q.y >= 0, q.x < Double(c.width), q.y < Double(c.height) else { return false }
        let d = (x - c.center)
        guard let t = hit(origin: c.center, direction: d.normalized) else { return false }
        return abs(t - d.length) < 1e-3 * d.length
    }

    static func render(_ c: Camera) -> Image8 {
        var px = [UInt8](repeating: 0, count: c.width * c.height * 3)
        for y in 0..<c.height {
            for x in 0..<c.width {
                var rgb = SIMD3<Double>.zero
                for (sx, sy) in [(0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)] {
                    if let p = surfacePoint(c, Double(x) + sx, Double(y) + sy) { rgb += texture(p) }
                }
                rgb /= 4
                for k in 0..<3 { px[(y * c.width + x) * 3 + k] = UInt8(max(0, min(255, (rgb[k] * 255).rounded()))) }
            }
        }
        return Image8(width: c.width, height: c.height, channels: 3, pixels: px)
    }

    /// Smooth random texture: two octaves of trilinear value noise, slightly coloured.
    static func texture(_ p: SIMD3<Double>) -> SIMD3<Double> {
        let n = 0.65 * valueNoise(p * 7) + 0.35 * valueNoise(p * 15 + 3.1)
        return SIMD3(0.15 + 0.7 * n, 0.2 + 0.6 * n, 0.25 + 0.5 * n)
    }

    static func valueNoise(_ p: SIMD3<Double>) -> Double {
        let f = SIMD3(p.x.rounded(.down), p.y.rounded(.down), p.z.rounded(.down))
        let t = p - f
        let s = t * t * (3 - 2 * t)
        var v = 0.0
        for corner in 0..<8 {
            let o = SIMD3(Double(corner & 1), Double((corner >> 1) & 1), Double(corner >> 2))
            let wgt = (o.x == 1 ? s.x : 1 - s.x) * (o.y == 1 ? s.y : 1 - s.y) * (o.z == 1 ? s.z : 1 - s.z)
            v += wgt * lattice(Int(f.x + o.x), Int(f.y + o.y), Int(f.z + o.z))
        }
        return v
    }

    static func lattice(_ x: Int, _ y: Int, _ z: Int) -> Double {
        var h = UInt64(bitPattern: Int64(x &* 73_856_093 ^ y &* 19_349_663 ^ z &* 83_492_791))
        h = (h ^ (h >> 33)) &* 0xff51_afd7_ed55_8ccd
        h = (h ^ (h >> 33)) &* 0xc4ce_b9fe_1a85_ec53
        h ^= h >> 33
        return Double(h >> 11) / Double(1 << 53)
    }

    /// A Scene over these cameras; every camera is a train view unless listed in `test`.
    /// `sparsePoints` surface points seen by the cameras stand in for SfM points.
    func scene(test: [Int] = [], sparsePoints: Int = 200) -> Scene {
        let train = cameras.indices.filter { !test.contains($0) }
        var rng = SplatRandom(seed: 99)
        var points = [SIMD3<Float>]()
        for k in 0..<sparsePoints {
            let c = cameras[k % cameras.count]
            if let p = Self.surfacePoint(c, rng.nextDouble() * Double(c.width), rng.nextDouble() * Double(c.height)) {
                points.append(SIMD3<Float>(p))
            }
        }
        return Scene(source: "synthetic", format: "synthetic", cameras: cameras, trainIndices: train, testIndices: test,
                     points: points, pointColors: points.map { _ in SIMD3<UInt8>(128, 128, 128) })
    }
}
