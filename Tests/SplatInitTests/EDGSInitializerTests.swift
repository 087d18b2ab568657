import Foundation
import SplatCore
import Testing
@testable import SplatInit

@Suite struct EDGSInitializerTests {
    static let synth = SyntheticScene(width: 96, height: 72, focal: 90, angles: [-16, -8, 0, 8, 16])

    static var options: InitOptions {
        var o = InitOptions()
        o.numRefs = 2; o.nnsPerRef = 2; o.matchesPerRef = 1500; o.seed = 5
        o.matcher.maxSide = 96
        o.coverageCells = 0   // these tests judge matched points; CoverageFillTests covers the fill
        o.sfmPoints = .auto   // ... and the SfM points only join them when few survive (InitFallbackTests)
        return o
    }

    static func loader(_ s: SyntheticScene, forbidden: Set<String> = []) -> (Camera) throws -> Image8 {
        { cam in
            if forbidden.contains(cam.name) { throw InitError(cam.name, "test view must not be loaded") }
            return s.images[s.cameras.firstIndex { $0.name == cam.name }!]
        }
    }

    /// Distance from p to the nearest surface of the synthetic scene.
    static func surfaceDistance(_ p: SIMD3<Double>) -> Double {
        let h = SyntheticScene.cubeHalf
        let q = SIMD3(abs(p.x), abs(p.y), abs(p.z)) - h
        let outside = SIMD3(max(q.x, 0), max(q.y, 0), max(q.z, 0)).length
        let cube = outside > 0 ? outside : -max(q.x, max(q.y, q.z))
        return min(cube, abs(p.z - SyntheticScene.wallZ))
    }

    static func percentile(_ v: [Double], _ p: Double) -> Double { let s = v.sorted(); return s[Int(Double(s.count - 1) * p)] }

    @Test func gaussiansLieOnTheTrueSurfacesWithThePixelsColour() throws {
        let r = try EDGSInitializer.run(scene: Self.synth.scene(), options: Self.options, loadImage: Self.loader(Self.synth))
        let c = r.cloud
        #expect(c.count > 1500)
        let d = (0..<c.count).map { i in Self.surfaceDistance(SIMD3<Double>(c.mean(i))) }
        let colourErr = (0..<c.count).map { i -> Double in
            let t = SyntheticScene.texture(SIMD3<Double>(c.mean(i)))
            let b = c.baseColor(i)
            return (abs(Double(b.x) - t.x) + abs(Double(b.y) - t.y) + abs(Double(b.z) - t.z)) / 3
        }
        print("init synthetic: \(c.count) gaussians, surface distance median \(Self.percentile(d, 0.5)) p90 \(Self.percentile(d, 0.9)), colour error median \(Self.percentile(colourErr, 0.5)), reproj median \(r.report.medianReprojectionErrorPx)")
        // With an 8° baseline at distance ~4, 1 px of matching error is ~0.3 scene units of
        // depth; measured median 0.02, p90 0.075 (≈ 0.07 / 0.25 px).
        #expect(Self.percentile(d, 0.5) < 0.04)
        #expect(Self.percentile(d, 0.9) < 0.12)
        #expect(Self.percentile(colourErr, 0.5) < 0.05)
    }

    @Test func requiringTwoAgreeingNeighboursRemovesOutliers() throws {
        var one = Self.options; one.minAgreeingViews = 1
        let a = try EDGSInitializer.run(scene: Self.synth.scene(), options: one, loadImage: Self.loader(Self.synth))
        let b = try EDGSInitializer.run(scene: Self.synth.scene(), options: Self.options, loadImage: Self.loader(Self.synth))
        let da = (0..<a.cloud.count).map { Self.surfaceDistance(SIMD3<Double>(a.cloud.mean($0))) }
        let db = (0..<b.cloud.count).map { Self.surfaceDistance(SIMD3<Double>(b.cloud.mean($0))) }
        #expect(a.cloud.count == a.report.sampled)  // one view: every sampled point is kept here
        #expect(b.cloud.count < a.cloud.count)
        #expect(Self.percentile(db, 0.9) < Self.percentile(da, 0.9))
    }

    @Test func gaussiansHaveTheEDGSInitialParameters() throws {
        var o = Self.options; o.initialScale = .cameraDistance
        let r = try EDGSInitializer.run(scene: Self.synth.scene(), options: o, loadImage: Self.loader(Self.synth))
        let c = r.cloud
        #expect(c.maxSHDegree == 3 && c.shRest.allSatisfy { $0 == 0 })
        #expect(c.opacityLogits.allSatisfy { $0 == 0 })
        for i in 0..<c.count {
            #expect(c.rotations[i * 4] == 1 && c.rotations[i * 4 + 1] == 0 && c.rotations[i * 4 + 2] == 0 && c.rotations[i * 4 + 3] == 0)
            #expect(c.logScales[i * 3] == c.logScales[i * 3 + 1] && c.logScales[i * 3] == c.logScales[i * 3 + 2])
        }
        // Scale = 0.5 × 0.001 × distance to the centre of the reference it came from.
        let refs = r.report.references.map { name in Self.synth.cameras.first { $0.name == name.reference }!.center }
        for i in 0..<c.count {
            let s = Double(expf(c.logScales[i * 3])), m = SIMD3<Double>(c.mean(i))
            #expect(refs.contains { abs(s - 0.0005 * (m - $0).length) < 1e-5 * s })
        }
        #expect(r.report.gaussians == c.count && r.report.references.count == 2)
        #expect(r.report.medianReprojectionErrorPx <= r.report.tolerancePx && abs(r.report.tolerancePx - 0.48) < 1e-9)
    }

