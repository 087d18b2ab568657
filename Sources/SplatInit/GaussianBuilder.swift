import Foundation
import SplatCore

/// Accumulates initial Gaussians (docs/how-edgs-works.md §1, docs/init.md): mean = triangulated point, SH DC from the
/// reference pixel's colour (higher SH 0), opacity logit 0, identity rotation, isotropic
/// scale (stored as log) from the nearest neighbours or, as EDGS does, 0.5 × scalingFactor ×
/// distance to the reference camera centre (`InitialScale`).
struct GaussianBuilder {
    /// Largest nearest-neighbour scale, in pixels of the point's reference view. An isolated point
    /// (a stray match in a textureless area: two on chair, 6–11 units from the origin) otherwise
    /// gets a scale of its distance to the others, up to 8 units there, and one such splat
    /// covers every view in haze. Points sampled about every third pixel are ~2–3 px apart.
    static let maxScalePixels: Float = 10

    let shDegree: Int
    let scalingFactor: Double
    private(set) var count = 0
    private var means = [Float](), logScales = [Float](), colours = [Float]()
    private var pixelSizes = [Float]()   // world size of one reference pixel at the point

    init(shDegree: Int, scalingFactor: Double) {
        self.shDegree = shDegree; self.scalingFactor = scalingFactor
    }

    /// A triangulated point, coloured with the reference pixel containing its sample position.
    mutating func add(position: SIMD3<Double>, refPixel: SIMD2<Float>, image: Image8, camera: Camera) {
        let x = min(max(Int(refPixel.x), 0), image.width - 1), y = min(max(Int(refPixel.y), 0), image.height - 1)
        let o = (y * image.width + x) * image.channels
        add(position: position, colour: SIMD3((0..<3).map { Float(image.pixels[o + $0]) / 255 }), camera: camera)
    }

    /// A point of the given RGB colour in [0, 1], seen from `camera` (its reference view).
    mutating func add(position: SIMD3<Double>, colour: SIMD3<Float>, camera: Camera) {
        means += [Float(position.x), Float(position.y), Float(position.z)]
        let distance = max((position - camera.center).length, 1e-12)
        let s = Float(log(0.5 * scalingFactor * distance))
        logScales += [s, s, s]
        pixelSizes.append(Float(distance / camera.intrinsics.fx))
        for c in 0..<3 { colours.append(SH.dc(fromRGB: colour[c])) }
        count += 1
    }

    func makeCloud(initialScale: InitialScale, threadCount: Int) -> GaussianCloud {
        var cloud = GaussianCloud(count: count, maxSHDegree: shDegree)  // rotations identity, opacity logit 0, SH rest 0
        cloud.means = means
        switch initialScale {
        case .cameraDistance:
            cloud.logScales = logScales
        case .nearestNeighbors:
            let points = (0..<count).map { SIMD3(means[$0 * 3], means[$0 * 3 + 1], means[$0 * 3 + 2]) }
            let d2 = NearestNeighbors.meanSquaredDistanceToThreeNearest(points, threadCount: threadCount)
            for i in 0..<count {
                let s = min(0.5 * logf(d2[i]), logf(Self.maxScalePixels * pixelSizes[i]))  // log √d², capped
                cloud.logScales[i * 3] = s; cloud.logScales[i * 3 + 1] = s; cloud.logScales[i * 3 + 2] = s
            }
        }
        cloud.shDC = colours
        return cloud
    }
}
