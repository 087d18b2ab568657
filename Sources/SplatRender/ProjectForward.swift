import CBlend
import Foundation
import SplatCore

/// Lanes of one projected Gaussian, the only data the tile loops read (stride `SplatLane.stride`).
enum SplatLane {
    static let u = 0, v = 1          // projected mean, pixel-index units
    static let conicA = 2, conicB = 3, conicC = 4  // inverse 2D covariance [[A, B], [B, C]]
    static let opacity = 5
    static let red = 6, green = 7, blue = 8        // clamped SH colour
    static let depth = 9             // view-space z
    static let rowExtent = 10        // half-height (px) of the region where α ≥ 1/255 can hold
    static let footprint = 11        // k² = 2·ln(255·o): α ≥ 1/255 needs dᵀΣ⁻¹d ≤ k² (< 0: never)
    static let stride = 12
}

/// Flags the backward needs to know which clamps were active in the forward.
enum ClampFlag {
    static let red: UInt8 = 1, green: UInt8 = 2, blue: UInt8 = 4
    static let jacobianX: UInt8 = 8, jacobianY: UInt8 = 16
}

/// Outputs of the projection step, one row per Gaussian.
struct ProjectionBuffers {
    var splats: UnsafeMutablePointer<Float>        // [N * SplatLane.stride]
    var tileRects: UnsafeMutablePointer<Int32>     // [N * 4]: x0, y0, x1, y1 (x1, y1 exclusive)
    var tileCounts: UnsafeMutablePointer<Int>      // [N]; 0 = not drawn
    var flags: UnsafeMutablePointer<UInt8>         // [N]
    /// [N]: bit (ty − y0)·width + (tx − x0) set when the ellipse reaches that tile of the rectangle;
    /// only for rectangles at least 2x2 and at most 64 tiles (`TileCoverage.usesMask`).
    var tileMasks: UnsafeMutablePointer<UInt64>

    /// The same pointers for CBlend's projection kernel and chain rule.
    var cOutputs: CProjectOutputs {
        CProjectOutputs(splats: splats, tileRects: tileRects, tileCounts: tileCounts, flags: flags, tileMasks: tileMasks)
    }
}

enum ProjectForward {
    /// Projects every Gaussian (EWA splatting, docs/rendering-maths.md step 1–7) in parallel, in
    /// CBlend's projection kernel (`kernel`'s variant, several Gaussians per vector; all variants
    /// give the same bits). Returns the number skipped because something was not finite.
    /// `exactTiles`: list only the tiles of the 3σ rectangle that the α ≥ 1/255 ellipse reaches
    /// (`TileCoverage`); `TileBinning.emitKeys` must be given the same value.
    /// `antialiased`: scale opacity by the Mip-Splatting compensation (`AntialiasFilter`).
    static func run(_ cloud: GaussianCloud, view: ViewParameters, shDegree: Int, smooth: Bool, exactTiles: Bool,
                    antialiased: Bool, into out: ProjectionBuffers, kernel: BlendKernel, threads: Int) -> Int {
        let n = cloud.count
        guard n > 0 else { return 0 }
        var skippedPerChunk = [Int](repeating: 0, count: (n + 4095) / 4096)
        var cView = view.cView
        var cOut = out.cOutputs
        CloudPointers.with(cloud) { c in
        var cIn = c.kernelInputs(count: n, restCount: cloud.restCount, shDegree: shDegree, smooth: smooth,
                                 exactTiles: exactTiles, antialiased: antialiased)
        withUnsafePointer(to: &cIn) { inputs in
        withUnsafePointer(to: &cView) { v in
        withUnsafePointer(to: &cOut) { o in
        skippedPerChunk.withUnsafeMutableBufferPointer { skipped in
            Parallel.chunks(n, chunkSize: 4096, threads: threads) { range in
                skipped[range.lowerBound / 4096] = cproject_forward(kernel.rawValue, inputs, v, o, range.lowerBound,
                                                                    range.upperBound)
            }
        }}}}}
        return skippedPerChunk.reduce(0, +)
    }

    /// The same projection in Swift, one Gaussian at a time: the readable twin that
    /// `ProjectionKernelTests` compares the kernel against (not used for rendering).
    static func runScalar(_ cloud: GaussianCloud, view: ViewParameters, shDegree: Int, smooth: Bool, exactTiles: Bool,
                          antialiased: Bool, into out: ProjectionBuffers) -> Int {
        let restCount = cloud.restCount
        var bad = 0
        CloudPointers.with(cloud) { inputs in
            for i in 0..<cloud.count {
                if !projectOne(i, inputs, restCount: restCount, view: view, shDegree: shDegree,
                               smooth: smooth, exactTiles: exactTiles, antialiased: antialiased, out: out) {
                    bad += 1
                }
            }
        }
        return bad
    }

