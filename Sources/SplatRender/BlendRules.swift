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
/// same loop with the cutoffs moved out of reach instead of a second code path. The C kernels
/// (CBlend) get them in `CBlendLists` and implement `rows` the same way.
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

    /// The bound on dᵀΣ⁻¹d past which no pixel can reach α ≥ 1/255: k² with slack for Float
    /// rounding and the polynomial exp; −1 when the opacity itself is below 1/255.
    @inline(__always)
    static func footprintLimit(k2: Float) -> Float { k2 > 0 ? k2 * 1.001 + 1e-3 : -1 }
}
