/// What `EDGSInitializer.run` did, written as init.json next to init.ply.
public struct InitReport: Sendable, Codable, Equatable {
    public struct Reference: Sendable, Codable, Equatable {
        public var reference: String
        public var neighbours: [String]
        /// Cells with certainty > 0 for at least one neighbour.
        public var matchedCells: Int
        public var sampled: Int
        public var kept: Int
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
    /// Gaussians created (= sampled points that passed all checks).
    public var gaussians: Int
    /// Fraction of sampled points dropped (degenerate, behind a camera, near-parallel, over tolerance).
    public var rejectedFraction: Double
    /// Median over kept points of the larger per-view reprojection error, L1 pixels.
    public var medianReprojectionErrorPx: Double
    /// The tolerance applied, L1 pixels (of the first reference; it scales with image size).
    public var tolerancePx: Double
    public var seconds: Seconds
}
