/// What `EDGSInitializer.run` did, written as init.json next to init.ply.
public struct InitReport: Sendable, Codable, Equatable {
    public struct Reference: Sendable, Codable, Equatable {
        public var reference: String
        public var neighbours: [String]
        /// Per neighbour: SfM points seen by both views, and the (median) angle between their
        /// rays to the scene, degrees (`ReferenceSelection`).
        public var sharedPoints: [Int] = []
        public var anglesDegrees: [Double] = []
        /// Cells with certainty > 0 for at least one neighbour.
        public var matchedCells: Int
        public var sampled: Int
        public var kept: Int
        /// Why the sampled points that were not kept were dropped; with `kept` they add up to
        /// `sampled`. No neighbour gave a valid triangulation (degenerate, behind a camera,
        /// rays closer than the minimum angle) / the best one reprojects beyond the tolerance /
        /// fewer neighbours than required agree on its position.
        public var droppedNoTriangulation = 0
        public var droppedReprojection = 0
        public var droppedAgreement = 0
        /// Gaussians added for cells of this reference no kept point covers (CoverageFill.swift).
        public var filled = 0
        /// Set when this reference contributed (almost) nothing, with the likely reason.
        public var warning: String? = nil
    }

    public struct Seconds: Sendable, Codable, Equatable {
        public var selection = 0.0, images = 0.0, matching = 0.0, sampling = 0.0
        public var triangulation = 0.0, gaussians = 0.0, total = 0.0
    }

    public var settings: InitOptions
    /// "built-in plane sweep" or "files: <dir>".
    public var matchSource: String
    public var trainViews: Int
    public var references: [Reference]
    public var sampled: Int
    /// Gaussians in init.ply: `denseGaussians` + `filledGaussians` + `sfmPointsAdded`.
    public var gaussians: Int
    /// Gaussians from triangulated dense matches (= sampled points that passed all checks).
    public var denseGaussians = 0
    /// Gaussians filling what no kept match covers (`InitOptions.coverageCells`).
    public var filledGaussians = 0
    /// SfM points added (`InitOptions.sfmPoints`), 0 when none were.
    public var sfmPointsAdded = 0
    /// Fraction of sampled points dropped (degenerate, behind a camera, near-parallel, over tolerance, disagreeing).
    public var rejectedFraction: Double
    /// Median over kept points of the larger per-view reprojection error, L1 pixels.
    public var medianReprojectionErrorPx: Double
    /// The tolerance applied, L1 pixels (of the first reference; it scales with image size).
    public var tolerancePx: Double
    public var seconds: Seconds
    /// Everything the run warned about (also printed): references that gave nothing, few dense
    /// points, SfM points added.
    public var warnings: [String] = []
    /// What COLMAP did, when init ran it on a folder of photos.
    public var colmap: ColmapReport? = nil
}
