import Foundation
import SplatCore
import Testing
@testable import SplatRender

/// Float tiled rasterizer vs the Double reference: the only differences are Float rounding and
/// the polynomial exp (≈1e-7 relative), which stay far below this bound on these scenes.
let referenceTolerance = 1e-5

struct RasterizerForwardTests {
    static let cases: [(width: Int, height: Int, degree: Int, seed: UInt64)] = [
        (45, 37, 0, 1), (70, 33, 1, 2), (33, 50, 2, 3), (64, 48, 3, 4), (17, 81, 3, 5),
    ]

    @Test(arguments: 0..<5)
    func tiledRenderMatchesPerPixelReference(caseIndex: Int) {
        let c = Self.cases[caseIndex]
        let cloud = TestScenes.randomCloud(count: 300, degree: c.degree, seed: c.seed)
        let centers: [SIMD3<Double>] = [[0.3, -0.4, -3.2], [2.8, 0.5, 1.2], [-1.5, -1.0, 2.6]]
        let rasterizer = Rasterizer(threadCount: 2)
        for (k, center) in centers.enumerated() {
            let principal: SIMD2<Double>? = k == 1 ? SIMD2(Double(c.width) * 0.4, Double(c.height) * 0.6) : nil
            let camera = TestScenes.camera(width: c.width, height: c.height, focal: Double(c.width) * 0.9,
                                           center: center, principal: principal)
            let bg = SIMD3<Float>(0.2, 0.5, 0.9)
            let result = rasterizer.forward(cloud, camera: camera, settings: RenderSettings(background: bg))
            let expected = ReferenceRenderer().render(cloud, camera: camera, background: SIMD3<Double>(bg))
            let diff = TestScenes.maxAbsDifference(result.image.pixels, expected)
            print("reference case \(caseIndex) camera \(k): max |Δ| = \(diff), visible \(result.visibleCount), pairs \(result.tileGaussianPairs)")
            #expect(diff < referenceTolerance, "case \(caseIndex) camera \(k): max |Δ| = \(diff)")
            #expect(result.visibleCount > 50)
        }
    }

    @Test func saturatedSceneWithEarlyStopsMatchesReference() {
        // Large, nearly opaque Gaussians: most pixels reach the T < 1e-4 stop.
        let cloud = TestScenes.randomCloud(count: 300, degree: 2, seed: 8, logScaleRange: -2.3 ... -1.2, logitRange: 2 ... 6)
        let camera = TestScenes.camera(width: 47, height: 39, focal: 44, center: [-0.3, 0.2, -3.1])
        let settings = RenderSettings(background: [0.3, 0.3, 0.3], outputs: [.alpha])
        let result = Rasterizer(threadCount: 2).forward(cloud, camera: camera, settings: settings)
        let expected = ReferenceRenderer().render(cloud, camera: camera, background: [0.3, 0.3, 0.3])
        let diff = TestScenes.maxAbsDifference(result.image.pixels, expected)
        #expect(diff < referenceTolerance, "max |Δ| = \(diff)")
        let saturated = result.alpha!.filter { $0 > 0.999 }.count
        #expect(saturated > 47 * 39 / 4, "only \(saturated) saturated pixels")
    }

    @Test func smoothModeMatchesSmoothReference() {
        let cloud = TestScenes.randomCloud(count: 120, degree: 3, seed: 9, logitRange: -2 ... 1.5)
        let camera = TestScenes.camera(width: 40, height: 29, focal: 38, center: [0.2, 0.3, -3.5])
        var settings = RenderSettings()
        settings.smoothForGradientCheck = true
        let result = Rasterizer(threadCount: 2).forward(cloud, camera: camera, settings: settings)
        let expected = ReferenceRenderer(smooth: true).render(cloud, camera: camera)
        let diff = TestScenes.maxAbsDifference(result.image.pixels, expected)
        #expect(diff < referenceTolerance, "max |Δ| = \(diff)")
    }

    @Test func lowerSHDegreeSettingIgnoresHigherCoefficients() {
        let cloud = TestScenes.randomCloud(count: 150, degree: 3, seed: 11)
        let camera = TestScenes.camera(width: 48, height: 40, focal: 44, center: [0.5, -0.2, -3.4])
        let result = Rasterizer().forward(cloud, camera: camera, settings: RenderSettings(shDegree: 1))
        let expected = ReferenceRenderer().render(cloud, camera: camera, shDegree: 1)
        #expect(TestScenes.maxAbsDifference(result.image.pixels, expected) < referenceTolerance)
    }

    /// Depth is Σ wᵢzᵢ / Σ wᵢ. The rasterizer divides by 1 − T_final, which equals Σ wᵢ but carries
    /// Float rounding that grows as Σ wᵢ shrinks, hence a bound relative to 1/alpha.
    @Test(arguments: [false, true])
    func depthMatchesReference(saturated: Bool) {
        let cloud = saturated
            ? TestScenes.randomCloud(count: 300, degree: 1, seed: 8, logScaleRange: -2.3 ... -1.2, logitRange: 2 ... 6)
            : TestScenes.randomCloud(count: 300, degree: 1, seed: 13)
        let camera = TestScenes.camera(width: 51, height: 42, focal: 46, center: [0.4, -0.3, -3.2],
                                       principal: SIMD2(22, 23))
        let settings = RenderSettings(background: [0.3, 0.3, 0.3], shDegree: 1, outputs: [.alpha, .depth])
        let result = Rasterizer(threadCount: 2).forward(cloud, camera: camera, settings: settings)
        let expected = ReferenceRenderer().renderDetailed(cloud, camera: camera, shDegree: 1, background: [0.3, 0.3, 0.3])
        let depth = try! #require(result.depth), alpha = try! #require(result.alpha)
        var worst = 0.0, covered = 0
        for p in 0..<(51 * 42) {
            if expected.depth[p] == 0 {
                #expect(depth[p] == 0, "pixel \(p): reference blended nothing, rasterizer depth \(depth[p])")
                continue
            }
            covered += 1
            let err = abs(Double(depth[p]) - expected.depth[p]) * Double(max(alpha[p], 1e-3))
            worst = max(worst, err)
        }
        print("depth vs reference (saturated \(saturated)): max |Δz|·alpha = \(worst) over \(covered) pixels")
        #expect(worst < 1e-5, "max |Δz|·alpha = \(worst)")
        #expect(covered > 51 * 42 / 2)
    }

    @Test func alphaAndDepthOutputsDescribeTheBlend() {
        let cloud = TestScenes.randomCloud(count: 200, degree: 0, seed: 12)
        let camera = TestScenes.camera(width: 50, height: 40, focal: 45, center: [0, 0, -3.3])
        let settings = RenderSettings(background: [1, 1, 1], shDegree: 0, outputs: [.alpha, .depth])
        let result = Rasterizer().forward(cloud, camera: camera, settings: settings)
        let alpha = try! #require(result.alpha), depth = try! #require(result.depth)
        // On a white background, out = C + (1 − alpha)·1; with every colour ≥ 0 this bounds the image.
        for p in 0..<(50 * 40) {
            #expect(alpha[p] >= 0 && alpha[p] <= 1)
            #expect(result.image.pixels[p * 3] >= 1 - alpha[p] - 1e-6)
            if alpha[p] > 0.01 { #expect(depth[p] > 0.2 && depth[p] < 10) } else if alpha[p] == 0 { #expect(depth[p] == 0) }
        }
        #expect(alpha.contains { $0 > 0.9 })
    }
}
