import Foundation
import SplatCore
import Testing
@testable import SplatRender

/// The antialiased mode (Mip-Splatting's 2D filter, `RenderSettings.antialiased`) against the
/// Double reference with the same mode: forward, gradients, thread independence, and that it acts
/// where it should (small splats) and hardly where it should not (large ones).
struct AntialiasingTests {
    let background = SIMD3<Float>(0.2, 0.4, 0.6)

    /// Many Gaussians of about a pixel or less, where ρ is well below 1, plus some large ones.
    func smallSplatCloud(seed: UInt64, degree: Int) -> GaussianCloud {
        TestScenes.randomCloud(count: 300, degree: degree, seed: seed, logScaleRange: -5.0 ... -1.8)
    }

    /// ρ = opacity with the filter / opacity without, per projected Gaussian of the reference.
    func compensations(_ cloud: GaussianCloud, camera: Camera) -> [Double] {
        let plain = ReferenceRenderer().project(cloud, camera: camera, shDegree: 0)
        let filtered = ReferenceRenderer(antialiased: true).project(cloud, camera: camera, shDegree: 0)
        return zip(plain, filtered).map { $1.opacity / $0.opacity }
    }

    @Test(arguments: 0..<3)
    func antialiasedRenderMatchesAntialiasedReference(caseIndex: Int) {
        let sizes = [(45, 37), (64, 48), (33, 50)]
        let (width, height) = sizes[caseIndex]
        let degree = [0, 1, 3][caseIndex]
        let cloud = smallSplatCloud(seed: 40 + UInt64(caseIndex), degree: degree)
        let rasterizer = Rasterizer(threadCount: 2)
        for (k, center) in [SIMD3<Double>(0.3, -0.4, -3.2), [2.8, 0.5, 1.2]].enumerated() {
            let camera = TestScenes.camera(width: width, height: height, focal: Double(width) * 0.9, center: center)
            let settings = RenderSettings(background: background, shDegree: degree, antialiased: true)
            let result = rasterizer.forward(cloud, camera: camera, settings: settings)
            let bg = SIMD3<Double>(background)
            let expected = ReferenceRenderer(antialiased: true).render(cloud, camera: camera, shDegree: degree, background: bg)
            let diff = TestScenes.maxAbsDifference(result.image.pixels, expected)
            // The filter must really act here, else this would only repeat the standard-mode test.
            let standard = ReferenceRenderer().render(cloud, camera: camera, shDegree: degree, background: bg)
            let effect = zip(standard, expected).map { abs($0 - $1) }.max() ?? 0
            let rho = compensations(cloud, camera: camera)
            print("antialiased case \(caseIndex) camera \(k): max |Δ| = \(diff), filter changes pixels by up to \(effect), "
                  + "ρ in \(rho.min() ?? 1)...\(rho.max() ?? 1)")
            #expect(diff < referenceTolerance, "case \(caseIndex) camera \(k): max |Δ| = \(diff)")
            #expect(effect > 0.05, "the filter hardly changed the image (\(effect))")
            #expect((rho.min() ?? 1) < 0.3 && rho.allSatisfy { $0 > 0 && $0 <= 1 })
        }
    }

    /// Large splats (σ of many pixels) are left nearly as they were: ρ ≈ 1.
    @Test func largeSplatsAreNearlyUnchanged() {
        let cloud = TestScenes.randomCloud(count: 60, degree: 1, seed: 43, logScaleRange: -1.6 ... -1.2)
        let camera = TestScenes.camera(width: 48, height: 40, focal: 44, center: [0.3, -0.2, -3.0])
        let r = Rasterizer(threadCount: 2)
        let plain = r.forward(cloud, camera: camera, settings: RenderSettings(shDegree: 1)).image.pixels
        let filtered = r.forward(cloud, camera: camera, settings: RenderSettings(shDegree: 1, antialiased: true)).image.pixels
        let diff = zip(plain, filtered).map { abs($0 - $1) }.max()!
        let rho = compensations(cloud, camera: camera)
        print("large splats: max |Δ| = \(diff), ρ in \(rho.min()!)...\(rho.max()!)")
        #expect(diff > 0 && diff < 0.05, "max |Δ| = \(diff)")
        #expect(rho.allSatisfy { $0 > 0.95 && $0 <= 1 })
    }

