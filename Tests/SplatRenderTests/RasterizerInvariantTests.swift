import Foundation
import SplatCore
import Testing
@testable import SplatRender

struct RasterizerInvariantTests {
    let camera = TestScenes.camera(width: 53, height: 35, focal: 48, center: [0.4, -0.3, -3.3])

    @Test func emptySceneRendersBackground() {
        let cloud = GaussianCloud(count: 0, maxSHDegree: 3)
        let bg = SIMD3<Float>(0.1, 0.7, 0.3)
        let rasterizer = Rasterizer()
        let result = rasterizer.forward(cloud, camera: camera, settings: RenderSettings(background: bg))
        #expect(result.visibleCount == 0 && result.tileGaussianPairs == 0 && result.nonFiniteSkipped == 0)
        for p in 0..<(53 * 35) {
            #expect(result.image.pixels[p * 3] == bg.x && result.image.pixels[p * 3 + 1] == bg.y && result.image.pixels[p * 3 + 2] == bg.z)
        }
        var grads = GaussianGradients(like: cloud)
        let dL = [Float](repeating: 1, count: 53 * 35 * 3)
        dL.withUnsafeBufferPointer { rasterizer.backward(cloud, of: result.pass, dLdImage: $0, into: &grads) }
        #expect(grads.means.isEmpty)
    }

    @Test func gaussiansBehindOrOutsideTheViewContributeNothingAndGetZeroGradient() {
        let base = TestScenes.randomCloud(count: 100, degree: 2, seed: 21)
        var cloud = GaussianCloud(count: 103, maxSHDegree: 2)
        for i in 0..<100 { TestScenes.copyGaussian(i, from: base, to: i, of: &cloud) }
        let behind = camera.center - 1.0 * (camera.pose.rotation.transposed * SIMD3<Double>(0, 0, 1))  // 1 unit behind
        let right = camera.pose.rotation.transposed * SIMD3<Double>(1, 0, 0)
        let outside = camera.center + 4.0 * (camera.pose.rotation.transposed * SIMD3<Double>(0, 0, 1)) + 30 * right
        let nearPlane = camera.center + 0.1 * (camera.pose.rotation.transposed * SIMD3<Double>(0, 0, 1))
        for (j, p) in [behind, outside, nearPlane].enumerated() {
            TestScenes.copyGaussian(j, from: base, to: 100 + j, of: &cloud)
            for k in 0..<3 { cloud.means[(100 + j) * 3 + k] = Float(p[k]); cloud.logScales[(100 + j) * 3 + k] = -1 }
            cloud.opacityLogits[100 + j] = 5
        }
        let rasterizer = Rasterizer()
        let plain = rasterizer.forward(base, camera: camera, settings: RenderSettings()).image.pixels
        let result = rasterizer.forward(cloud, camera: camera, settings: RenderSettings())
        #expect(result.image.pixels == plain)
        var grads = GaussianGradients(like: cloud)
        let dL: [Float] = (0..<(53 * 35 * 3)).map { (i: Int) -> Float in Float((i * 7919) % 13) / 13 - 0.4 }
        dL.withUnsafeBufferPointer { rasterizer.backward(cloud, of: result.pass, dLdImage: $0, into: &grads) }
        for j in 100..<103 {
            #expect((0..<3).allSatisfy { grads.means[j * 3 + $0] == 0 && grads.logScales[j * 3 + $0] == 0 && grads.shDC[j * 3 + $0] == 0 })
            #expect((0..<4).allSatisfy { grads.rotations[j * 4 + $0] == 0 } && grads.opacityLogits[j] == 0)
        }
        #expect(grads.means.contains { $0 != 0 })
    }

    @Test func permutingGaussiansLeavesTheImageUnchanged() {
        let cloud = TestScenes.randomCloud(count: 250, degree: 3, seed: 22)
        var rng = SplatRandom(seed: 5)
        let order = (0..<250).shuffled(using: &rng)
        var permuted = GaussianCloud(count: 250, maxSHDegree: 3)
        for (j, i) in order.enumerated() { TestScenes.copyGaussian(i, from: cloud, to: j, of: &permuted) }
        let rasterizer = Rasterizer()
        let a = rasterizer.forward(cloud, camera: camera, settings: RenderSettings()).image.pixels
        let b = rasterizer.forward(permuted, camera: camera, settings: RenderSettings()).image.pixels
        #expect(a == b)
    }

