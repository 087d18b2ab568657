/// What both blends read: the sorted (tile, Gaussian) list with each pair's projected record, the
/// list range of every tile, and how to blend.
struct TileLists {
    var pairSplats: UnsafePointer<Float>   // [pairs * SplatLane.stride], in sorted order
    var ranges: UnsafePointer<Int>         // [tiles * 2]: start, end of each tile's list
    var view: ViewParameters
    var background: SIMD3<Float>
    var rules: BlendRules
}

/// The blending thresholds of docs/rendering-maths.md step 9 as data, so the test-only smooth mode is the
/// same loop with the cutoffs moved out of reach instead of a second code path.
struct BlendRules {
    var alphaMax: Float     // α = min(alphaMax, o·G)
    var alphaMin: Float     // skip when α < alphaMin
    var minTransmittance: Float  // stop before T·(1−α) < this
    var useRowExtent: Bool  // restrict rows to where α ≥ 1/255 is possible

    static let standard = BlendRules(alphaMax: 0.99, alphaMin: 1.0 / 255.0, minTransmittance: 1e-4, useRowExtent: true)
    static let smooth = BlendRules(alphaMax: .greatestFiniteMagnitude, alphaMin: 0, minTransmittance: 0, useRowExtent: false)

    init(alphaMax: Float, alphaMin: Float, minTransmittance: Float, useRowExtent: Bool) {
        self.alphaMax = alphaMax; self.alphaMin = alphaMin
        self.minTransmittance = minTransmittance; self.useRowExtent = useRowExtent
    }

    init(_ settings: RenderSettings) {
        self = settings.smoothForGradientCheck ? .smooth : .standard
        if !settings.boundFootprints { useRowExtent = false }
    }

    /// Rows [lo, hi] of the tile starting at row `tileY0` that Gaussian (v, extent) can touch.
    @inline(__always)
    func rows(v: Float, extent: Float, tileY0: Int, height: Int) -> (Int, Int) {
        let top = min(tileY0 + ViewParameters.tileSize, height) - 1
        guard useRowExtent else { return (tileY0, top) }
        if !(extent >= 0) { return (1, 0) }
        let lo = min(max((v - extent).rounded(.up), Float(tileY0)), Float(top + 1))
        let hi = min(max((v + extent).rounded(.down), Float(tileY0 - 1)), Float(top))
        return (Int(lo), Int(hi))
    }

    /// Per-Gaussian constants of `span`, computed once per (tile, Gaussian) pair.
    struct Footprint {
        var shear: Float      // the ellipse's centre column moves by shear·dy per row offset dy
        var rowQuadratic: Float  // dᵀΣ⁻¹d at that centre is rowQuadratic·dy²
        var inverseA: Float   // 1 / conic A: the half-width² is (k² − rowQuadratic·dy²)·inverseA
        var limit: Float      // k² with slack for rounding; < 0 when no pixel can reach 1/255
    }

    @inline(__always)
    func footprint(conicA a: Float, conicB b: Float, conicC c: Float, k2: Float) -> Footprint {
        let inverseA = 1 / a
        return Footprint(shear: -b * inverseA, rowQuadratic: c - b * b * inverseA, inverseA: inverseA,
                         limit: Self.footprintLimit(k2: k2))
    }

    /// The bound on dᵀΣ⁻¹d past which no pixel can reach α ≥ 1/255: k² with slack for Float
    /// rounding and the polynomial exp; −1 when the opacity itself is below 1/255.
    @inline(__always)
    static func footprintLimit(k2: Float) -> Float { k2 > 0 ? k2 * 1.001 + 1e-3 : -1 }

    /// Tile-local columns [start, start + count) of one row to evaluate for a Gaussian at tile-local
    /// (u, v): the pixels where α ≥ 1/255 is possible, widened by a pixel for rounding, then rounded
    /// out to one 8-pixel vector (AVX2) when they fit in one, else the whole 16-pixel row. Any
    /// superset of those pixels renders the same image; count == 0 means the row is skipped.
    @inline(__always)
    func span(row: Int, uLocal u: Float, vLocal v: Float, _ f: Footprint) -> (start: Int, count: Int) {
        guard useRowExtent else { return (0, 16) }
        let dy = v - Float(row)
        let room = f.limit - f.rowQuadratic * dy * dy
        if !(room >= 0) { return (0, 0) }
        let halfWidth = (room * f.inverseA).squareRoot() + 1
        let centre = u - f.shear * dy   // column of the pixel nearest the ellipse's centre on this row
        // Clamped in Float first, so the Int conversions never see huge or non-finite values.
        let lo = Int(min(max((centre - halfWidth).rounded(.up), 0), 16))
        let hi = Int(min(max((centre + halfWidth).rounded(.down), -1), 15))
        if lo > hi { return (0, 0) }
        if hi - lo < 8 { return (min(lo, 8), 8) }
        return (0, 16)
    }
}
