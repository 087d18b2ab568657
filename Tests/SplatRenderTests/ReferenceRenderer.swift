import Foundation
import SplatCore

/// The slow, obvious twin of the rasterizer: Double precision, every pixel against every
/// Gaussian, depth-sorted per pixel, no tiles lists, no sorting tricks, no fast exp. It follows
/// docs/rendering-maths.md literally, including the 3σ tile rectangle (a Gaussian only reaches pixels in
/// the tiles its rectangle covers). `smooth` drops the same cutoffs the rasterizer's test mode does;
/// `antialiased` is `RenderSettings.antialiased`.
struct ReferenceRenderer {
    struct Projected {
        var index: Int
        var u: Double, v: Double, a: Double, b: Double, c: Double   // conic
        var opacity: Double, color: SIMD3<Double>, depth: Double
        var tiles: (x0: Int, y0: Int, x1: Int, y1: Int)
        var colorClamped = false      // some channel was negative and clamped to 0
        var jacobianClamped = false   // x/z or y/z lay outside the widened frustum
        var clampedTangents: (x: Double?, y: Double?) = (nil, nil)
    }

    var smooth = false
    /// Mip-Splatting's compensation: opacity × √(max(det Σ2D, 0) / det(Σ2D + 0.3·I)).
    var antialiased = false
    /// Camera-space tangents x/z·z, y/z·z to use instead of the clamped ones, per cloud index:
    /// 3DGS's gradient treats a clamped tangent as a constant (docs/rasterizer.md), so a
    /// reference whose derivative is that gradient holds it fixed (see `renderDetailed`).
    var frozenTangents: [Int: (x: Double?, y: Double?)] = [:]

    func project(_ cloud: GaussianCloud, camera: Camera, shDegree: Int) -> [Projected] {
        let k = camera.intrinsics
        let rot = camera.pose.rotation
        let w = Double(k.width), h = Double(k.height)
        let tilesX = (k.width + 15) / 16, tilesY = (k.height + 15) / 16
        let degree = min(shDegree, cloud.maxSHDegree)
        var out: [Projected] = []
        for i in 0..<cloud.count {
            let mu = SIMD3<Double>(Double(cloud.means[i * 3]), Double(cloud.means[i * 3 + 1]), Double(cloud.means[i * 3 + 2]))
            let p = camera.pose.apply(mu)
            guard p.z > 0.2 else { continue }
            let q = Quaternion(w: Double(cloud.rotations[i * 4]), x: Double(cloud.rotations[i * 4 + 1]),
                               y: Double(cloud.rotations[i * 4 + 2]), z: Double(cloud.rotations[i * 4 + 3]))
            let r = q.rotationMatrix
            let s = (0..<3).map { exp(Double(cloud.logScales[i * 3 + $0])) }
            var sigma = [[Double]](repeating: [0, 0, 0], count: 3)
            for a in 0..<3 { for b in 0..<3 { for m in 0..<3 { sigma[a][b] += r[a, m] * s[m] * s[m] * r[b, m] } } }
            let limX0 = (-k.cx - 0.15 * w) / k.fx, limX1 = (w - k.cx + 0.15 * w) / k.fx
            let limY0 = (-k.cy - 0.15 * h) / k.fy, limY1 = (h - k.cy + 0.15 * h) / k.fy
            var tx = min(max(p.x / p.z, limX0), limX1) * p.z, ty = min(max(p.y / p.z, limY0), limY1) * p.z
            let xz = p.x / p.z, yz = p.y / p.z
            let clampedTangents = (x: xz < limX0 || xz > limX1 ? tx : nil, y: yz < limY0 || yz > limY1 ? ty : nil)
            if let frozen = frozenTangents[i] {
                if let x = frozen.x { tx = x }
                if let y = frozen.y { ty = y }
            }
            let j: [[Double]] = [[k.fx / p.z, 0, -k.fx * tx / (p.z * p.z)], [0, k.fy / p.z, -k.fy * ty / (p.z * p.z)]]
            var t = [[Double]](repeating: [0, 0, 0], count: 2)
            for a in 0..<2 { for b in 0..<3 { for m in 0..<3 { t[a][b] += j[a][m] * rot[m, b] } } }
            var c2 = [[Double]](repeating: [0, 0], count: 2)
            for a in 0..<2 { for b in 0..<2 { for m in 0..<3 { for n in 0..<3 { c2[a][b] += t[a][m] * sigma[m][n] * t[b][n] } } } }
            let ca = c2[0][0] + 0.3, cb = c2[0][1], cc = c2[1][1] + 0.3
            let det = ca * cc - cb * cb
            guard det > 0 else { continue }
            let mid = 0.5 * (ca + cc)
            let radius = (3 * (mid + max(0.1, mid * mid - det).squareRoot()).squareRoot()).rounded(.up)
            let u = k.fx * p.x / p.z + k.cx - 0.5, v = k.fy * p.y / p.z + k.cy - 0.5
            func clampTile(_ x: Double, _ limit: Int) -> Int { Int(min(max(x.rounded(.down), 0), Double(limit))) }
            let x0 = clampTile((u - radius) / 16, tilesX), x1 = clampTile((u + radius + 15) / 16, tilesX)
            let y0 = clampTile((v - radius) / 16, tilesY), y1 = clampTile((v + radius + 15) / 16, tilesY)
            guard x1 > x0, y1 > y0 else { continue }
            let d = (mu - camera.center).normalized
            let basis = SH.basis(degree: degree, x: d.x, y: d.y, z: d.z)
            var color = SIMD3<Double>(repeating: 0.5)
            for ch in 0..<3 {
                color[ch] += basis[0] * Double(cloud.shDC[i * 3 + ch])
                for kk in 1..<basis.count {
                    color[ch] += basis[kk] * Double(cloud.shRest[(i * cloud.restCount + kk - 1) * 3 + ch])
                }
            }
            let colorClamped = color.min() < 0
            color = SIMD3(max(color.x, 0), max(color.y, 0), max(color.z, 0))
            let jacobianClamped = clampedTangents.x != nil || clampedTangents.y != nil
            var opacity = 1 / (1 + exp(-Double(cloud.opacityLogits[i])))
            if antialiased { opacity *= (max(c2[0][0] * c2[1][1] - c2[0][1] * c2[0][1], 0) / det).squareRoot() }
            out.append(Projected(index: i, u: u, v: v, a: cc / det, b: -cb / det, c: ca / det, opacity: opacity,
                                 color: color, depth: p.z, tiles: (x0, y0, x1, y1),
                                 colorClamped: colorClamped, jacobianClamped: jacobianClamped, clampedTangents: clampedTangents))
        }
        return out
    }

