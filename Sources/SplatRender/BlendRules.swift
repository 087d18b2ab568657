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
/// (CBlend) get them in `CBlendLists`; `useRowExtent` there also turns the column bound off.
struct BlendRules {
    var alphaMax: Float     // α = min(alphaMax, o·G)
    var alphaMin: Float     // skip when α < alphaMin
    var minTransmittance: Float  // stop before T·(1−α) < this
    var useRowExtent: Bool  // restrict rows to where α ≥ 1/255 is possible
    /// The row recurrence (CBlend blend_rows.h) is taken for a pair whose least power over its rows and
    /// lanes is at least this; above 0 it is never taken (tests compare both paths).
    var recurrenceFloor: Float = -80

    static let standard = BlendRules(alphaMax: 0.99, alphaMin: 1.0 / 255.0, minTransmittance: 1e-4, useRowExtent: true)
    static let smooth = BlendRules(alphaMax: .greatestFiniteMagnitude, alphaMin: 0, minTransmittance: 0, useRowExtent: false)

    init(alphaMax: Float, alphaMin: Float, minTransmittance: Float, useRowExtent: Bool) {
        self.alphaMax = alphaMax; self.alphaMin = alphaMin
        self.minTransmittance = minTransmittance; self.useRowExtent = useRowExtent
    }

    init(_ settings: RenderSettings) {
        self = settings.smoothForGradientCheck ? .smooth : .standard
        if !settings.boundFootprints { useRowExtent = false }
        if let floor = settings.recurrenceFloor { recurrenceFloor = floor }
    }

    /// The bound on dᵀΣ⁻¹d past which no pixel can reach α ≥ 1/255: k² with slack for Float
    /// rounding and the polynomial exp; −1 when the opacity itself is below 1/255.
    @inline(__always)
    static func footprintLimit(k2: Float) -> Float { k2 > 0 ? k2 * 1.001 + 1e-3 : -1 }
}
