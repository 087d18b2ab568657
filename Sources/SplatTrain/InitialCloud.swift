import Foundation
import SplatCore

/// Starting Gaussians that need no other tool: the scene's sparse SfM points (`sfm`) or random
/// points (`random:N`), seeded as 3DGS does — opacity 0.1, identity rotation, isotropic scale
/// √(mean squared distance to the 3 nearest neighbours), colour in SH degree 0.
public enum InitialCloud {
    public static func fromPoints(_ points: [SIMD3<Float>], colors: [SIMD3<Float>], shDegree: Int,
                                  threadCount: Int = ProcessInfo.processInfo.activeProcessorCount) -> GaussianCloud {
        precondition(points.count == colors.count)
        var cloud = GaussianCloud(count: points.count, maxSHDegree: shDegree)
        let d2 = NearestNeighbors.meanSquaredDistanceToThreeNearest(points, threadCount: threadCount)
        let opacity = logit(0.1)
        for i in 0..<points.count {
            let logScale = 0.5 * logf(d2[i])
            for k in 0..<3 {
                cloud.means[i * 3 + k] = points[i][k]
                cloud.logScales[i * 3 + k] = logScale
                cloud.shDC[i * 3 + k] = SH.dc(fromRGB: colors[i][k])
            }
            cloud.opacityLogits[i] = opacity
        }
        return cloud
    }

    /// The scene's sparse points as Gaussians.
    public static func sfm(_ scene: Scene, shDegree: Int, threadCount: Int) throws -> GaussianCloud {
        guard !scene.points.isEmpty else {
            throw TrainError.input(file: scene.source, message: "the scene has no sparse points for init: sfm (use init: random:N or a PLY)")
        }
        let colors = scene.pointColors.count == scene.points.count
            ? scene.pointColors.map { SIMD3<Float>(Float($0.x), Float($0.y), Float($0.z)) / 255 }
            : [SIMD3<Float>](repeating: SIMD3(repeating: 0.5), count: scene.points.count)
        return fromPoints(scene.points, colors: colors, shDegree: shDegree, threadCount: threadCount)
    }

    /// `count` uniform random points with random colours, in the bounding box of the sparse
    /// points, or in [−1.3, 1.3]³ (3DGS's NeRF-synthetic default) when there are none.
    public static func random(count: Int, scene: Scene, shDegree: Int, seed: UInt64, threadCount: Int) -> GaussianCloud {
        var lo = SIMD3<Float>(repeating: -1.3), hi = SIMD3<Float>(repeating: 1.3)
        if let first = scene.points.first {
            lo = first; hi = first
            for p in scene.points { lo = pointwiseMin(lo, p); hi = pointwiseMax(hi, p) }
        }
        var rng = SplatRandom(seed: seed)
        var points: [SIMD3<Float>] = [], colors: [SIMD3<Float>] = []
        points.reserveCapacity(count); colors.reserveCapacity(count)
        for _ in 0..<count {
            points.append(lo + (hi - lo) * SIMD3(rng.nextFloat(), rng.nextFloat(), rng.nextFloat()))
            colors.append(SIMD3(rng.nextFloat(), rng.nextFloat(), rng.nextFloat()))
        }
        return fromPoints(points, colors: colors, shDegree: shDegree, threadCount: threadCount)
    }
}