    /// What the discrete steps of a render decided for one pixel: the Gaussians blended, front to
    /// back, each with the amount the 0.99 clamp cut from its α (0 when it did not bind).
    struct PixelPlan {
        var blended: [(splat: Int, clampExcess: Double)] = []
        var stopped = false
    }

    /// Counts of how often each non-smooth rule of the standard mode acted in a render.
    struct RuleCounts {
        var alphaClamped = 0, earlyStops = 0, belowMinAlpha = 0
    }

    /// The composited image [H*W*3], the blend-weighted mean depth [H*W] (0 where nothing was
    /// blended), and each pixel's plan. With `frozen` the blend follows those plans instead of
    /// deciding: every listed Gaussian is blended with α = o·G − clampExcess and nothing else, so
    /// the result is a smooth function of the parameters whose derivative at the parameters the
    /// plans were made at is the standard mode's gradient as 3DGS defines it (the 0.99 clamp
    /// passes the gradient through, the skips and the early stop are held fixed).
    func renderDetailed(_ cloud: GaussianCloud, camera: Camera, shDegree: Int = 3, background: SIMD3<Double> = .zero,
                        frozen: [PixelPlan]? = nil) -> (image: [Double], depth: [Double], plans: [PixelPlan], rules: RuleCounts) {
        let width = camera.width, height = camera.height
        // Stable sort by depth: equal depths keep index order, as the rasterizer's stable radix sort.
        let splats = project(cloud, camera: camera, shDegree: shDegree).enumerated()
            .sorted { ($0.element.depth, $0.offset) < ($1.element.depth, $1.offset) }.map(\.element)
        var image = [Double](repeating: 0, count: width * height * 3)
        var depth = [Double](repeating: 0, count: width * height)
        var plans = [PixelPlan](repeating: PixelPlan(), count: width * height)
        var rules = RuleCounts()
        for j in 0..<height {
            for i in 0..<width {
                var t = 1.0, weights = 0.0, depthSum = 0.0
                var color = SIMD3<Double>.zero
                var plan = PixelPlan()
                func blend(_ s: Projected, _ alpha: Double) {
                    color += s.color * alpha * t
                    weights += alpha * t
                    depthSum += alpha * t * s.depth
                    t *= 1 - alpha
                }
                func gaussian(_ s: Projected) -> (power: Double, g: Double) {
                    let dx = s.u - Double(i), dy = s.v - Double(j)
                    let power = -0.5 * (s.a * dx * dx + s.c * dy * dy) - s.b * dx * dy
                    return (power, exp(power))
                }
                if let frozen {
                    // The plan names splats by cloud index; look them up among this render's.
                    for (index, excess) in frozen[j * width + i].blended {
                        guard let s = splats.first(where: { $0.index == index }) else { continue }
                        blend(s, s.opacity * gaussian(s).g - excess)
                    }
                } else {
                    for s in splats {
                        if !smooth {
                            guard (s.tiles.x0..<s.tiles.x1).contains(i / 16), (s.tiles.y0..<s.tiles.y1).contains(j / 16) else { continue }
                        }
                        let (power, g) = gaussian(s)
                        if power > 0 { continue }
                        var alpha = s.opacity * g
                        var excess = 0.0
                        if !smooth {
                            if alpha > 0.99 { excess = alpha - 0.99; alpha = 0.99; rules.alphaClamped += 1 }
                            if alpha < 1.0 / 255.0 { rules.belowMinAlpha += 1; continue }
                            if t * (1 - alpha) < 1e-4 { plan.stopped = true; rules.earlyStops += 1; break }
                        }
                        plan.blended.append((s.index, excess))
                        blend(s, alpha)
                    }
                }
                let o = (j * width + i) * 3
                image[o] = color.x + t * background.x
                image[o + 1] = color.y + t * background.y
                image[o + 2] = color.z + t * background.z
                depth[j * width + i] = weights > 0 ? depthSum / weights : 0
                plans[j * width + i] = plan
            }
        }
        return (image, depth, plans, rules)
    }

    /// The composited image, [H*W*3].
    func render(_ cloud: GaussianCloud, camera: Camera, shDegree: Int = 3, background: SIMD3<Double> = .zero) -> [Double] {
        renderDetailed(cloud, camera: camera, shDegree: shDegree, background: background).image
    }
}
