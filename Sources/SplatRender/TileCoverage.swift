/// Which tiles of a Gaussian's 3σ tile rectangle its α ≥ 1/255 ellipse actually reaches
/// (docs/rasterizer.md, "Fewer pairs"). A tile whose pixel centres all have dᵀΣ⁻¹d > k² can get
/// nothing from the Gaussian in either blend, so leaving it out of the list changes no pixel and no
/// gradient; it only saves the sort, the gather and both blends a pair.
struct TileCoverage {
    var u: Float, v: Float            // projected mean, pixel-index units
    var a: Float, b: Float, c: Float  // conic [[A, B], [B, C]]
    var bOverA: Float, bOverC: Float  // where each edge's 1-D minimum lies, per unit of the edge's offset
    var limit: Float                  // k² with the blend's rounding slack; < 0 reaches nothing
    var width: Int, height: Int       // image size, so edge tiles are tested only where pixels exist

    init(u: Float, v: Float, conicA: Float, conicB: Float, conicC: Float, k2: Float, width: Int, height: Int) {
        self.u = u; self.v = v; a = conicA; b = conicB; c = conicC
        // Divided once here instead of once per edge and tile: the answers only pick tiles, and
        // the limit's slack (BlendRules.footprintLimit) dwarfs the last-bit difference.
        bOverA = conicB / conicA; bOverC = conicB / conicC
        limit = BlendRules.footprintLimit(k2: k2)
        self.width = width; self.height = height
    }

    /// The test for the projected record `s` (SplatLane layout), so that counting and emitting
    /// the pairs make exactly the same decisions.
    init(splat s: UnsafePointer<Float>, view: ViewParameters) {
        self.init(u: s[SplatLane.u], v: s[SplatLane.v], conicA: s[SplatLane.conicA], conicB: s[SplatLane.conicB],
                  conicC: s[SplatLane.conicC], k2: s[SplatLane.footprint], width: view.width, height: view.height)
    }

    /// Rectangles (of the α ≥ 1/255 bounding box) narrower or lower than 2 tiles need no test.
    @inline(__always)
    static func needsTest(width: Int, height: Int) -> Bool { width >= 2 && height >= 2 }

    /// Whether the projection pass kept its per-tile answers in a 64-bit mask for the emit pass.
    @inline(__always)
    static func usesMask(width: Int, height: Int) -> Bool { needsTest(width: width, height: height) && width * height <= 64 }

    /// True when some point of tile (tx, ty)'s pixel-centre rectangle has dᵀΣ⁻¹d ≤ limit: the
    /// minimum of the quadratic over the rectangle is 0 when the mean is inside, else it lies on an
    /// edge, where it is a 1-D quadratic minimised in closed form and clamped to the edge.
    @inline(__always)
    func reaches(tx: Int, ty: Int) -> Bool {
        guard limit >= 0 else { return false }
        let ts = ViewParameters.tileSize
        let x0 = Float(tx * ts) - u, x1 = Float(min(tx * ts + ts, width) - 1) - u
        let y0 = Float(ty * ts) - v, y1 = Float(min(ty * ts + ts, height) - 1) - v
        if x0 <= 0 && x1 >= 0 && y0 <= 0 && y1 >= 0 { return true }
        // q(dx, dy) = A dx² + 2B dx dy + C dy²; on an edge dx = e the minimum is at dy = −B e / C.
        func onVertical(_ e: Float) -> Float {
            let dy = min(max(-bOverC * e, y0), y1)
            return a * e * e + 2 * b * e * dy + c * dy * dy
        }
        func onHorizontal(_ e: Float) -> Float {
            let dx = min(max(-bOverA * e, x0), x1)
            return a * dx * dx + 2 * b * dx * e + c * e * e
        }
        let best = min(min(onVertical(x0), onVertical(x1)), min(onHorizontal(y0), onHorizontal(y1)))
        return best <= limit
    }
}
