import Foundation
import SplatCore

/// When to add the scene's SfM points to the dense Gaussians (docs/init.md, "The SfM points
/// too, and when few matches survive").
public enum SfMPointsPolicy: String, Sendable, Codable, Equatable, CaseIterable {
    /// Add them when the dense points are few: fewer than `InitOptions.fewDensePerSfMPoint` ×
    /// the SfM points, or none at all.
    case auto
    /// Always, as EDGS's `add_SfM_init`: the default.
    case always
    case never
}

/// The scene's SfM points as Gaussians seeded as 3DGS does (opacity 0.1, identity rotation,
/// isotropic size √(mean squared distance to the 3 nearest points), colour in SH degree 0),
/// measured against the dense points as well: where dense points are near, an SfM splat stays
/// as small as they are; where they are missing it grows to fill the gap, as in an SfM start.
enum SfMSeeds {
    static func cloud(scene: Scene, dense: GaussianCloud, shDegree: Int, threadCount: Int) -> GaussianCloud {
        let n = scene.points.count
        var all = scene.points
        all.reserveCapacity(n + dense.count)
        for i in 0..<dense.count { all.append(dense.mean(i)) }
        let d2 = NearestNeighbors.meanSquaredDistanceToThreeNearest(all, threadCount: threadCount)
        var cloud = GaussianCloud(count: n, maxSHDegree: shDegree)
        let opacity = logit(0.1)
        let hasColours = scene.pointColors.count == n
        for i in 0..<n {
            let s = 0.5 * logf(max(d2[i], 1e-14))
            let rgb = hasColours ? SIMD3<Float>(Float(scene.pointColors[i].x), Float(scene.pointColors[i].y), Float(scene.pointColors[i].z)) / 255
                : SIMD3<Float>(repeating: 0.5)
            for k in 0..<3 {
                cloud.means[i * 3 + k] = scene.points[i][k]
                cloud.logScales[i * 3 + k] = s
                cloud.shDC[i * 3 + k] = SH.dc(fromRGB: rgb[k])
            }
            cloud.opacityLogits[i] = opacity
        }
        return cloud
    }
}