    /// Needles seen end-on have det Σ2D ≈ 0 (or slightly below it after rounding): ρ = 0, nothing is
    /// drawn, and every gradient stays finite; in the standard mode the same needles do show.
    @Test func degenerateFootprintsVanishWithFiniteGradients() {
        let camera = TestScenes.camera(width: 48, height: 40, focal: 44, center: [0.3, -0.2, -3.0])
        var cloud = TestScenes.randomCloud(count: 40, degree: 1, seed: 44)
        let base = cloud
        // Identity rotation: the long axis is world z, about the viewing direction of this camera.
        for i in 0..<8 {
            cloud.logScales[i * 3] = -40; cloud.logScales[i * 3 + 1] = -40; cloud.logScales[i * 3 + 2] = -0.5
            cloud.rotations[i * 4] = 1; for k in 1..<4 { cloud.rotations[i * 4 + k] = 0 }
            cloud.opacityLogits[i] = 4
        }
        var without = base
        without.filter(keep: (0..<40).map { $0 >= 8 })
        let r = Rasterizer(threadCount: 2)
        let settings = RenderSettings(background: background, shDegree: 1, antialiased: true)
        let withNeedles = r.forward(cloud, camera: camera, settings: settings)
        let expected = r.forward(without, camera: camera, settings: settings).image.pixels
        #expect(withNeedles.image.pixels == expected)
        let pass = r.forward(cloud, camera: camera, settings: settings).pass
        var grads = GaussianGradients(like: cloud)
        let dL: [Float] = (0..<(48 * 40 * 3)).map { (i: Int) -> Float in Float((i * 7919) % 13) / 13 - 0.4 }
        dL.withUnsafeBufferPointer { r.backward(cloud, of: pass, dLdImage: $0, into: &grads) }
        for arr in [grads.means, grads.logScales, grads.rotations, grads.opacityLogits, grads.shDC, grads.shRest] {
            #expect(arr.allSatisfy { $0.isFinite })
        }
        let standard = r.forward(cloud, camera: camera, settings: RenderSettings(background: background, shDegree: 1)).image.pixels
        #expect(standard != expected, "the needles should be visible without the filter")
    }

    /// Smooth-mode scene: well-separated Gaussians at distinct depths, of about a pixel (ρ from
    /// ≈ 0.34 to ≈ 0.72; the smallest is a thin sheet), where the compensation's gradient is large.
    func gradientScene(degree: Int) -> GaussianCloud {
        var rng = SplatRandom(seed: 78)
        let count = 7
        var cloud = GaussianCloud(count: count, maxSHDegree: degree)
        func uniform(_ a: Float, _ b: Float) -> Float { a + (b - a) * rng.nextFloat() }
        for i in 0..<count {
            cloud.means[i * 3] = uniform(-0.5, 0.5)
            cloud.means[i * 3 + 1] = uniform(-0.4, 0.4)
            cloud.means[i * 3 + 2] = Float(i) * 0.15 - 0.4 + uniform(0, 0.05)
            for k in 0..<3 {
                cloud.logScales[i * 3 + k] = uniform(-3.6, -2.2)
                cloud.shDC[i * 3 + k] = uniform(-0.3, 1.0)
            }
            for k in 0..<4 { cloud.rotations[i * 4 + k] = uniform(-1, 1) }
            cloud.rotations[i * 4] += 1.2
            cloud.opacityLogits[i] = uniform(0.5, 2.5)
        }
        cloud.logScales[3 * 3 + 1] = -6.5
        for k in 0..<cloud.shRest.count { cloud.shRest[k] = uniform(-0.1, 0.1) }
        return cloud
    }

