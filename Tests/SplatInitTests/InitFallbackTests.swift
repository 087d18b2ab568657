import Foundation
import SplatCore
import Testing
@testable import SplatInit

/// What init reports per reference, and the SfM fallback when few matches survive
/// (docs/init.md, "The SfM points too, and when few matches survive").
@Suite struct InitFallbackTests {
    static let synth = EDGSInitializerTests.synth

    static func flat(_ s: SyntheticScene, views: Set<Int>? = nil) -> SyntheticScene {
        var f = s
        for i in f.images.indices where views?.contains(i) ?? true {
            let im = f.images[i]
            f.images[i] = Image8(width: im.width, height: im.height, channels: 3, pixels: [UInt8](repeating: 90, count: im.pixels.count))
        }
        return f
    }

    @Test func everySampleIsKeptOrDroppedForANamedReason() throws {
        let r = try EDGSInitializer.run(scene: Self.synth.scene(), options: EDGSInitializerTests.options,
                                        loadImage: EDGSInitializerTests.loader(Self.synth))
        for ref in r.report.references {
            #expect(ref.kept + ref.droppedNoTriangulation + ref.droppedReprojection + ref.droppedAgreement == ref.sampled)
            #expect(ref.kept > 0 && ref.droppedAgreement > 0 && ref.warning == nil)
            #expect(ref.sharedPoints.count == ref.neighbours.count && ref.anglesDegrees.count == ref.neighbours.count)
        }
        #expect(r.report.denseGaussians == r.cloud.count && r.report.sfmPointsAdded == 0 && r.report.warnings.isEmpty)
    }

    @Test func withoutConfidentMatchesTheSfMPointsAreTheStart() throws {
        let flat = Self.flat(Self.synth)
        let scene = flat.scene()
        var messages = [String]()
        let r = try EDGSInitializer.run(scene: scene, options: EDGSInitializerTests.options,
                                        loadImage: EDGSInitializerTests.loader(flat), progress: { messages.append($0) })
        #expect(scene.points.count > 100)
        #expect(r.cloud.count == scene.points.count)
        #expect(r.report.denseGaussians == 0 && r.report.sfmPointsAdded == scene.points.count && r.report.gaussians == r.cloud.count)
        for i in 0..<r.cloud.count {
            #expect(r.cloud.mean(i) == scene.points[i])
            #expect(abs(r.cloud.opacity(i) - 0.1) < 1e-6)
            #expect(r.cloud.logScales[i * 3].isFinite)
        }
        #expect(r.report.references.allSatisfy { $0.warning?.hasPrefix("no confident match with any neighbour") == true })
        #expect(r.report.warnings.last?.hasPrefix("only 0 of 0 sampled matches survived triangulation; added the scene's") == true)
        #expect(messages.contains { $0.hasPrefix("warning: only 0 of 0 sampled") })
        // Told not to fall back, it is the error it always was, now with the way out.
        var never = EDGSInitializerTests.options; never.sfmPoints = .never
        let e = #expect(throws: InitError.self) {
            try EDGSInitializer.run(scene: scene, options: never, loadImage: EDGSInitializerTests.loader(flat))
        }
        #expect(e?.description.hasPrefix("synthetic: no point survived triangulation") == true)
        #expect(e?.description.contains("--sfm-points auto or always would start from the \(scene.points.count) SfM points") == true)
    }

    @Test func fewDensePointsGetTheSfMPointsAddedAndAlwaysAddsThemAnyway() throws {
        let scene = Self.synth.scene()
        var o = EDGSInitializerTests.options
        let plain = try EDGSInitializer.run(scene: scene, options: o, loadImage: EDGSInitializerTests.loader(Self.synth))
        // Enough dense points that `auto` does not add; `always` adds them after the dense ones.
        #expect(Double(plain.report.denseGaussians) >= o.fewDensePerSfMPoint * Double(scene.points.count))
        o.sfmPoints = .always
        let always = try EDGSInitializerTests.run(scene: scene, options: o)
        #expect(always.cloud.count == plain.cloud.count + scene.points.count)
        #expect(Array(always.cloud.means.prefix(plain.cloud.means.count)) == plain.cloud.means)
        // Few dense points (a handful of samples per reference): auto adds them and says so.
        var few = EDGSInitializerTests.options; few.matchesPerRef = 40
        let r = try EDGSInitializerTests.run(scene: scene, options: few)
        #expect(r.report.sfmPointsAdded == scene.points.count && r.report.denseGaussians < 80)
        #expect(r.cloud.count == r.report.denseGaussians + scene.points.count)
        #expect(r.report.warnings.contains { $0.contains("added the scene's \(scene.points.count) SfM points") })
    }

    /// Cameras 15° apart (the every-3rd-photo case): most samples survive the
    /// two-neighbour agreement and lie on the surfaces.
    @Test func camerasFifteenDegreesApartKeepMostSamplesOnTheSurfaces() throws {
        let wide = SyntheticScene(width: 96, height: 72, focal: 90, angles: [-30, -15, 0, 15, 30])
        var o = EDGSInitializerTests.options; o.numRefs = 3
        let r = try EDGSInitializer.run(scene: wide.scene(), options: o, loadImage: EDGSInitializerTests.loader(wide))
        let d = (0..<r.report.denseGaussians).map { EDGSInitializerTests.surfaceDistance(SIMD3<Double>(r.cloud.mean($0))) }
        let kept = Double(r.report.denseGaussians) / Double(r.report.sampled)
        print("init 15°: kept \(r.report.denseGaussians) of \(r.report.sampled), surface distance median \(EDGSInitializerTests.percentile(d, 0.5)) p90 \(EDGSInitializerTests.percentile(d, 0.9)), angles \(r.report.references.map(\.anglesDegrees))")
        #expect(r.report.references.allSatisfy { $0.warning == nil })
        #expect(kept > 0.5)
        #expect(EDGSInitializerTests.percentile(d, 0.5) < 0.03)
        #expect(EDGSInitializerTests.percentile(d, 0.9) < 0.1)
    }

    @Test func aReferenceWhoseNeighboursAllFailIsReported() throws {
        // View 2's image is flat: as a reference nothing matches; the others still do.
        let broken = Self.flat(Self.synth, views: [2])
        var o = EDGSInitializerTests.options; o.numRefs = 5; o.nnsPerRef = 3
        let r = try EDGSInitializer.run(scene: broken.scene(), options: o, loadImage: EDGSInitializerTests.loader(broken))
        let two = try #require(r.report.references.first { $0.reference == "v2.png" })
        #expect(two.kept == 0 && two.warning?.hasPrefix("no confident match with any neighbour (neighbours ") == true)
        #expect(r.report.warnings.contains { $0.hasPrefix("reference v2.png: no confident match") })
        #expect(r.report.references.filter { $0.reference != "v2.png" }.contains { $0.warning == nil && $0.kept > 0 })
    }
}

extension EDGSInitializerTests {
    static func run(scene: Scene, options: InitOptions) throws -> EDGSInitializer.Result {
        try EDGSInitializer.run(scene: scene, options: options, loadImage: loader(synth))
    }
}
