import Foundation
import SplatCore

/// The slow, obvious twin of the rasterizer: Double precision, every pixel against every
/// Gaussian, depth-sorted per pixel, no tiles lists, no sorting tricks, no fast exp. It follows
/// formats.md §5 literally, including the 3σ tile rectangle (a Gaussian only reaches pixels in
/// the tiles its rectangle covers). `smooth` drops the same cutoffs the rasterizer's test mode does.
struct ReferenceRenderer {
    struct Projected {
        var index: Int
        var u: Double, v: Double, a: Double, b: Double, c: Double   // conic
        var opacity: Double, color: SIMD3<Double>, depth: Double
        var tiles: (x0: Int, y0: Int, x1: Int, y1: Int)
    }

    var smooth = false

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
            let tx = min(max(p.x / p.z, limX0), limX1) * p.z, ty = min(max(p.y / p.z, limY0), limY1) * p.z
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
            color = SIMD3(max(color.x, 0), max(color.y, 0), max(color.z, 0))
            let opacity = 1 / (1 + exp(-Double(cloud.opacityLogits[i])))
            out.append(Projected(index: i, u: u, v: v, a: cc / det, b: -cb / det, c: ca / det, opacity: opacity,
                                 color: color, depth: p.z, tiles: (x0, y0, x1, y1)))
        }
        return out
    }

    /// The composited image, [H*W*3].
    func render(_ cloud: GaussianCloud, camera: Camera, shDegree: Int = 3, background: SIMD3<Double> = .zero) -> [Double] {
        let width = camera.width, height = camera.height
        // Stable sort by depth: equal depths keep index order, as the rasterizer's stable radix sort.
        let splats = project(cloud, camera: camera, shDegree: shDegree).enumerated()
            .sorted { ($0.element.depth, $0.offset) < ($1.element.depth, $1.offset) }.map(\.element)
        var image = [Double](repeating: 0, count: width * height * 3)
        for j in 0..<height {
            for i in 0..<width {
                var t = 1.0
                var color = SIMD3<Double>.zero
                for s in splats {
                    if !smooth {
                        guard (s.tiles.x0..<s.tiles.x1).contains(i / 16), (s.tiles.y0..<s.tiles.y1).contains(j / 16) else { continue }
                    }
                    let dx = s.u - Double(i), dy = s.v - Double(j)
                    let power = -0.5 * (s.a * dx * dx + s.c * dy * dy) - s.b * dx * dy
                    if power > 0 { continue }
                    var alpha = s.opacity * exp(power)
                    if !smooth {
                        alpha = min(0.99, alpha)
                        if alpha < 1.0 / 255.0 { continue }
                        if t * (1 - alpha) < 1e-4 { break }
                    }
                    color += s.color * alpha * t
                    t *= 1 - alpha
                }
                let o = (j * width + i) * 3
                image[o] = color.x + t * background.x
                image[o + 1] = color.y + t * background.y
                image[o + 2] = color.z + t * background.z
            }
        }
        return image
    }
}
