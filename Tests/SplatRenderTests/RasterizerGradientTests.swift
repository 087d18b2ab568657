import Foundation
import SplatCore
import Testing
@testable import SplatRender

/// Analytic gradients (Float rasterizer, smooth test mode) against central differences of the
/// Double reference renderer on L = Σ w·image with fixed random weights w.
struct RasterizerGradientTests {
    /// Error is |analytic − numeric| / (|numeric| + 1% of the group's largest |numeric|): the floor
    /// keeps near-zero entries from dominating. Float accumulation over ~1000 pixels and the
    /// polynomial exp leave ~1e-4 here; a wrong term gives O(1).
    static let gradientTolerance = 2e-3
    /// 2^-10: θ ± ε is exact in Float for |θ| < 2^13, so the perturbation is exactly ε.
    static let epsilon: Float = 1.0 / 1024

    let width = 40, height = 32
    let background = SIMD3<Float>(0.2, 0.4, 0.6)

    /// A few well-separated, anisotropic, rotated, semi-transparent Gaussians, fully inside the
    /// view, with positive colours (no clamp) and distinct depths (no reordering under ±ε).
    func smoothScene(degree: Int) -> GaussianCloud {
        var rng = SplatRandom(seed: 77)
        let count = 6
        var cloud = GaussianCloud(count: count, maxSHDegree: degree)
        func uniform(_ a: Float, _ b: Float) -> Float { a + (b - a) * rng.nextFloat() }
        for i in 0..<count {
            cloud.means[i * 3] = uniform(-0.5, 0.5)
            cloud.means[i * 3 + 1] = uniform(-0.4, 0.4)
            cloud.means[i * 3 + 2] = Float(i) * 0.15 - 0.4 + uniform(0, 0.05)
            for k in 0..<3 {
                cloud.logScales[i * 3 + k] = uniform(-2.0, -1.3)
                cloud.shDC[i * 3 + k] = uniform(-0.3, 1.0)
            }
            for k in 0..<4 { cloud.rotations[i * 4 + k] = uniform(-1, 1) }
            cloud.rotations[i * 4] += 1.2
            cloud.opacityLogits[i] = uniform(-0.5, 1.0)
        }
        for k in 0..<cloud.shRest.count { cloud.shRest[k] = uniform(-0.1, 0.1) }
        return cloud
    }

    func lossWeights() -> [Float] {
        var rng = SplatRandom(seed: 5)
        return (0..<(width * height * 3)).map { _ in rng.nextFloat() * 2 - 1 }
    }

    @Test(arguments: [0, 1, 3])
    func everyGradientGroupMatchesCentralDifferences(degree: Int) {
        let cloud = smoothScene(degree: degree)
        let camera = TestScenes.camera(width: width, height: height, focal: 40, center: [0.3, -0.2, -3.0])
        var settings = RenderSettings(background: background, shDegree: degree)
        settings.smoothForGradientCheck = true
        let weights = lossWeights()
        let rasterizer = Rasterizer(threadCount: 2)
        let result = rasterizer.forward(cloud, camera: camera, settings: settings)
        #expect(result.visibleCount == cloud.count)
        var grads = GaussianGradients(like: cloud)
        weights.withUnsafeBufferPointer {
            rasterizer.backward(cloud, of: result.pass, dLdImage: $0, into: &grads)
        }

        let reference = ReferenceRenderer(smooth: true)
        let bg = SIMD3<Double>(background)
        func loss(_ c: GaussianCloud) -> Double {
            let img = reference.render(c, camera: camera, shDegree: degree, background: bg)
            var sum = 0.0
            for k in 0..<img.count { sum += Double(weights[k]) * img[k] }
            return sum
        }
        typealias Path = WritableKeyPath<GaussianCloud, [Float]>
        let groups: [(String, Path, [Float])] = [
            ("means", \.means, grads.means), ("logScales", \.logScales, grads.logScales),
            ("rotations", \.rotations, grads.rotations), ("opacityLogits", \.opacityLogits, grads.opacityLogits),
            ("shDC", \.shDC, grads.shDC), ("shRest", \.shRest, grads.shRest),
        ]
        for (name, path, analytic) in groups {
            let values = cloud[keyPath: path]
            guard !values.isEmpty else { continue }
            var numeric = [Double](repeating: 0, count: values.count)
            for k in 0..<values.count {
                var plus = cloud, minus = cloud
                plus[keyPath: path][k] += Self.epsilon
                minus[keyPath: path][k] -= Self.epsilon
                numeric[k] = (loss(plus) - loss(minus)) / (2 * Double(Self.epsilon))
            }
            let scale = numeric.map(abs).max() ?? 0
            var worst = 0.0
            for k in 0..<values.count {
                let err = abs(Double(analytic[k]) - numeric[k]) / (abs(numeric[k]) + 0.01 * scale + 1e-9)
                worst = max(worst, err)
            }
            print("gradient check degree \(degree) \(name): max relative error \(worst) (largest |dL/dθ| \(scale))")
            #expect(worst < Self.gradientTolerance, "\(name): max relative error \(worst)")
            #expect(scale > 1e-3, "\(name): gradient too small to be a meaningful check")
        }
    }

