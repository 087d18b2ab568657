import Foundation
import SplatCore
import Testing
@testable import SplatRender

/// The blend kernels step e^power down a pair's rows by two multiplies per row where that is safe
/// (docs/rasterizer.md, "Row recurrence") and evaluate the exp per row elsewhere. Both paths must
/// give the same α, within rounding, on either side of the safety test; `recurrenceFloor = 1`
/// turns the recurrence off.
struct RowRecurrenceTests {
    static let width = 96, height = 80
    /// Looks down +z from z = −4: a world unit at the origin is 20 px wide.
    static let camera = TestScenes.camera(width: width, height: height, focal: 80, center: [0, 0, -4])

    /// One Gaussian at pixel (px, py) with screen σ ≈ 20·e^logScale px along its axes, turned by
    /// `angle` about the view axis; colour ≈ 1 so that on black the red channel is α.
    static func splat(px: Float, py: Float, logScales: (Float, Float), angle: Float, logit: Float = 3) -> GaussianCloud {
        var cloud = GaussianCloud(count: 1, maxSHDegree: 0)
        cloud.means = [(px + 0.5 - 48) / 20, (py + 0.5 - 40) / 21, 0]
        cloud.logScales = [logScales.0, logScales.1, -3]
        cloud.rotations = [cos(angle / 2), 0, 0, sin(angle / 2)]
        cloud.opacityLogits = [logit]
        cloud.shDC = [0.5 / 0.28209479, 0.3, 0.3]
        return cloud
    }

    static func render(_ cloud: GaussianCloud, floor: Float?, settings: RenderSettings = RenderSettings(),
                       dL: [Float]? = nil) -> (RenderResult, GaussianGradients?) {
        var s = settings
        s.recurrenceFloor = floor
        let r = Rasterizer(threadCount: 1)
        let result = r.forward(cloud, camera: camera, settings: s)
        guard let dL else { return (result, nil) }
        var g = GaussianGradients(like: cloud)
        dL.withUnsafeBufferPointer { r.backward(cloud, of: result.pass, dLdImage: $0, into: &g) }
        return (result, g)
    }

    /// The projected record (u, v, A, B, C, o, r, …) of a one-Gaussian cloud, from the projection kernel.
    static func record(_ cloud: GaussianCloud) -> [Float] {
        let out = ProjectionKernelTests.allocateProjection(count: 1)
        defer { ProjectionKernelTests.deallocate(out) }
        let skipped = ProjectForward.run(cloud, view: ViewParameters(camera), shDegree: 0, smooth: false, exactTiles: true,
                                         antialiased: false, into: out, kernel: .default, threads: 1)
        precondition(skipped == 0 && out.tileCounts[0] > 0)
        return (0..<SplatLane.stride).map { out.splats[$0] }
    }

    /// Per pixel, α read back from the red channel (on black, one Gaussian: red = α·r, T = 1) and
    /// its relative error against the exact α of the same Float record, min(0.99, o·e^power) in
    /// Double; nil where the 1/255 test decides (α = 0) or the exact α is within rounding of it.
    static func alphaErrors(_ result: RenderResult, record s: [Float]) -> [Double?] {
        let (u, v, a, b, c, o, red) = (Double(s[0]), Double(s[1]), Double(s[2]), Double(s[3]), Double(s[4]), Double(s[5]), Double(s[6]))
        return (0..<(width * height)).map { p in
            let dx = u - Double(p % width), dy = v - Double(p / width)
            let exact = min(0.99, o * exp(-0.5 * (a * dx * dx + 2 * b * dx * dy + c * dy * dy)))
            let got = Double(result.image.pixels[p * 3]) / red
            if got == 0 || abs(exact * 255 - 1) < 1e-4 { return nil }
            return abs(got / exact - 1)
        }
    }

    /// Compares a render with the recurrence and one without against the exact α. Returns the
    /// worst error of the pixels whose α the recurrence changed, the exp path's worst error, and
    /// whether the recurrence changed anything.
    static func compare(_ cloud: GaussianCloud) -> (recurrence: Double, exp: Double, taken: Bool) {
        let s = record(cloud)
        let fast = render(cloud, floor: nil).0, exact = render(cloud, floor: 1).0
        let ef = alphaErrors(fast, record: s), ee = alphaErrors(exact, record: s)
        var worstFast = 0.0, worstExp = 0.0, taken = false
        for p in 0..<(width * height) {
            // The 1/255 test decides alike on both paths, up to rounding at the threshold.
            #expect((ef[p] == nil) == (ee[p] == nil) || abs(Double(fast.image.pixels[p * 3] - exact.image.pixels[p * 3])) < 1e-5)
            worstExp = max(worstExp, ee[p] ?? 0)
            if fast.image.pixels[p * 3] != exact.image.pixels[p * 3] {
                taken = true
                worstFast = max(worstFast, ef[p] ?? 0)
            }
        }
        #expect(fast.image.pixels.allSatisfy { $0.isFinite })
        return (worstFast, worstExp, taken)
    }

