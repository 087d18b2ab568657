import Foundation
import SplatCore

/// Seeded random scenes and cameras for the rasterizer tests.
enum TestScenes {
    /// A pinhole camera at `center` looking at `target`, world +Y roughly image-down.
    static func camera(width: Int, height: Int, focal: Double, center: SIMD3<Double>,
                       target: SIMD3<Double> = .zero, principal: SIMD2<Double>? = nil) -> Camera {
        let f = (target - center).normalized
        let x = SIMD3<Double>(0, 1, 0).cross(f).normalized
        let y = f.cross(x)
        let rwc = Matrix3(rows: [x.x, y.x, f.x], [x.y, y.y, f.y], [x.z, y.z, f.z])
        let pp = principal ?? SIMD2(Double(width) / 2, Double(height) / 2)
        return Camera(name: "test", imagePath: nil,
                      intrinsics: CameraIntrinsics(fx: focal, fy: focal * 1.05, cx: pp.x, cy: pp.y, width: width, height: height),
                      pose: CameraFromWorld(worldFromCameraRotation: rwc, center: center))
    }

    /// `count` Gaussians scattered in a ball of radius `spread` around the origin.
    static func randomCloud(count: Int, degree: Int, seed: UInt64, spread: Float = 1,
                            logScaleRange: ClosedRange<Float> = -3.5 ... -1.8,
                            logitRange: ClosedRange<Float> = -1.5 ... 4) -> GaussianCloud {
        var rng = SplatRandom(seed: seed)
        var cloud = GaussianCloud(count: count, maxSHDegree: degree)
        func uniform(_ r: ClosedRange<Float>) -> Float { r.lowerBound + (r.upperBound - r.lowerBound) * rng.nextFloat() }
        for i in 0..<count {
            for k in 0..<3 {
                cloud.means[i * 3 + k] = uniform(-spread...spread)
                cloud.logScales[i * 3 + k] = uniform(logScaleRange)
                cloud.shDC[i * 3 + k] = uniform(-1.2...1.2)
            }
            for k in 0..<4 { cloud.rotations[i * 4 + k] = Float(rng.nextGaussian()) }
            cloud.opacityLogits[i] = uniform(logitRange)
        }
        for k in 0..<cloud.shRest.count { cloud.shRest[k] = uniform(-0.25...0.25) }
        return cloud
    }

    /// Copies Gaussian `i` of `source` into slot `j` of `target` (same SH degree).
    static func copyGaussian(_ i: Int, from source: GaussianCloud, to j: Int, of target: inout GaussianCloud) {
        let rc = source.restCount
        for k in 0..<3 {
            target.means[j * 3 + k] = source.means[i * 3 + k]
            target.logScales[j * 3 + k] = source.logScales[i * 3 + k]
            target.shDC[j * 3 + k] = source.shDC[i * 3 + k]
        }
        for k in 0..<4 { target.rotations[j * 4 + k] = source.rotations[i * 4 + k] }
        target.opacityLogits[j] = source.opacityLogits[i]
        for k in 0..<(rc * 3) { target.shRest[j * rc * 3 + k] = source.shRest[i * rc * 3 + k] }
    }

    static func maxAbsDifference(_ a: [Float], _ b: [Double]) -> Double {
        zip(a, b).map { abs(Double($0) - $1) }.max() ?? 0
    }
}