    @Test(arguments: [0, 1, 3])
    func antialiasedGradientsMatchCentralDifferences(degree: Int) {
        let width = 40, height = 32
        let cloud = gradientScene(degree: degree)
        let camera = TestScenes.camera(width: width, height: height, focal: 40, center: [0.3, -0.2, -3.0])
        var settings = RenderSettings(background: background, shDegree: degree, antialiased: true)
        settings.smoothForGradientCheck = true
        var rng = SplatRandom(seed: 5)
        let weights = (0..<(width * height * 3)).map { _ in rng.nextFloat() * 2 - 1 }
        let rasterizer = Rasterizer(threadCount: 2)
        let result = rasterizer.forward(cloud, camera: camera, settings: settings)
        #expect(result.visibleCount == cloud.count)
        var grads = GaussianGradients(like: cloud)
        weights.withUnsafeBufferPointer { rasterizer.backward(cloud, of: result.pass, dLdImage: $0, into: &grads) }

        let rho = compensations(cloud, camera: camera)
        print("antialiased gradient scene: ρ = \(rho.map { String(format: "%.3f", $0) }.joined(separator: ", "))")
        #expect(rho.count == cloud.count && rho.min()! < 0.4 && rho.max()! < 0.8)

        let reference = ReferenceRenderer(smooth: true, antialiased: true)
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
        let epsilon = RasterizerGradientTests.epsilon
        for (name, path, analytic) in groups {
            let values = cloud[keyPath: path]
            guard !values.isEmpty else { continue }
            var numeric = [Double](repeating: 0, count: values.count)
            for k in 0..<values.count {
                var plus = cloud, minus = cloud
                plus[keyPath: path][k] += epsilon
                minus[keyPath: path][k] -= epsilon
                numeric[k] = (loss(plus) - loss(minus)) / (2 * Double(epsilon))
            }
            let scale = numeric.map(abs).max() ?? 0
            var worst = 0.0
            for k in 0..<values.count {
                let err = abs(Double(analytic[k]) - numeric[k]) / (abs(numeric[k]) + 0.01 * scale + 1e-9)
                worst = max(worst, err)
            }
            print("antialiased gradient degree \(degree) \(name): max relative error \(worst) (largest |dL/dθ| \(scale))")
            #expect(worst < RasterizerGradientTests.gradientTolerance, "\(name): max relative error \(worst)")
            #expect(scale > 1e-3, "\(name): gradient too small to be a meaningful check")
        }
    }

    /// The compensation's own gradient matters: without it (ρ held constant) the logScales
    /// gradient of the sub-pixel scene is clearly different. Guards against a backward that
    /// only rescales the opacity gradient.
    @Test func compensationGradientIsNotNegligible() {
        let width = 40, height = 32
        let cloud = gradientScene(degree: 0)
        let camera = TestScenes.camera(width: width, height: height, focal: 40, center: [0.3, -0.2, -3.0])
        var settings = RenderSettings(background: background, shDegree: 0, antialiased: true)
        settings.smoothForGradientCheck = true
        var rng = SplatRandom(seed: 5)
        let weights = (0..<(width * height * 3)).map { _ in rng.nextFloat() * 2 - 1 }
        let r = Rasterizer(threadCount: 1)
        let pass = r.forward(cloud, camera: camera, settings: settings).pass
        var grads = GaussianGradients(like: cloud)
        weights.withUnsafeBufferPointer { r.backward(cloud, of: pass, dLdImage: $0, into: &grads) }
        // Central differences of the reference with ρ frozen at its value for the unperturbed cloud:
        // frozen ρ as a pre-scaled opacity logit per Gaussian.
        let rho = compensations(cloud, camera: camera)
        let reference = ReferenceRenderer(smooth: true)
        let bg = SIMD3<Double>(background)
        func loss(_ c: GaussianCloud) -> Double {
            var frozen = c
            for i in 0..<c.count {
                let o = 1 / (1 + exp(-Double(c.opacityLogits[i]))) * rho[i]
                frozen.opacityLogits[i] = Float(log(o / (1 - o)))
            }
            let img = reference.render(frozen, camera: camera, shDegree: 0, background: bg)
            return zip(img, weights).reduce(0) { $0 + $1.0 * Double($1.1) }
        }
        let eps = RasterizerGradientTests.epsilon
        var worst = 0.0, scale = 0.0
        for k in 0..<cloud.logScales.count {
            var plus = cloud, minus = cloud
            plus.logScales[k] += eps; minus.logScales[k] -= eps
            let numeric = (loss(plus) - loss(minus)) / (2 * Double(eps))
            worst = max(worst, abs(Double(grads.logScales[k]) - numeric)); scale = max(scale, abs(numeric))
        }
        print("logScales gradient with ρ frozen differs from the full one by up to \(worst) (largest \(scale))")
        #expect(worst > 0.2 * scale)
    }
}
