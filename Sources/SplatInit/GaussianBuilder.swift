import Foundation
import SplatCore

/// Accumulates initial Gaussians (docs/how-edgs-works.md §1, docs/init.md): mean = triangulated
/// point, SH DC from the reference image over the point's footprint (higher SH 0), opacity
/// logit 0, identity rotation, isotropic scale (stored as log) from the nearest neighbours or,
/// as EDGS does, 0.5 × scalingFactor × distance to the reference camera centre (`InitialScale`).
struct GaussianBuilder {
    /// Largest nearest-neighbour scale, in pixels of the point's reference view. An isolated point
    /// (a stray match in a textureless area: two on chair, 6–11 units from the origin) otherwise
    /// gets a scale of its distance to the others, up to 8 units there, and one such splat
    /// covers every view in haze. Points sampled about every third pixel are ~2–3 px apart.
    static let maxScalePixels: Float = 10
    /// Largest half-width of the box a footprint colour is averaged over, in reference pixels.
    static let maxFootprintRadius = 12

    let shDegree: Int
    let scalingFactor: Double
    private(set) var count = 0
    private var means = [Float](), logScales = [Float](), colours = [Float]()
    private var pixelSizes = [Float]()   // world size of one reference pixel at the point
    /// Per point: its size in reference pixels when it was given one (coverage fill), else 0
    /// (nearest neighbours decide).
    private var fixedScalePixels = [Float]()
    /// Per point: where its colour comes from, when it is averaged over its footprint once its
    /// size is known (nil: the colour given to `add`).
    private var footprints = [(image: Int, pixel: SIMD2<Float>)?]()
    private var images = [Image8](), imageIndex = [Int: Int]()   // reference images, by scene view

    init(shDegree: Int, scalingFactor: Double) {
        self.shDegree = shDegree; self.scalingFactor = scalingFactor
    }

    /// A triangulated point seen at `refPixel` of its reference view (`view`: the camera's index
    /// in the scene, `image` its photo). Its colour is the mean of the reference image over the
    /// point's footprint (a box as wide as its initial size, see `makeCloud`): one pixel's colour
    /// on a splat several pixels wide is noise on texture.
    mutating func add(position: SIMD3<Double>, refPixel: SIMD2<Float>, view: Int, image: Image8, camera: Camera) {
        let index: Int
        if let i = imageIndex[view] { index = i } else {
            index = images.count; images.append(image); imageIndex[view] = index
        }
        add(position: position, colour: Self.boxMean(image, at: refPixel, radius: 0), camera: camera)
        footprints[count - 1] = (index, refPixel)
    }

    /// A point of the given RGB colour in [0, 1], seen from `camera` (its reference view).
    /// `scalePixels` > 0 fixes its size to that many reference pixels instead of nearest neighbours.
    mutating func add(position: SIMD3<Double>, colour: SIMD3<Float>, camera: Camera, scalePixels: Float = 0) {
        means += [Float(position.x), Float(position.y), Float(position.z)]
        let distance = max((position - camera.center).length, 1e-12)
        let s = Float(log(0.5 * scalingFactor * distance))
        logScales += [s, s, s]
        pixelSizes.append(Float(distance / camera.intrinsics.fx))
        fixedScalePixels.append(scalePixels)
        footprints.append(nil)
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
                let s = fixedScalePixels[i] > 0 ? logf(fixedScalePixels[i] * pixelSizes[i])
                    : min(0.5 * logf(d2[i]), logf(Self.maxScalePixels * pixelSizes[i]))  // log √d², capped
                cloud.logScales[i * 3] = s; cloud.logScales[i * 3 + 1] = s; cloud.logScales[i * 3 + 2] = s
            }
        }
        cloud.shDC = colours
        for i in 0..<count {
            guard let f = footprints[i] else { continue }
            let sigmaPixels = expf(cloud.logScales[i * 3]) / pixelSizes[i]
            let radius = sigmaPixels.isFinite ? min(Int(sigmaPixels.rounded()), Self.maxFootprintRadius) : 0
            let rgb = Self.boxMean(images[f.image], at: f.pixel, radius: radius)
            for c in 0..<3 { cloud.shDC[i * 3 + c] = SH.dc(fromRGB: rgb[c]) }
        }
        return cloud
    }

    /// Mean RGB in [0, 1] of the pixels within `radius` (Chebyshev) of the pixel containing
    /// `at`, clipped to the image; radius 0 is that one pixel.
    static func boxMean(_ image: Image8, at: SIMD2<Float>, radius: Int) -> SIMD3<Float> {
        let cx = min(max(Int(at.x), 0), image.width - 1), cy = min(max(Int(at.y), 0), image.height - 1)
        let x0 = max(cx - radius, 0), x1 = min(cx + radius, image.width - 1)
        let y0 = max(cy - radius, 0), y1 = min(cy + radius, image.height - 1)
        var sum = SIMD3<Float>(repeating: 0)
        for y in y0...y1 { for x in x0...x1 {
            let o = (y * image.width + x) * image.channels
            sum += SIMD3(Float(image.pixels[o]), Float(image.pixels[o + 1]), Float(image.pixels[o + 2]))
        } }
        return sum / Float((x1 - x0 + 1) * (y1 - y0 + 1) * 255)
    }
}