    /// Projects Gaussian i; returns false when it was skipped as non-finite.
    static func projectOne(_ i: Int, _ c: CloudPointers, restCount: Int, view: ViewParameters, shDegree: Int,
                           smooth: Bool, exactTiles: Bool, antialiased: Bool, out: ProjectionBuffers) -> Bool {
        out.tileCounts[i] = 0
        out.flags[i] = 0
        // NaN and ±inf are the floats whose exponent bits are all ones: integer ORs over every
        // parameter (no chain of dependent float adds; the loop over SH coefficients vectorizes).
        var bad: UInt32 = 0
        for k in 0..<3 { bad |= nonFinite(c.means[i * 3 + k]) | nonFinite(c.logScales[i * 3 + k]) | nonFinite(c.dc[i * 3 + k]) }
        for k in 0..<4 { bad |= nonFinite(c.rotations[i * 4 + k]) }
        bad |= nonFinite(c.logits[i])
        let used = (shDegree + 1) * (shDegree + 1) - 1
        let rest = UnsafeRawPointer(c.rest + i * restCount * 3).assumingMemoryBound(to: UInt32.self)
        for k in 0..<(used * 3) { bad |= nonFinite(bits: rest[k]) }
        guard bad & 0x8000_0000 == 0 else { return false }

        let mean = SIMD3(c.means[i * 3], c.means[i * 3 + 1], c.means[i * 3 + 2])
        let p = view.toCamera(mean)
        guard p.z > ViewParameters.nearPlane else { return true }

        let cov = Covariance3D(logScales: c.logScales + i * 3, quaternion: c.rotations + i * 4)
        let ewa = EWAJacobian(p: p, view: view)
        let cov2 = ewa.project(cov.sigma, view: view)
        let a = cov2.0 + ViewParameters.lowPass, b = cov2.1, cc = cov2.2 + ViewParameters.lowPass
        let det = a * cc - b * b
        guard det.isFinite else { return false }
        guard det > 0 else { return true }
        let invDet = 1 / det
        let mid = 0.5 * (a + cc)
        let lambda = mid + max(0.1, mid * mid - det).squareRoot()
        let radius = (3 * lambda.squareRoot()).rounded(.up)
        let u = view.fx * p.x / p.z + view.cx - 0.5
        let v = view.fy * p.y / p.z + view.cy - 0.5
        guard radius.isFinite, u.isFinite, v.isFinite else { return false }

        var x0 = tileIndex((u - radius) / 16, limit: view.tilesX)
        var x1 = tileIndex((u + radius + 15) / 16, limit: view.tilesX)
        var y0 = tileIndex((v - radius) / 16, limit: view.tilesY)
        var y1 = tileIndex((v + radius + 15) / 16, limit: view.tilesY)
        guard x1 > x0 && y1 > y0 else { return true }
        if smooth { x0 = 0; y0 = 0; x1 = view.tilesX; y1 = view.tilesY }

        var opacity = 1 / (1 + expf(-c.logits[i]))
        // Decided once per Gaussian: the blend loops only ever see the scaled opacity.
        if antialiased { opacity *= AntialiasFilter.compensationSquared(raw: cov2, blurredDet: det).squareRoot() }
        let dir = (mean - view.center) / ((mean - view.center) * (mean - view.center)).sum().squareRoot()
        var col = SHColor.color(i, direction: dir, degree: shDegree, restCount: restCount, dc: c.dc, rest: c.rest)
        guard col.x.isFinite, col.y.isFinite, col.z.isFinite else { return false }
        var flags = ewa.flags
        if col.x < 0 { col.x = 0; flags |= ClampFlag.red }
        if col.y < 0 { col.y = 0; flags |= ClampFlag.green }
        if col.z < 0 { col.z = 0; flags |= ClampFlag.blue }

        // α = o·e^power ≥ 1/255 needs dᵀΣ⁻¹d ≤ 2·ln(255·o); that ellipse spans ±sqrt(k²·Σyy) rows.
        // One pixel of margin keeps rounding from dropping a pixel the blend would keep.
        let k2 = 2 * logf(255 * opacity)
        let rowExtent: Float = smooth ? .greatestFiniteMagnitude : (k2 > 0 ? (k2 * cc).squareRoot() + 1 : -1)

        let s = out.splats + i * SplatLane.stride
        s[SplatLane.u] = u; s[SplatLane.v] = v
        s[SplatLane.conicA] = cc * invDet; s[SplatLane.conicB] = -b * invDet; s[SplatLane.conicC] = a * invDet
        s[SplatLane.opacity] = opacity
        s[SplatLane.red] = col.x; s[SplatLane.green] = col.y; s[SplatLane.blue] = col.z
        s[SplatLane.depth] = p.z
        s[SplatLane.rowExtent] = rowExtent
        s[SplatLane.footprint] = k2
        if exactTiles {
            // The bounding box of the α ≥ 1/255 ellipse, ±√(k²·Σxx) by ±√(k²·Σyy), within the 3σ
            // rectangle; then, where that box is at least 2x2 tiles, the exact test per tile (in a
            // box one tile wide or tall the ellipse reaches every tile).
            let limit = BlendRules.footprintLimit(k2: k2)
            guard limit >= 0 else { return true }
            let extentX = (limit * a).squareRoot(), extentY = (limit * cc).squareRoot()
            x0 = max(x0, tileIndex((u - extentX) / 16, limit: view.tilesX))
            x1 = min(x1, tileIndex((u + extentX) / 16, limit: view.tilesX - 1) + 1)
            y0 = max(y0, tileIndex((v - extentY) / 16, limit: view.tilesY))
            y1 = min(y1, tileIndex((v + extentY) / 16, limit: view.tilesY - 1) + 1)
            guard x1 > x0 && y1 > y0 else { return true }
        }
        var covered = (x1 - x0) * (y1 - y0)
        if exactTiles && TileCoverage.needsTest(width: x1 - x0, height: y1 - y0) {
            let coverage = TileCoverage(splat: s, view: view)
            var mask: UInt64 = 0, bit: UInt64 = 1
            covered = 0
            for ty in y0..<y1 {
                for tx in x0..<x1 {
                    if coverage.reaches(tx: tx, ty: ty) { covered += 1; mask |= bit }
                    bit = bit &<< 1
                }
            }
            out.tileMasks[i] = mask
        }
        out.tileRects[i * 4] = Int32(x0); out.tileRects[i * 4 + 1] = Int32(y0)
        out.tileRects[i * 4 + 2] = Int32(x1); out.tileRects[i * 4 + 3] = Int32(y1)
        out.tileCounts[i] = covered
        out.flags[i] = flags
        return true
    }