    /// Needles and ellipses at several thicknesses and angles, and sub-pixel offsets near a tile
    /// row boundary so that pairs of 1, 2, 3 and more rows occur: thin ones fail the safety test
    /// (corners far below −80), thick ones pass. Where the recurrence is taken, α is within 4e-6 of
    /// exact (the exp path, which stays where it is not, is up to ~1e-4 off on needles, where the
    /// float power cancels).
    @Test func singleSplatsGiveTheExactAlpha() {
        var worst = 0.0, worstExp = 0.0, taken = 0, cases = 0
        for thin: Float in [-4.6, -3.6, -3.2, -3.0, -2.8, -2.6, -2.3] {
            for angle: Float in [0, 0.35, 0.8, 1.2, 2.0] {
                for dy: Float in [0, 0.3, 0.55, 0.8] {
                    let d = Self.compare(Self.splat(px: 40.3, py: 31.0 + dy, logScales: (-0.3, thin), angle: angle))
                    worst = max(worst, d.recurrence); worstExp = max(worstExp, d.exp)
                    if d.taken { taken += 1 }
                    cases += 1
                }
            }
        }
        print("row recurrence, single splats: α relative error \(worst) where the recurrence is taken (\(taken) of \(cases) renders), exp path \(worstExp)")
        #expect(worst <= 4e-6)
        #expect(taken > cases / 4, "the recurrence was hardly taken: nothing compared")
    }

    /// One isotropic splat per render, mid-tile so that its one pair has 16-lane rows, whose least
    /// corner power sweeps through the −80 floor (screen variance 0.33–0.46 px²): the renders on
    /// both sides of the safety test give the exact α.
    @Test func splatsAroundTheSafetyBoundGiveTheExactAlpha() {
        var worst = 0.0, worstExp = 0.0, taken = 0
        for step in 0..<24 {
            let logScale = -4.5 + 0.03 * Float(step)
            let d = Self.compare(Self.splat(px: 39.7, py: 40.2, logScales: (logScale, logScale), angle: 0.4, logit: 5))
            worst = max(worst, d.recurrence); worstExp = max(worstExp, d.exp)
            if d.taken { taken += 1 }
        }
        print("row recurrence, around the bound: α relative error \(worst) where taken (\(taken) of 24 renders), exp path \(worstExp)")
        #expect(worst <= 4e-6)
        #expect(taken > 0 && taken < 24, "the sweep should straddle the safety test")
    }

    /// A huge splat (every pair 16 rows of the recurrence, powers near 0 and α at the 0.99 clamp
    /// at its centre), and rows that the forward and the backward skip: three opaque bands in front
    /// of a large splat finish the pixels of whole tile rows (the forward skips them), and the
    /// backward skips rows whose last contributor is in front. The recurrence must still step
    /// through those rows: image and gradients agree with the exp path.
    @Test func hugeSplatsAndSkippedRowsAgreeWithTheExpPath() {
        var cloud = GaussianCloud(count: 6, maxSHDegree: 1)
        let parts: [(px: Float, py: Float, z: Float, scales: (Float, Float), logit: Float)] = [
            // Four nearly opaque bands (α ≥ 0.95 within ±13 rows of row 24) finish rows 16–31.
            (50, 24, -1.0, (1.5, 0.7), 8), (51, 24, -0.9, (1.5, 0.7), 8), (49, 24, -0.8, (1.5, 0.7), 8), (50, 25, -0.7, (1.5, 0.7), 8),
            (44, 38, 0.5, (0.2, -0.4), 1),   // large, behind them
            (30, 50, 1.0, (1.2, 0.9), 6),    // huge, behind everything, α clamped at 0.99 near its centre
        ]
        for (i, p) in parts.enumerated() {
            let one = Self.splat(px: p.px, py: p.py, logScales: p.scales, angle: 0.2 * Float(i), logit: p.logit)
            for k in 0..<3 { cloud.logScales[i * 3 + k] = one.logScales[k]; cloud.shDC[i * 3 + k] = one.shDC[k] + 0.1 * Float(k * i) }
            // Same screen position at depth 4 + z.
            let scale = (4 + p.z) / 4
            cloud.means[i * 3] = one.means[0] * scale; cloud.means[i * 3 + 1] = one.means[1] * scale; cloud.means[i * 3 + 2] = p.z
            for k in 0..<4 { cloud.rotations[i * 4 + k] = one.rotations[k] }
            cloud.opacityLogits[i] = p.logit
        }
        for k in 0..<cloud.shRest.count { cloud.shRest[k] = 0.05 * Float(k % 5) - 0.1 }
        let dL: [Float] = (0..<(Self.width * Self.height * 3)).map { Float(($0 * 7919) % 31) / 31 - 0.5 }
        for settings in [RenderSettings(background: [0.2, 0.4, 0.1]), RenderSettings(background: [0.2, 0.4, 0.1], antialiased: true)] {
            let (fast, gf) = Self.render(cloud, floor: nil, settings: settings, dL: dL)
            let (exact, ge) = Self.render(cloud, floor: 1, settings: settings, dL: dL)
            #expect(fast.image.pixels != exact.image.pixels, "the recurrence was not taken")
            let imageDiff = zip(fast.image.pixels, exact.image.pixels).map { abs($0 - $1) }.max()!
            #expect(imageDiff <= 2e-6)
            var worst: Float = 0
            let groups: [KeyPath<GaussianGradients, [Float]>] = [\.means, \.logScales, \.rotations, \.opacityLogits, \.shDC, \.shRest]
            for path in groups {
                let a = gf![keyPath: path], b = ge![keyPath: path]
                #expect(a.allSatisfy { $0.isFinite })
                let scale = b.map(abs).max()!
                #expect(scale > 0)
                let d = zip(a, b).map { abs($0 - $1) }.max()! / scale
                worst = max(worst, d)
            }
            print("row recurrence, bands over a huge splat (antialiased \(settings.antialiased)): image \(imageDiff), gradients \(worst) of each group's largest")
            #expect(worst <= 1e-4)
        }
    }
}