    @Test func nonFiniteGaussiansAreSkippedAndCounted() {
        var cloud = TestScenes.randomCloud(count: 120, degree: 1, seed: 23)
        let clean = cloud
        var filteredKeep = [Bool](repeating: true, count: 120)
        cloud.means[5 * 3 + 1] = .nan; filteredKeep[5] = false
        cloud.logScales[17 * 3] = .infinity; filteredKeep[17] = false
        cloud.rotations[40 * 4 + 2] = .nan; filteredKeep[40] = false
        cloud.shRest[(77 * 3 + 2) * 3] = -.infinity; filteredKeep[77] = false
        var filtered = clean
        filtered.filter(keep: filteredKeep)
        let rasterizer = Rasterizer()
        let result = rasterizer.forward(cloud, camera: camera, settings: RenderSettings())
        #expect(result.nonFiniteSkipped == 4)
        let expected = rasterizer.forward(filtered, camera: camera, settings: RenderSettings())
        #expect(result.image.pixels == expected.image.pixels)
        #expect(result.image.pixels.allSatisfy { $0.isFinite })
        let pass = rasterizer.forward(cloud, camera: camera, settings: RenderSettings()).pass
        var grads = GaussianGradients(like: cloud)
        let dL = [Float](repeating: 0.5, count: 53 * 35 * 3)
        dL.withUnsafeBufferPointer { rasterizer.backward(cloud, of: pass, dLdImage: $0, into: &grads) }
        for arr in [grads.means, grads.logScales, grads.rotations, grads.opacityLogits, grads.shDC, grads.shRest] {
            #expect(arr.allSatisfy { $0.isFinite })
        }
        #expect(grads.means[5 * 3 + 1] == 0 && grads.opacityLogits[17] == 0)
    }

    @Test(arguments: [false, true])
    func renderAndGradientsAreDeterministic(antialiased: Bool) {
        let cloud = TestScenes.randomCloud(count: 300, degree: 3, seed: 24)
        let dL: [Float] = (0..<(53 * 35 * 3)).map { (i: Int) -> Float in Float((i * 31) % 17) / 17 - 0.5 }
        func run(_ threads: Int) -> ([Float], GaussianGradients) {
            let r = Rasterizer(threadCount: threads)
            let result = r.forward(cloud, camera: camera, settings: RenderSettings(antialiased: antialiased))
            var g = GaussianGradients(like: cloud)
            dL.withUnsafeBufferPointer { r.backward(cloud, of: result.pass, dLdImage: $0, into: &g) }
            return (result.image.pixels, g)
        }
        let (img1, g1) = run(2), (img2, g2) = run(2), (img3, g3) = run(1)
        #expect(img1 == img2 && img1 == img3)
        for (name, a, b, c) in [("means", g1.means, g2.means, g3.means), ("logScales", g1.logScales, g2.logScales, g3.logScales),
                                ("rotations", g1.rotations, g2.rotations, g3.rotations),
                                ("opacityLogits", g1.opacityLogits, g2.opacityLogits, g3.opacityLogits),
                                ("shDC", g1.shDC, g2.shDC, g3.shDC), ("shRest", g1.shRest, g2.shRest, g3.shRest)] {
            #expect(a == b, "\(name): two 2-thread runs differ")
            #expect(a == c, "\(name): 1 and 2 threads differ")
            #expect(a.contains { $0 != 0 }, "\(name): all zero, nothing compared")
        }
    }

