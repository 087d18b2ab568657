import SplatCore

/// Settings of the dense initialization (docs/how-edgs-works.md §1, docs/init.md); the defaults target a ~80-view
/// 800x600 scene in well under a minute on two cores.
/// How initial Gaussians get their (isotropic) size.
public enum InitialScale: String, Sendable, Codable, Equatable, CaseIterable {
    /// 3DGS seeding: √(mean squared distance to the 3 nearest other points). The default: with
    /// the hundreds of thousands of points a CPU budget allows (EDGS makes millions), the EDGS
    /// size leaves splats far below a pixel and the image full of holes that Adam's scale rate
    /// closes only slowly (cup360 example, 200 steps: 21.3 dB held-out PSNR vs 9.8 dB).
    case nearestNeighbors = "knn"
    /// EDGS: 0.5 × scalingFactor × distance to the reference camera.
    case cameraDistance = "distance"
}

public struct InitOptions: Sendable, Codable, Equatable {
    /// Reference views (k-means clusters over train views; clamped to their number); 0 = auto,
    /// `references(trainViews:)`.
    public var numRefs = 0
    /// Neighbours matched per reference (clamped to train views − 1).
    public var nnsPerRef = 3
    /// Reference pixels sampled (without replacement, ∝ certainty) per reference; 0 = auto,
    /// `samplesPerReference(references:)`.
    public var matchesPerRef = 0
    /// Certainties above this count as 1 when sampling (the reference clamps RoMa's likewise).
    public var sampleThreshold: Float = 0.3
    /// Points whose larger per-view reprojection error (L1, pixels) exceeds this are dropped.
    /// nil: 0.005 × the reference's larger image side, i.e. the reference's 0.01 NDC L1
    /// tolerance (4 px at 800 px).
    public var maxReprojectionError: Double? = nil
    /// Matches whose rays meet at a smaller angle than this are dropped (depth is unreliable).
    public var minRayAngleDegrees = 0.5
    /// Built-in matcher only: a point is kept when at least this many neighbours triangulate
    /// it to within `agreementDistance` × its distance from the reference camera (clamped to
    /// the number of neighbours). Matches from files are used as EDGS uses RoMa's: 1 view.
    /// Epipolar matches always reproject exactly, so this cross-check is what removes outliers.
    public var minAgreeingViews = 2
    public var agreementDistance = 0.03
    /// How the isotropic initial scale is chosen; see `InitialScale`.
    public var initialScale = InitialScale.nearestNeighbors
    /// `.cameraDistance` only: scale = 0.5 × scalingFactor × distance to the reference camera
    /// centre (the reference's scaling factor, halved once after initialization as it does).
    public var scalingFactor = 0.001
    /// SH degree of the cloud written (degree-0 colour from the pixel, higher degrees 0).
    public var shDegree = 3
    public var seed: UInt64 = 0
    /// Read matches from this directory (docs/correspondences.md) instead of the built-in matcher.
    public var correspondences: String? = nil
    public var matcher = MatcherOptions()
    /// When the scene's SfM points are added to the dense ones (docs/init.md, "The SfM points
    /// too, and when few matches survive"): by default always, as EDGS's `add_SfM_init` (they cover what no reference matched:
    /// classroom at full size, 1000 steps, 18.81 → 19.54 dB held out); `auto` adds them only when
    /// the dense points number fewer than `fewDensePerSfMPoint` × the SfM points, i.e. when the
    /// dense start would be sparser than the SfM start it is meant to improve on.
    public var sfmPoints = SfMPointsPolicy.always
    public var fewDensePerSfMPoint = 4.0
    /// Cells along the long side of the grid over each reference whose cells without a kept
    /// point get one Gaussian at a depth guessed from the nearest covered cell (CoverageFill.swift);
    /// 0 = no fill.
    public var coverageCells = 32
    /// A reference keeping less than this fraction of its samples is reported as failing.
    public var failingReferenceFraction = 0.02

    public init() {}

    /// References for a scene of `n` train views: `numRefs`, or by default half the views,
    /// at least 20 and at most 64. More references cover more of the scene at the same
    /// number of samples (classroom, 112 train views at ½ size: 20 → 60 references with the
    /// same ~400k samples took the untrained held-out PSNR from 12.6 to 14.1 dB and 500 steps
    /// from 16.4 to 18.2 dB); each costs one matching of its neighbours (~0.3 s at 320 px).
    public func references(trainViews n: Int) -> Int {
        min(n, numRefs > 0 ? numRefs : min(max(n / 2, 20), 64))
    }

    /// Samples over all references when `matchesPerRef` is 0 (`samplesPerReference`).
    public var totalSamples = InitOptions.fullSamples
    public static let fullSamples = 160_000

    /// Samples per reference: `matchesPerRef`, or by default `totalSamples` spread over the
    /// references (between 3,000 and 20,000 each at 160,000, both bounds scaled with it), so
    /// the Gaussian count stays about the same whatever the number of references. Time to
    /// quality decides it: on cup360 at ½ size, 8 minutes of one core, 325k Gaussians (480k
    /// samples) reached 23.97 dB in 741 steps, 61k (99k samples) 28.95 dB in 2205 steps, the 7k
    /// SfM points 28.93 dB in 6599.
    public func samplesPerReference(references k: Int) -> Int {
        if matchesPerRef > 0 { return matchesPerRef }
        let scale = Double(totalSamples) / Double(Self.fullSamples)
        let lower = Int((3000 * scale).rounded()), upper = Int((20_000 * scale).rounded())
        return max(1, min(max(totalSamples / max(k, 1), lower), upper))
    }

    /// `totalSamples` for a run of `minutes` on `threads` cores (docs/init.md, "Init sized by
    /// the time budget"): fewer Gaussians make each step cheaper, and in a short run more steps
    /// beat a denser start. The full 160,000 from 20 core-minutes up (so the default recipe, 20
    /// minutes on 2 cores, keeps it), in proportion below that, never under a third: at 5
    /// core-minutes a third won on cup360 (+1.0 dB) and classroom (+0.1 dB); at 10 it won on
    /// cup360 (+0.5 dB) and lost on classroom (−0.2 dB), where the rule takes half.
    public static func totalSamples(budgetMinutes minutes: Double, threads: Int) -> Int {
        let coreMinutes = minutes * Double(max(threads, 1))
        let fraction = min(max(coreMinutes / 20, 1.0 / 3), 1)
        return Int((Double(fullSamples) * fraction).rounded())
    }

    public func tolerance(for camera: Camera) -> Double {
        maxReprojectionError ?? 0.005 * Double(max(camera.width, camera.height))
    }
}
