import Foundation
import SplatCore

/// Optional extra images a forward pass can produce besides the colour image.
public struct RenderOutputs: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    /// Accumulated opacity 1 − T_final per pixel.
    public static let alpha = RenderOutputs(rawValue: 1)
    /// Blend-weighted mean view-space z of the blended Gaussians (0 where nothing blended).
    public static let depth = RenderOutputs(rawValue: 2)
}

public struct RenderSettings: Sendable {
    /// RGB the image is composited on, in [0, 1].
    public var background: SIMD3<Float> = .zero
    /// Active SH degree; clamped to the cloud's maxSHDegree (and to 0...3).
    public var shDegree = 3
    public var outputs: RenderOutputs = []
    /// Mip-Splatting's 2D filter (3DGS `--antialiasing`, gsplat `antialiased`): each Gaussian's
    /// opacity is scaled by √(det Σ2D / det(Σ2D + 0.3·I)), so the 0.3 px² low-pass widens a small
    /// splat without brightening it (docs/rendering-maths.md step 3). Off: the 3DGS default.
    public var antialiased = false
    /// Test-only: drop the steps where the model is not differentiable (the 1/255 alpha skip,
    /// the transmittance early stop, the 3σ tile bound and the 0.99 alpha clamp) so that
    /// finite differences and analytic gradients can be compared. Never set in production.
    var smoothForGradientCheck = false
    /// Test-only: when false, every pixel of a covered tile is evaluated instead of only the
    /// box where α ≥ 1/255 is possible. Results must not change; tests compare both.
    var boundFootprints = true
    /// Test-only: overrides BlendRules.recurrenceFloor (1 = every pair takes the exp path).
    var recurrenceFloor: Float? = nil

    public init(background: SIMD3<Float> = .zero, shDegree: Int = 3, outputs: RenderOutputs = [], antialiased: Bool = false) {
        self.background = background; self.shDegree = shDegree; self.outputs = outputs; self.antialiased = antialiased
    }
}

public struct RenderResult: Sendable {
    /// Colour composited on the background, [H*W*3] interleaved RGB.
    public var image: ImageF
    /// 1 − final transmittance per pixel, [H*W], when requested.
    public var alpha: [Float]?
    /// Blend-weighted mean view-space depth per pixel, [H*W], when requested.
    public var depth: [Float]?
    /// Gaussians that were projected into at least one tile.
    public var visibleCount: Int
    /// Entries of the (tile, Gaussian) list that was sorted and blended.
    public var tileGaussianPairs: Int
    /// Gaussians skipped because a parameter (or its projection) was NaN or infinite.
    public var nonFiniteSkipped: Int
    /// What `Rasterizer.backward` needs to differentiate exactly this render.
    public var pass: ForwardPass

    init(image: ImageF, alpha: [Float]?, depth: [Float]?, visibleCount: Int, tileGaussianPairs: Int,
         nonFiniteSkipped: Int, pass: ForwardPass) {
        self.image = image; self.alpha = alpha; self.depth = depth; self.visibleCount = visibleCount
        self.tileGaussianPairs = tileGaussianPairs; self.nonFiniteSkipped = nonFiniteSkipped; self.pass = pass
    }
}

/// One forward pass of one `Rasterizer`: the backward takes it instead of a camera and settings,
/// so gradients can only be asked of the render they belong to (the rasterizer checks that the
/// pass is its latest and that the cloud is the one drawn). Only the rasterizer makes these.
public struct ForwardPass: Sendable {
    let rasterizer: ObjectIdentifier
    let serial: UInt64
    public let camera: Camera
    public let settings: RenderSettings
    let cloudCount: Int
    let cloudFingerprint: UInt64
    let pairs: Int
}

/// Gradients of a scalar loss, in the same layout as `GaussianCloud` (see its doc comment).
public struct GaussianGradients: Sendable {
    public var means: [Float]          // [N * 3]
    public var logScales: [Float]      // [N * 3]
    public var rotations: [Float]      // [N * 4], w.r.t. the unnormalised quaternion
    public var opacityLogits: [Float]  // [N]
    public var shDC: [Float]           // [N * 3]
    public var shRest: [Float]         // [N * restCount * 3]

    public init(like cloud: GaussianCloud) {
        let n = cloud.count
        means = [Float](repeating: 0, count: n * 3)
        logScales = [Float](repeating: 0, count: n * 3)
        rotations = [Float](repeating: 0, count: n * 4)
        opacityLogits = [Float](repeating: 0, count: n)
        shDC = [Float](repeating: 0, count: n * 3)
        shRest = [Float](repeating: 0, count: n * cloud.restCount * 3)
    }

    /// True when every array has the size `cloud` needs.
    func matches(_ cloud: GaussianCloud) -> Bool {
        let n = cloud.count
        return means.count == n * 3 && logScales.count == n * 3 && rotations.count == n * 4
            && opacityLogits.count == n && shDC.count == n * 3 && shRest.count == cloud.restCount * n * 3
    }
}