    /// Large enough that every parallel step really splits (projection and reduce chunks of 4096
    /// Gaussians, the radix sort's 65 536-pair threshold, the gather's 16 384-pair chunks).
    @Test(arguments: [false, true])
    func largeSceneIsIdenticalForOneAndTwoThreads(antialiased: Bool) {
        let cloud = TestScenes.randomCloud(count: 30_000, degree: 1, seed: 26, spread: 1.2, logScaleRange: -3.0 ... -2.2)
        let view = TestScenes.camera(width: 160, height: 120, focal: 150, center: [0.4, -0.3, -3.3])
        let dL: [Float] = (0..<(160 * 120 * 3)).map { (i: Int) -> Float in Float((i * 7907) % 23) / 23 - 0.5 }
        func run(_ threads: Int) -> (RenderResult, GaussianGradients) {
            let r = Rasterizer(threadCount: threads)
            let result = r.forward(cloud, camera: view, settings: RenderSettings(shDegree: 1, antialiased: antialiased))
            var g = GaussianGradients(like: cloud)
            dL.withUnsafeBufferPointer { r.backward(cloud, of: result.pass, dLdImage: $0, into: &g) }
            return (result, g)
        }
        let (r1, g1) = run(1), (r2, g2) = run(2)
        #expect(r1.tileGaussianPairs > 65_536, "only \(r1.tileGaussianPairs) pairs: the sort would not split")
        #expect(r1.image.pixels == r2.image.pixels)
        for (name, a, b) in [("means", g1.means, g2.means), ("logScales", g1.logScales, g2.logScales),
                             ("rotations", g1.rotations, g2.rotations), ("opacityLogits", g1.opacityLogits, g2.opacityLogits),
                             ("shDC", g1.shDC, g2.shDC), ("shRest", g1.shRest, g2.shRest)] {
            #expect(a == b, "\(name): 1 and 2 threads differ")
            #expect(a.contains { $0 != 0 }, "\(name): all zero, nothing compared")
        }
    }

    @Test func backwardOverwritesEveryGradientEntryAndResizes() {
        let cloud = TestScenes.randomCloud(count: 80, degree: 2, seed: 25)
        let rasterizer = Rasterizer()
        let pass = rasterizer.forward(cloud, camera: camera, settings: RenderSettings(shDegree: 1)).pass
        let dL = [Float](repeating: 0.25, count: 53 * 35 * 3)
        var clean = GaussianGradients(like: cloud)
        dL.withUnsafeBufferPointer { rasterizer.backward(cloud, of: pass, dLdImage: $0, into: &clean) }
        var dirty = GaussianGradients(like: cloud)
        for k in dirty.means.indices { dirty.means[k] = .nan }
        for k in dirty.shRest.indices { dirty.shRest[k] = 7 }
        var wrongSize = GaussianGradients(like: TestScenes.randomCloud(count: 3, degree: 0, seed: 1))
        dL.withUnsafeBufferPointer {
            rasterizer.backward(cloud, of: pass, dLdImage: $0, into: &dirty)
            rasterizer.backward(cloud, of: pass, dLdImage: $0, into: &wrongSize)
        }
        for g in [dirty, wrongSize] {
            #expect(g.means == clean.means && g.shRest == clean.shRest)
            #expect(g.rotations == clean.rotations && g.logScales == clean.logScales && g.shDC == clean.shDC)
        }
        // Degree-2 coefficients are inactive at shDegree 1: exactly zero gradient.
        let rc = cloud.restCount
        for i in 0..<80 { for k in 3..<rc { for c in 0..<3 { #expect(clean.shRest[(i * rc + k) * 3 + c] == 0) } } }
        #expect(clean.shRest.contains { $0 != 0 })
    }

    @Test func hugeGaussianCoversEachTileOnce() {
        var cloud = GaussianCloud(count: 1, maxSHDegree: 0)
        for k in 0..<3 { cloud.logScales[k] = 8 }   // σ ≈ 3000 world units, in front of the camera
        let fwd = camera.pose.rotation.transposed * SIMD3<Double>(0, 0, 1)
        for k in 0..<3 { cloud.means[k] = Float(camera.center[k] + 5000 * fwd[k]) }
        let result = Rasterizer().forward(cloud, camera: camera, settings: RenderSettings())
        #expect(result.visibleCount == 1)
        #expect(result.tileGaussianPairs == 4 * 3)   // 53x35 → 4x3 tiles
    }
}