    @Test func nearestNeighbourScalesMatchTheThreeNearestPoints() throws {
        let r = try EDGSInitializer.run(scene: Self.synth.scene(), options: Self.options, loadImage: Self.loader(Self.synth))
        let c = r.cloud
        #expect(c.count > 10)
        // Brute force over all points: log √(mean of the 3 smallest squared distances).
        for i in stride(from: 0, to: c.count, by: max(1, c.count / 50)) {
            var d2 = (0..<c.count).filter { $0 != i }.map { j -> Float in let d = c.mean(j) - c.mean(i); return (d * d).sum() }
            d2.sort()
            let expected = 0.5 * logf(max((d2[0] + d2[1] + d2[2]) / 3, 1e-7))
            #expect(abs(c.logScales[i * 3] - expected) < 1e-4)
            #expect(c.logScales[i * 3] == c.logScales[i * 3 + 1] && c.logScales[i * 3] == c.logScales[i * 3 + 2])
        }
    }

    @Test func sameSeedGivesIdenticalCloudAndOtherSeedDoesNot() throws {
        let a = try EDGSInitializer.run(scene: Self.synth.scene(), options: Self.options, loadImage: Self.loader(Self.synth))
        let b = try EDGSInitializer.run(scene: Self.synth.scene(), options: Self.options, loadImage: Self.loader(Self.synth))
        #expect(a.cloud == b.cloud)
        var o = Self.options; o.seed = 6
        let c = try EDGSInitializer.run(scene: Self.synth.scene(), options: o, loadImage: Self.loader(Self.synth))
        #expect(c.cloud != a.cloud)
    }

    @Test func testViewsAreNeverLoaded() throws {
        let scene = Self.synth.scene(test: [0, 3])
        var o = Self.options; o.numRefs = 10
        let r = try EDGSInitializer.run(scene: scene, options: o, loadImage: Self.loader(Self.synth, forbidden: ["v0.png", "v3.png"]))
        #expect(r.report.references.count == 3)
        #expect(r.report.references.allSatisfy { !["v0.png", "v3.png"].contains($0.reference) && $0.neighbours.allSatisfy { !["v0.png", "v3.png"].contains($0) } })
    }

    @Test func fewerThanTwoTrainViewsIsAClearError() {
        let scene = Self.synth.scene(test: [0, 1, 2, 3])
        let e = #expect(throws: InitError.self) {
            try EDGSInitializer.run(scene: scene, options: Self.options, loadImage: Self.loader(Self.synth))
        }
        #expect(e?.description == "synthetic: initialization needs at least 2 train views, the scene has 1")
    }

    @Test func textureLessImagesWithoutSfMPointsGiveNoPointsError() {
        var flat = Self.synth
        flat.images = flat.images.map { Image8(width: $0.width, height: $0.height, channels: 3, pixels: [UInt8](repeating: 90, count: $0.pixels.count)) }
        let e = #expect(throws: InitError.self) {
            try EDGSInitializer.run(scene: flat.scene(sparsePoints: 0), options: Self.options, loadImage: Self.loader(flat))
        }
        #expect(e?.description.hasPrefix("synthetic: no point survived triangulation") == true)
    }

    @Test func correspondenceFilesFromKnownGeometryTriangulateOntoTheSurfaces() throws {
        let dir = try CorrespondenceFilesTests.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try CorrespondenceFilesTests.sceneJSON(Self.synth.cameras, pairs: [(2, 1), (2, 3), (4, 3)])
            .write(toFile: dir + "/scene.json", atomically: true, encoding: .utf8)
        try CorrespondenceFilesTests.runScript([dir + "/scene.json", dir + "/m", "--format", "dense", "--grid", "48", "36"])
        var o = Self.options; o.correspondences = dir + "/m"
        let r = try EDGSInitializer.run(scene: Self.synth.scene(), options: o, loadImage: Self.loader(Self.synth))
        #expect(r.report.references.map(\.reference) == ["v2.png", "v4.png"])
        #expect(r.report.references[0].neighbours == ["v1.png", "v3.png"])
        let d = (0..<r.cloud.count).map { Self.surfaceDistance(SIMD3<Double>(r.cloud.mean($0))) }
        #expect(r.cloud.count > 1000)
        // Exact matches: only float32 rounding of the pixel coordinates remains.
        #expect(Self.percentile(d, 0.99) < 1e-3)
        #expect(r.report.medianReprojectionErrorPx < 1e-3)
    }
}
