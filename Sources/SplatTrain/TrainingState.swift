import SplatCore

/// Everything that determines the rest of a run: with the same config and thread count,
/// continuing from a saved `TrainingState` gives bit-identical results to never stopping.
public struct TrainingState: Sendable, Equatable {
    public var cloud: GaussianCloud
    public var adam: AdamOptimizer
    /// Completed training steps.
    public var step: Int
    /// Draws the next view from the stack (and nothing else).
    public var rng: SplatRandom
    /// Train-view indices (into the scene's train list) not yet used in this pass.
    public var viewStack: [Int]
    /// Number of train views of the scene this run was started on (checked on resume).
    public var trainViewCount: Int
    /// Training wall time so far, seconds (for metrics across resumes).
    public var elapsedSeconds: Double
    /// Per-train-view colour transforms when `exposure` is on (Exposure.swift).
    public var exposure: ExposureState? = nil

    public init(cloud: GaussianCloud, seed: UInt64, trainViewCount: Int) {
        self.cloud = cloud
        adam = AdamOptimizer(like: cloud)
        step = 0
        rng = SplatRandom(seed: seed)
        viewStack = []
        self.trainViewCount = trainViewCount
        elapsedSeconds = 0
    }

    /// 3DGS view order: pop a uniformly random entry from the stack, refilling it with every
    /// train view when empty.
    public mutating func nextView() -> Int {
        if viewStack.isEmpty { viewStack = Array(0..<trainViewCount) }
        // Multiply-high maps 64 random bits to 0..<count without a modulo bias worth noting.
        let r = rng.next().multipliedFullWidth(by: UInt64(viewStack.count)).high
        return viewStack.remove(at: Int(r))
    }

    /// One Adam update of the cloud. (A method on the struct: the cloud and the optimizer are
    /// two stored properties of one value, which a class could not hand out as two inout accesses.)
    public mutating func applyAdam(gradients: [[Float]], learningRates: [Float], activeSHDegree: Int, threadCount: Int) {
        adam.update(&cloud, gradients: gradients, learningRates: learningRates,
                    activeSHRest: GaussianCloud.restCount(forDegree: activeSHDegree), threadCount: threadCount)
    }
}