    /// The footprint bounds only skip pixels where α < 1/255, which the blend skips anyway, so
    /// image and gradients must be the same with and without them (up to summation order).
    /// In antialiased mode the bounds come from the compensated opacity, which this also checks.
    @Test(arguments: [false, true])
    func footprintBoundsChangeNeitherImageNorGradients(antialiased: Bool) {
        let cloud = TestScenes.randomCloud(count: 300, degree: 3, seed: 31, logScaleRange: -3.5 ... -1.5)
        let camera = TestScenes.camera(width: 61, height: 45, focal: 55, center: [0.4, 0.3, -3.2])
        let weights: [Float] = (0..<(61 * 45 * 3)).map { (i: Int) -> Float in Float((i * 7907) % 101) / 50.5 - 1 }
        func run(bounded: Bool) -> ([Float], GaussianGradients) {
            var settings = RenderSettings(background: background, antialiased: antialiased)
            settings.boundFootprints = bounded
            let r = Rasterizer(threadCount: 2)
            let result = r.forward(cloud, camera: camera, settings: settings)
            var g = GaussianGradients(like: cloud)
            weights.withUnsafeBufferPointer { r.backward(cloud, of: result.pass, dLdImage: $0, into: &g) }
            return (result.image.pixels, g)
        }
        let (imageA, a) = run(bounded: true), (imageB, b) = run(bounded: false)
        #expect(zip(imageA, imageB).allSatisfy { abs($0 - $1) <= 1e-6 })
        for (name, x, y) in [("means", a.means, b.means), ("logScales", a.logScales, b.logScales),
                             ("rotations", a.rotations, b.rotations), ("opacity", a.opacityLogits, b.opacityLogits),
                             ("shDC", a.shDC, b.shDC), ("shRest", a.shRest, b.shRest)] {
            let scale = y.map(abs).max()!
            let diff = zip(x, y).map { abs($0 - $1) }.max()!
            #expect(diff <= 1e-5 * scale, "\(name): bounded vs unbounded differ by \(diff) of \(scale)")
            #expect(scale > 0)
        }
    }

    @Test func standardModeGradientsMatchSmoothModeWhereCutoffsDoNotBind() {
        // Opaque enough that nothing is clamped at 0.99 and nothing saturates: the only cutoff
        // that differs is the 1/255 skip in the Gaussians' faint tails, a small effect.
        let cloud = smoothScene(degree: 1)
        let camera = TestScenes.camera(width: width, height: height, focal: 40, center: [0.3, -0.2, -3.0])
        let weights = lossWeights()
        func gradients(smooth: Bool) -> GaussianGradients {
            var settings = RenderSettings(background: background, shDegree: 1)
            settings.smoothForGradientCheck = smooth
            let r = Rasterizer(threadCount: 2)
            let pass = r.forward(cloud, camera: camera, settings: settings).pass
            var g = GaussianGradients(like: cloud)
            weights.withUnsafeBufferPointer { r.backward(cloud, of: pass, dLdImage: $0, into: &g) }
            return g
        }
        let a = gradients(smooth: false), b = gradients(smooth: true)
        let scale = b.shDC.map(abs).max()!
        let diff = zip(a.shDC, b.shDC).map { abs($0 - $1) }.max()!
        #expect(diff < 0.05 * scale, "shDC differs by \(diff) of \(scale)")
    }
}
