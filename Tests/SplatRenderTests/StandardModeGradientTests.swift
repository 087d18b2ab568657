import Foundation
import SplatCore
import Testing
@testable import SplatRender

/// Gradients in the standard (training) mode, where the colour clamp, the Jacobian clamp, the 0.99
/// α clamp, the 1/255 skip and the transmittance early stop all act. The judge is the Double
/// reference with every discrete decision frozen at the unperturbed parameters (which Gaussians
/// each pixel blends, how much the 0.99 clamp cut, the clamped tangents): its central differences
/// are the derivative of the standard mode's piecewise-smooth image on the piece the parameters
/// lie on, with 3DGS's conventions for the two clamps whose gradient is passed through or held
/// (docs/rasterizer.md, "Gradients"). Where a colour channel is clamped at 0 it is the true
/// derivative (zero) without freezing.
struct StandardModeGradientTests {
    let width = 48, height = 40
    let background = SIMD3<Float>(0.2, 0.4, 0.6)

    var camera: Camera { TestScenes.camera(width: width, height: height, focal: 44, center: [0.3, -0.2, -3.0]) }

    /// Places Gaussian i at camera-space point `p`.
    func place(_ cloud: inout GaussianCloud, _ i: Int, cameraSpace p: SIMD3<Double>) {
        let world = camera.center + camera.pose.rotation.transposed * p
        for k in 0..<3 { cloud.means[i * 3 + k] = Float(world[k]) }
    }

    /// Semi-transparent Gaussians at distinct depths, plus: two nearly opaque ones centred on
    /// pixels (α > 0.99 there), one whose red channel is negative (colour clamp), and two large ones
    /// beyond the widened frustum on the right and at the bottom that still reach into the image
    /// (Jacobian clamp on x and on y).
    func clampScene(degree: Int) -> GaussianCloud {
        var rng = SplatRandom(seed: 91)
        func uniform(_ a: Float, _ b: Float) -> Float { a + (b - a) * rng.nextFloat() }
        let count = 11
        var cloud = GaussianCloud(count: count, maxSHDegree: degree)
        for i in 0..<count {
            let z = 2.4 + 0.12 * Double(i) + Double(uniform(0, 0.04))
            place(&cloud, i, cameraSpace: [Double(uniform(-0.35, 0.35)) * z, Double(uniform(-0.3, 0.3)) * z, z])
            for k in 0..<3 {
                cloud.logScales[i * 3 + k] = uniform(-2.1, -1.4)
                cloud.shDC[i * 3 + k] = uniform(-0.2, 1.0)
            }
            for k in 0..<4 { cloud.rotations[i * 4 + k] = uniform(-1, 1) }
            cloud.rotations[i * 4] += 1.2
            cloud.opacityLogits[i] = uniform(-0.5, 1.5)
        }
        for k in 0..<cloud.shRest.count { cloud.shRest[k] = uniform(-0.1, 0.1) }
        // Nearly opaque (o ≈ 0.99988), wide enough that several pixels pass 0.99.
        for i in [2, 6] {
            cloud.opacityLogits[i] = 9
            for k in 0..<3 { cloud.logScales[i * 3 + k] = -0.9 }
        }
        cloud.shDC[4 * 3] = -2.5   // red = 0.5 + C0·(−2.5) < 0: clamped
        // x/z = 0.8 and y/z = 0.75, beyond the clamp limits (1.15W − cx)/fx ≈ 0.71 and ≈ 0.60.
        place(&cloud, 8, cameraSpace: [0.8 * 3.3, 0.0, 3.3])
        place(&cloud, 9, cameraSpace: [-0.1 * 3.5, 0.75 * 3.5, 3.5])
        for i in [8, 9] {
            for k in 0..<3 { cloud.logScales[i * 3 + k] = -0.9 }
            cloud.opacityLogits[i] = 1
        }
        return cloud
    }

