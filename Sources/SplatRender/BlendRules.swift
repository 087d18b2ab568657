/// The blending thresholds of formats.md §5 step 9 as data, so the test-only smooth mode is the
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

    /// Tile-local columns [start, end) to evaluate, rounded out to halves of the tile (8 pixels,
    /// one AVX2 vector) so the row loop has no scalar remainder.
    @inline(__always)
    func columns(uLocal u: Float, extent: Float) -> (Int, Int) {
        guard useRowExtent else { return (0, 16) }
        let start = u - extent >= 8 ? 8 : 0
        let end = u + extent < 8 ? 8 : 16
        return (start, end)
    }
}
