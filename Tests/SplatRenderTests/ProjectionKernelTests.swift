import Foundation
import SplatCore
import Testing
@testable import SplatRender

/// The projection kernel (CBlend's project.c, docs/rasterizer.md "Projection kernel") against its
/// Swift twin `ProjectForward.projectOne`, and its variants against each other. The kernel differs
/// from the twin only through its own e^x and ln x (≈ 1 ulp instead of libm's), so the record lanes
/// agree to float rounding and the tile decisions agree except where a rounding edge falls (a
/// last-bit change of the radius, the footprint k² or the ellipse test), which must stay rare.
struct ProjectionKernelTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var cloud: GaussianCloud
        var degree: Int
        var smooth = false, exactTiles = true, antialiased = false
        var testDescription: String { name }
    }

    static let cases: [Case] = {
        // 2,000 Gaussians (not a multiple of any vector width), small to large, some faint, a few
        // non-finite parameters, some behind the camera or outside the frustum (Jacobian clamps).
        var mixed = TestScenes.randomCloud(count: 2003, degree: 3, seed: 51, spread: 2.5, logScaleRange: -5 ... -0.8,
                                           logitRange: -7 ... 6)
        mixed.opacityLogits[3] = .nan
        mixed.means[17 * 3 + 1] = .infinity
        mixed.shRest[40 * 45 + 44] = -.nan
        mixed.rotations[77 * 4 + 2] = .infinity
        mixed.logScales[91 * 3] = 60   // e^60 squared overflows: skipped as non-finite
        // Some large enough for rectangles of more than 64 tiles (tested without a mask).
        for i in stride(from: 7, to: mixed.count, by: 97) { for k in 0..<3 { mixed.logScales[i * 3 + k] = -0.3 } }
        var needles = mixed
        for i in stride(from: 0, to: needles.count, by: 5) { needles.logScales[i * 3 + 1] = -14 }   // det ≤ 0 edges
        let low = TestScenes.randomCloud(count: 517, degree: 1, seed: 52, spread: 1.5, logScaleRange: -4 ... -1)
        return [
            Case(name: "degree 3", cloud: mixed, degree: 3),
            Case(name: "degree 2 of a degree-3 cloud", cloud: mixed, degree: 2),
            Case(name: "degree 0", cloud: mixed, degree: 0),
            Case(name: "antialiased", cloud: mixed, degree: 3, antialiased: true),
            Case(name: "needles", cloud: needles, degree: 3),
            Case(name: "3σ rectangles only", cloud: mixed, degree: 3, exactTiles: false),
            Case(name: "smooth test mode", cloud: low, degree: 1, smooth: true, exactTiles: false),
        ]
    }()

    /// Everything one projection writes, for drawn Gaussians only (the rest are never read).
    struct Projection {
        var skipped = 0
        var counts: [Int] = [], flags: [UInt8] = [], rects: [Int32] = [], masks: [UInt64] = [], records: [Float] = []
    }

    static let camera = TestScenes.camera(width: 203, height: 157, focal: 160, center: [0.4, -0.3, -3.4])

    /// Uninitialised projection buffers for n Gaussians; free them with `deallocate`.
    static func allocateProjection(count n: Int) -> ProjectionBuffers {
        ProjectionBuffers(splats: .allocate(capacity: n * SplatLane.stride), tileRects: .allocate(capacity: n * 4),
                          tileCounts: .allocate(capacity: n), flags: .allocate(capacity: n), tileMasks: .allocate(capacity: n))
    }

    static func deallocate(_ b: ProjectionBuffers) {
        b.splats.deallocate(); b.tileRects.deallocate(); b.tileCounts.deallocate(); b.flags.deallocate()
        b.tileMasks.deallocate()
    }

    static func project(_ c: Case, kernel: BlendKernel?, threads: Int) -> Projection {
        let n = c.cloud.count, view = ViewParameters(camera)
        let out = allocateProjection(count: n)
        defer { deallocate(out) }
        let splats = out.splats, rects = out.tileRects, counts = out.tileCounts, masks = out.tileMasks, flags = out.flags
        var p = Projection()
        if let kernel {
            p.skipped = ProjectForward.run(c.cloud, view: view, shDegree: c.degree, smooth: c.smooth, exactTiles: c.exactTiles,
                                           antialiased: c.antialiased, into: out, kernel: kernel, threads: threads)
        } else {
            p.skipped = ProjectForward.runScalar(c.cloud, view: view, shDegree: c.degree, smooth: c.smooth,
                                                 exactTiles: c.exactTiles, antialiased: c.antialiased, into: out)
        }
        for i in 0..<n {
            p.counts.append(counts[i]); p.flags.append(flags[i])
            let drawn = counts[i] > 0
            for k in 0..<4 { p.rects.append(drawn ? rects[i * 4 + k] : 0) }
            for k in 0..<SplatLane.stride { p.records.append(drawn ? splats[i * SplatLane.stride + k] : 0) }
            // Rectangles of Gaussians that are not drawn are never written.
            let w = drawn ? Int(rects[i * 4 + 2]) - Int(rects[i * 4]) : 0
            let h = drawn ? Int(rects[i * 4 + 3]) - Int(rects[i * 4 + 1]) : 0
            p.masks.append(drawn && c.exactTiles && TileCoverage.usesMask(width: w, height: h) ? masks[i] : 0)
        }
        return p
    }

    @Test(arguments: cases)
    func kernelMatchesTheSwiftTwin(_ c: Case) {
        let twin = Self.project(c, kernel: nil, threads: 1)
        let kernel = Self.project(c, kernel: .default, threads: 2)
        #expect(kernel.skipped == twin.skipped)
        #expect(twin.counts.filter { $0 > 0 }.count > c.cloud.count / 10, "too few drawn to compare")
        // The lanes computed through a determinant get a looser bound: det = AC − B² cancels for
        // thin splats, which turns the last-bit differences of e^(log-scale) into relative
        // differences of up to ~1e-5 there (seen 1.3e-5): the conic, and in the antialiased mode
        // the opacity ρ·o and what follows from it (k², the row extent).
        let conditioned = Set([SplatLane.conicA, SplatLane.conicB, SplatLane.conicC]
            + (c.antialiased ? [SplatLane.opacity, SplatLane.footprint, SplatLane.rowExtent] : []))
        let big = (0..<c.cloud.count).filter { twin.counts[$0] > 0 && (twin.rects[$0 * 4 + 2] - twin.rects[$0 * 4]) * (twin.rects[$0 * 4 + 3] - twin.rects[$0 * 4 + 1]) > 64 }
        if c.exactTiles { #expect(big.count >= 3, "no rectangle of more than 64 tiles to compare") }
        var decisionsDiffer = 0, worstLane = 0.0, worstLaneIndex = -1, worstConic = 0.0
        for i in 0..<c.cloud.count {
            let sameTiles = kernel.counts[i] == twin.counts[i] && kernel.masks[i] == twin.masks[i]
                && kernel.rects[(i * 4)..<(i * 4 + 4)] == twin.rects[(i * 4)..<(i * 4 + 4)]
            guard sameTiles else { decisionsDiffer += 1; continue }
            #expect(kernel.flags[i] == twin.flags[i], "Gaussian \(i): clamp flags differ")
            for k in 0..<SplatLane.stride where twin.counts[i] > 0 {
                let x = Double(kernel.records[i * SplatLane.stride + k]), y = Double(twin.records[i * SplatLane.stride + k])
                if x == y { continue }
                // Relative to the lane's size, but at least 1 (k² and colours pass through 0).
                let d = abs(x - y) / max(1, abs(y))
                if conditioned.contains(k) { worstConic = max(worstConic, d) }
                else if d > worstLane { worstLane = d; worstLaneIndex = k }
            }
        }
        print("projection kernel vs Swift twin, \(c.name): worst difference through a determinant \(worstConic), worst other lane \(worstLane) (lane \(worstLaneIndex)), tile decisions differ for \(decisionsDiffer) of \(c.cloud.count)")
        #expect(worstConic <= 1e-4)
        #expect(worstLane <= 2e-6)
        #expect(decisionsDiffer <= c.cloud.count / 500, "more tile decisions differ than rounding edges explain")
    }

    @Test(arguments: cases)
    func everyVariantAndThreadCountGivesTheSameBits(_ c: Case) {
        let reference = Self.project(c, kernel: .generic, threads: 1)
        for kernel in BlendKernel.allCases where kernel.isSupported {
            for threads in [1, 2] {
                let p = Self.project(c, kernel: kernel, threads: threads)
                #expect(p.skipped == reference.skipped, "\(kernel.name), \(threads) threads")
                #expect(p.counts == reference.counts, "\(kernel.name), \(threads) threads: tile counts")
                #expect(p.flags == reference.flags, "\(kernel.name), \(threads) threads: flags")
                #expect(p.rects == reference.rects, "\(kernel.name), \(threads) threads: rectangles")
                #expect(p.masks == reference.masks, "\(kernel.name), \(threads) threads: masks")
                #expect(p.records.map(\.bitPattern) == reference.records.map(\.bitPattern),
                        "\(kernel.name), \(threads) threads: records")
            }
        }
    }

    /// Every gradient group of the chain rule for the case's projection (by the kernel) and a fixed
    /// screen-space gradient per Gaussian, by the kernel variant or (nil) the Swift twin.
    static func chainRule(_ c: Case, kernel: BlendKernel?, threads: Int) -> GaussianGradients {
        let n = c.cloud.count, view = ViewParameters(camera)
        let projection = allocateProjection(count: n)
        defer { deallocate(projection) }
        _ = ProjectForward.run(c.cloud, view: view, shDegree: c.degree, smooth: c.smooth, exactTiles: c.exactTiles,
                               antialiased: c.antialiased, into: projection, kernel: .generic, threads: 1)
        let grad2D: [Float] = (0..<(n * Grad2DLane.stride)).map { (k: Int) -> Float in Float((k * 7919) % 61) / 61 - 0.5 }
        var g = GaussianGradients(like: c.cloud)
        // Stale values, to see that every entry is written.
        for k in g.shRest.indices { g.shRest[k] = 7 }
        for k in g.means.indices { g.means[k] = 7 }
        CloudPointers.with(c.cloud) { cp in
            grad2D.withUnsafeBufferPointer { g2 in
                g.withPointers { out in
                    if let kernel {
                        ProjectBackward.run(c.cloud, c: cp, view: view, shDegree: c.degree, antialiased: c.antialiased,
                                            projection: projection, grad2D: g2.baseAddress!, out: out, kernel: kernel,
                                            threads: threads)
                    } else {
                        ProjectBackward.runScalar(c.cloud, c: cp, view: view, shDegree: c.degree, antialiased: c.antialiased,
                                                  projection: projection, grad2D: g2.baseAddress!, out: out)
                    }
                }
            }
        }
        return g
    }

    static var gradientGroups: [(String, KeyPath<GaussianGradients, [Float]>)] { [
        ("means", \.means), ("logScales", \.logScales), ("rotations", \.rotations),
        ("opacityLogits", \.opacityLogits), ("shDC", \.shDC), ("shRest", \.shRest)] }

    @Test(arguments: cases)
    func chainRuleMatchesTheSwiftTwin(_ c: Case) {
        let twin = Self.chainRule(c, kernel: nil, threads: 1)
        let kernel = Self.chainRule(c, kernel: .default, threads: 2)
        for (name, path) in Self.gradientGroups {
            let a = kernel[keyPath: path], b = twin[keyPath: path]
            let largest = b.reduce(0) { max($0, abs(Double($1))) }
            if name != "shRest" || c.degree > 0 { #expect(largest > 0, "\(name): all zero") }
            var worst = 0.0
            for k in a.indices {
                #expect(a[k].isFinite, "\(name)[\(k)] is not finite")
                worst = max(worst, abs(Double(a[k]) - Double(b[k])))
            }
            // Relative to the group's largest entry: the kernel's own e^x differs from libm's in
            // the last bit, and thin splats' determinants amplify that (see the forward test).
            print("chain rule kernel vs Swift twin, \(c.name), \(name): max difference \(worst / max(largest, 1e-30)) of the largest \(largest)")
            #expect(worst <= 1e-4 * largest, "\(name)")
        }
    }

    @Test(arguments: cases)
    func chainRuleVariantsAndThreadCountsGiveTheSameBits(_ c: Case) {
        let reference = Self.chainRule(c, kernel: .generic, threads: 1)
        for kernel in BlendKernel.allCases where kernel.isSupported {
            for threads in [1, 2] {
                let g = Self.chainRule(c, kernel: kernel, threads: threads)
                for (name, path) in Self.gradientGroups {
                    #expect(g[keyPath: path].map(\.bitPattern) == reference[keyPath: path].map(\.bitPattern),
                            "\(kernel.name), \(threads) threads: \(name)")
                }
            }
        }
    }
}