    /// Many opaque Gaussians stacked in depth: most pixels reach the T < 1e-4 stop.
    func saturatedScene(degree: Int) -> GaussianCloud {
        var rng = SplatRandom(seed: 17)
        func uniform(_ a: Float, _ b: Float) -> Float { a + (b - a) * rng.nextFloat() }
        let count = 24
        var cloud = GaussianCloud(count: count, maxSHDegree: degree)
        for i in 0..<count {
            let z = 2.2 + 0.06 * Double(i) + Double(uniform(0, 0.02))
            place(&cloud, i, cameraSpace: [Double(uniform(-0.15, 0.15)) * z, Double(uniform(-0.12, 0.12)) * z, z])
            for k in 0..<3 {
                cloud.logScales[i * 3 + k] = uniform(-0.9, -0.6)
                cloud.shDC[i * 3 + k] = uniform(-0.3, 1.0)
            }
            for k in 0..<4 { cloud.rotations[i * 4 + k] = uniform(-1, 1) }
            cloud.rotations[i * 4] += 1.2
            cloud.opacityLogits[i] = uniform(3, 5)
        }
        for k in 0..<cloud.shRest.count { cloud.shRest[k] = uniform(-0.1, 0.1) }
        return cloud
    }

    func lossWeights() -> [Float] {
        var rng = SplatRandom(seed: 6)
        return (0..<(width * height * 3)).map { _ in rng.nextFloat() * 2 - 1 }
    }

    /// The clamp scene also in antialiased mode (its cutoffs act on the compensated opacity).
    @Test(arguments: zip(["clamps", "saturated", "clamps"], [false, false, true]))
    func gradientsMatchDifferencesOfTheFrozenReference(scene: String, antialiased: Bool) {
        let degree = 1
        let cloud = scene == "clamps" ? clampScene(degree: degree) : saturatedScene(degree: degree)
        let camera = self.camera
        let settings = RenderSettings(background: background, shDegree: degree, antialiased: antialiased)
        let weights = lossWeights()
        let rasterizer = Rasterizer(threadCount: 2)
        let result = rasterizer.forward(cloud, camera: camera, settings: settings)
        var grads = GaussianGradients(like: cloud)
        weights.withUnsafeBufferPointer { rasterizer.backward(cloud, of: result.pass, dLdImage: $0, into: &grads) }

        // Freeze the decisions at the unperturbed parameters, and check the rules really acted.
        let bg = SIMD3<Double>(background)
        let reference = ReferenceRenderer(antialiased: antialiased)
        let base = reference.renderDetailed(cloud, camera: camera, shDegree: degree, background: bg)
        #expect(TestScenes.maxAbsDifference(result.image.pixels, base.image) < referenceTolerance)
        let projected = reference.project(cloud, camera: camera, shDegree: degree)
        var frozen = reference
        for s in projected where s.jacobianClamped { frozen.frozenTangents[s.index] = s.clampedTangents }
        let pixels = width * height
        print("standard-mode scene \(scene): α clamped \(base.rules.alphaClamped), early stops \(base.rules.earlyStops), "
              + "below 1/255 \(base.rules.belowMinAlpha), colour-clamped \(projected.filter(\.colorClamped).count), "
              + "Jacobian-clamped \(frozen.frozenTangents.count)")
        #expect(base.rules.belowMinAlpha > 0)
        if scene == "clamps" {
            // The compensation (ρ ≈ 0.993 for the two opaque ones) leaves fewer pixels above 0.99.
            #expect(base.rules.alphaClamped >= (antialiased ? 1 : 4))
            #expect(projected.contains { $0.colorClamped })
            #expect(projected.contains { $0.clampedTangents.x != nil } && projected.contains { $0.clampedTangents.y != nil })
        } else {
            #expect(base.rules.earlyStops > pixels / 5, "only \(base.rules.earlyStops) early stops")
        }

        func loss(_ c: GaussianCloud) -> Double {
            let img = frozen.renderDetailed(c, camera: camera, shDegree: degree, background: bg, frozen: base.plans).image
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
                let e = abs(Double(analytic[k]) - numeric[k]) / (abs(numeric[k]) + 0.01 * scale + 1e-9)
                worst = max(worst, e)
            }
            print("standard-mode gradient \(scene)\(antialiased ? " antialiased" : "") \(name): max relative error \(worst) (largest |dL/dθ| \(scale))")
            #expect(worst < RasterizerGradientTests.gradientTolerance, "\(scene) \(name): max relative error \(worst)")
            #expect(scale > 1e-3, "\(scene) \(name): gradient too small to be a meaningful check")
        }
        if scene == "clamps" {
            // The clamped channel gets exactly no gradient, the others do.
            #expect(grads.shDC[4 * 3] == 0 && grads.shDC[4 * 3 + 1] != 0)
        }
    }
}