    /// Bit 31 set exactly when the float with these bits is NaN or ±inf: its exponent field is all
    /// ones, and only that field overflows into bit 31 when one more exponent step is added. Three
    /// integer operations without a branch or a compare, so an OR over an array vectorizes.
    @inline(__always) static func nonFinite(bits: UInt32) -> UInt32 { (bits & 0x7F80_0000) &+ 0x0080_0000 }
    @inline(__always) static func nonFinite(_ x: Float) -> UInt32 { nonFinite(bits: x.bitPattern) }

    /// ⌊value⌋ clamped to [0, limit]; clamps in Float first so huge values cannot trap.
    @inline(__always) static func tileIndex(_ value: Float, limit: Int) -> Int {
        Int(min(max(value.rounded(.down), 0), Float(limit)))
    }
}

/// Base pointers of a cloud's parameter arrays, valid only inside the call that made them.
struct CloudPointers {
    var means, logScales, rotations, logits, dc, rest: UnsafePointer<Float>

    /// Calls `body` with the base addresses of every parameter array of `cloud` (shRest may be
    /// empty: then any valid pointer, never read); not called for an empty cloud.
    static func with(_ cloud: GaussianCloud, _ body: (CloudPointers) -> Void) {
        cloud.means.withUnsafeBufferPointer { means in
        cloud.logScales.withUnsafeBufferPointer { logScales in
        cloud.rotations.withUnsafeBufferPointer { rotations in
        cloud.opacityLogits.withUnsafeBufferPointer { logits in
        cloud.shDC.withUnsafeBufferPointer { dc in
        cloud.shRest.withUnsafeBufferPointer { rest in
            guard let base = means.baseAddress else { return }
            body(CloudPointers(means: base, logScales: logScales.baseAddress!, rotations: rotations.baseAddress!,
                               logits: logits.baseAddress!, dc: dc.baseAddress!, rest: rest.baseAddress ?? dc.baseAddress!))
        }}}}}}
    }

    /// These arrays and the projection's switches for CBlend's projection kernel and chain rule.
    func kernelInputs(count: Int, restCount: Int, shDegree: Int, smooth: Bool, exactTiles: Bool,
                      antialiased: Bool) -> CProjectInputs {
        CProjectInputs(means: means, logScales: logScales, rotations: rotations, logits: logits, dc: dc, rest: rest,
                       count: count, restCount: Int32(restCount), shDegree: Int32(shDegree), smooth: smooth ? 1 : 0,
                       exactTiles: exactTiles ? 1 : 0, antialiased: antialiased ? 1 : 0)
    }
}
