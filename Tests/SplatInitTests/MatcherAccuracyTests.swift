import SplatCore
import Testing
@testable import SplatInit

/// Accuracy of the built-in matcher against the analytic ground truth of SyntheticScene.
@Suite struct MatcherAccuracyTests {
    struct Stats { var median: Double; var p90: Double; var density: Double; var confident: Int }

    /// Errors (pixels, neighbour image) of matches with certainty ≥ `minCertainty`, over cells
    /// whose true surface point is visible in the neighbour.
    static func accuracy(_ scene: SyntheticScene, ref: Int, nbr: Int, options: MatcherOptions,
                         minCertainty: Float = 0.5) -> Stats {
        let cams = scene.cameras
        let ranges = Dictionary(uniqueKeysWithValues: [ref, nbr].map {
            ($0, DepthRange.estimate(camera: cams[$0], points: [], partner: cams[$0 == ref ? nbr : ref]))
        })
        let images = Dictionary(uniqueKeysWithValues: [ref, nbr].map { ($0, scene.images[$0]) })
        let m = DenseMatcher.match(cameras: cams, reference: ref, neighbours: [nbr], images: images,
                                   depthRanges: ranges, options: options)
        let pair = m.pairs[0]
        var errors = [Double](), visible = 0
        for i in 0..<m.cellCount {
            let u = Double(pair.refXY[i * 2]), v = Double(pair.refXY[i * 2 + 1])
            guard let x = SyntheticScene.surfacePoint(cams[ref], u, v), SyntheticScene.isVisible(x, from: cams[nbr]) else { continue }
            visible += 1
            guard pair.certainty[i] >= minCertainty else { continue }
            let gt = cams[nbr].project(x)!
            let dx = Double(pair.nbrXY[i * 2]) - gt.x, dy = Double(pair.nbrXY[i * 2 + 1]) - gt.y
            errors.append((dx * dx + dy * dy).squareRoot())
        }
        errors.sort()
        guard !errors.isEmpty else { return Stats(median: .infinity, p90: .infinity, density: 0, confident: 0) }
        return Stats(median: errors[errors.count / 2], p90: errors[Int(Double(errors.count - 1) * 0.9)],
                     density: Double(errors.count) / Double(max(1, visible)), confident: errors.count)
    }

    @Test func fullResolutionMatchesAreSubPixelAndDense() {
        let scene = SyntheticScene(angles: [0, 8])
        var o = MatcherOptions(); o.maxSide = 128
        let s = Self.accuracy(scene, ref: 0, nbr: 1, options: o)
        print("matcher full-res: median \(s.median) px, p90 \(s.p90) px, density \(s.density)")
        // Measured: median 0.04 px, p90 0.13 px, density 0.84 (bounds keep ~3x margin).
        #expect(s.median < 0.15)
        #expect(s.p90 < 0.5)
        #expect(s.density > 0.7)
    }

    @Test func downscaledMatchingStaysWithinOnePixelAtFullResolution() {
        let scene = SyntheticScene(angles: [0, -10])
        var o = MatcherOptions(); o.maxSide = 64  // factor 2
        let s = Self.accuracy(scene, ref: 0, nbr: 1, options: o)
        print("matcher factor 2: median \(s.median) px, p90 \(s.p90) px, density \(s.density)")
        // Measured: median 0.09 px, p90 0.25 px, density 0.69 (full-resolution pixels).
        #expect(s.median < 0.3)
        #expect(s.p90 < 1.0)
        #expect(s.density > 0.55)
    }

    /// Neighbours 15° and 20° apart (every 3rd photo of a 77-photo 360° capture is ~14°): the
    /// sweep still finds most of what both views see, within about a pixel.
    @Test(arguments: [15.0, 20.0]) func wideBaselineMatchesStayAccurate(degrees: Double) {
        let scene = SyntheticScene(angles: [0, degrees])
        var o = MatcherOptions(); o.maxSide = 128
        let s = Self.accuracy(scene, ref: 0, nbr: 1, options: o)
        print("matcher \(degrees)°: median \(s.median) px, p90 \(s.p90) px, density \(s.density)")
        // Measured: 15° median 0.043 px, p90 0.13 px, density 0.82; 20° 0.051 / 0.15 / 0.80
        // (as at 8°: the sweep's fronto-parallel windows still fit at these angles).
        #expect(s.median < 0.15)
        #expect(s.p90 < 0.5)
        #expect(s.density > 0.65)
    }

    @Test func certaintyIsLowWhereTheImageHasNoTexture() {
        var scene = SyntheticScene(angles: [0, 8])
        scene.images = scene.images.map { Image8(width: $0.width, height: $0.height, channels: 3,
                                                 pixels: [UInt8](repeating: 128, count: $0.pixels.count)) }
        var o = MatcherOptions(); o.maxSide = 128
        let cams = scene.cameras
        let ranges = [0: DepthRange.estimate(camera: cams[0], points: [], partner: cams[1]),
                      1: DepthRange.estimate(camera: cams[1], points: [], partner: cams[0])]
        let m = DenseMatcher.match(cameras: cams, reference: 0, neighbours: [1],
                                   images: [0: scene.images[0], 1: scene.images[1]], depthRanges: ranges, options: o)
        #expect(m.pairs[0].certainty.allSatisfy { $0 == 0 })
    }

    @Test func certaintyIsInUnitInterval() {
        let scene = SyntheticScene(width: 64, height: 48, focal: 60, angles: [0, 8])
        var o = MatcherOptions(); o.maxSide = 64
        let cams = scene.cameras
        let ranges = [0: DepthRange.estimate(camera: cams[0], points: [], partner: cams[1]),
                      1: DepthRange.estimate(camera: cams[1], points: [], partner: cams[0])]
        let m = DenseMatcher.match(cameras: cams, reference: 0, neighbours: [1],
                                   images: [0: scene.images[0], 1: scene.images[1]], depthRanges: ranges, options: o)
        #expect(m.pairs[0].certainty.allSatisfy { $0 >= 0 && $0 <= 1 })
        #expect(m.pairs[0].certainty.contains { $0 > 0.5 })
    }

    @Test func imagesSmallerThanOneWindowMatchNothing() {
        let scene = SyntheticScene(width: 5, height: 1, focal: 5, angles: [0, 8])
        let cams = scene.cameras
        let ranges = [0: 1.0...10.0, 1: 1.0...10.0]
        let m = DenseMatcher.match(cameras: cams, reference: 0, neighbours: [1],
                                   images: [0: scene.images[0], 1: scene.images[1]], depthRanges: ranges)
        #expect(m.cellCount == 5 && m.pairs[0].certainty.allSatisfy { $0 == 0 })
    }
}
