import Foundation
import SplatCore

/// A synthetic stand-in for a trained scene: Gaussians flattened onto a back wall, a floor and
/// a few spheres in front of an 800x600-like camera at the origin looking down +Z, with
/// footprints of ~1–3 px σ so that, like real captures, a few dozen overlap each pixel.
enum SyntheticScene {
    static func camera(width: Int, height: Int) -> Camera {
        let f = 0.875 * Double(width)   // ~59° horizontal field of view
        return Camera(name: "synthetic", imagePath: nil,
                      intrinsics: CameraIntrinsics(fx: f, fy: f, cx: Double(width) / 2, cy: Double(height) / 2,
                                                   width: width, height: height),
                      pose: CameraFromWorld(rotation: .identity, translation: .zero))
    }

    /// A camera with axes parallel to the world's, backed off along −Z from the cloud's median
    /// point until the middle 80% of the means (per axis) fit in the view.
    static func camera(lookingAt cloud: GaussianCloud, width: Int, height: Int) -> Camera {
        var base = camera(width: width, height: height)
        guard cloud.count > 0 else { return base }
        func percentile(_ axis: Int, _ q: Double) -> Float {
            let v = stride(from: axis, to: cloud.means.count, by: 3).map { cloud.means[$0] }.filter(\.isFinite).sorted()
            return v.isEmpty ? 0 : v[min(v.count - 1, Int(Double(v.count) * q))]
        }
        let lo = SIMD3((0..<3).map { percentile($0, 0.1) }), hi = SIMD3((0..<3).map { percentile($0, 0.9) })
        let mid = SIMD3((0..<3).map { percentile($0, 0.5) })
        let halfExtent = Double(max(hi.x - lo.x, hi.y - lo.y)) / 2
        let distance = halfExtent * base.intrinsics.fx / Double(width / 2) + Double(hi.z - lo.z) / 2
        let center = SIMD3<Double>(Double(mid.x), Double(mid.y), Double(mid.z) - max(distance, 1))
        base.pose = CameraFromWorld(rotation: .identity, translation: -center)
        return base
    }

    static func cloud(count: Int, seed: UInt64 = 1) -> GaussianCloud {
        var rng = SplatRandom(seed: seed)
        var cloud = GaussianCloud(count: count, maxSHDegree: 3)
        func uniform(_ a: Float, _ b: Float) -> Float { a + (b - a) * rng.nextFloat() }
        let spheres: [(SIMD3<Float>, Float)] = [([-1.0, 0.2, 3.2], 0.7), ([0.9, -0.3, 3.8], 0.9),
                                                ([0.0, 0.6, 2.6], 0.45), ([1.6, 0.7, 4.6], 0.6)]
        for i in 0..<count {
            let pick = rng.nextFloat()
            var p: SIMD3<Float>, normal: SIMD3<Float>
            if pick < 0.4 {          // back wall at z = 6, a little wider than the view
                p = [uniform(-4, 4), uniform(-3, 3), 6 + uniform(-0.05, 0.05)]; normal = [0, 0, -1]
            } else if pick < 0.6 {   // floor at y = 1.3 from z = 1.5 to 6
                p = [uniform(-3.5, 3.5), 1.3 + uniform(-0.02, 0.02), uniform(1.5, 6)]; normal = [0, -1, 0]
            } else {                 // spheres
                let (c, r) = spheres[Int(rng.next() % UInt64(spheres.count))]
                var d = SIMD3<Float>(Float(rng.nextGaussian()), Float(rng.nextGaussian()), Float(rng.nextGaussian()))
                d /= (d * d).sum().squareRoot()
                p = c + r * d; normal = d
            }
            for k in 0..<3 { cloud.means[i * 3 + k] = p[k] }
            // σ ≈ 1.5 px at this depth, varied ×e^±0.6, flattened along the surface normal.
            let sigma = 1.5 * p.z / 700 * expf(uniform(-0.6, 0.6))
            cloud.logScales[i * 3] = logf(sigma * uniform(0.7, 1.4))
            cloud.logScales[i * 3 + 1] = logf(sigma * uniform(0.7, 1.4))
            cloud.logScales[i * 3 + 2] = logf(sigma * 0.15)
            // Rotate local z onto the normal: q = (1 + ẑ·n, ẑ × n), normalised when used.
            let w = 1 + normal.z
            if w < 1e-4 {
                cloud.rotations[i * 4] = 0; cloud.rotations[i * 4 + 1] = 1
            } else {
                cloud.rotations[i * 4] = w; cloud.rotations[i * 4 + 1] = -normal.y
                cloud.rotations[i * 4 + 2] = normal.x; cloud.rotations[i * 4 + 3] = 0
            }
            cloud.opacityLogits[i] = uniform(-1.5, 3)
            for k in 0..<3 { cloud.shDC[i * 3 + k] = uniform(-1.5, 1.5) }
        }
        for k in 0..<cloud.shRest.count { cloud.shRest[k] = uniform(-0.1, 0.1) }
        return cloud
    }
}
