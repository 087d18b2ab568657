/// Everything a loader understood about a dataset: calibrated pinhole cameras (sorted by name),
/// the train/test split, optional sparse points, and the background colour the dataset implies.
public struct Scene: Sendable {
    /// Where the scene was loaded from (a folder or a transforms.json).
    public var source: String
    /// A short label of the input format, e.g. "colmap-bin", "blender", "instant-ngp", "nerfstudio".
    public var format: String
    public var cameras: [Camera]
    /// Indices into `cameras`; disjoint, and together all cameras.
    public var trainIndices: [Int]
    public var testIndices: [Int]
    /// Sparse SfM points (may be empty), with 8-bit colours.
    public var points: [SIMD3<Float>]
    public var pointColors: [SIMD3<UInt8>]
    /// Background RGB in [0, 1] used for compositing RGBA images and for rendering.
    public var background: SIMD3<Float>
    /// Camera models seen in the input before undistortion (for `splat info`).
    public var sourceCameraModels: [String]

    public init(source: String, format: String, cameras: [Camera], trainIndices: [Int], testIndices: [Int],
                points: [SIMD3<Float>] = [], pointColors: [SIMD3<UInt8>] = [],
                background: SIMD3<Float> = .zero, sourceCameraModels: [String] = []) {
        self.source = source; self.format = format; self.cameras = cameras
        self.trainIndices = trainIndices; self.testIndices = testIndices
        self.points = points; self.pointColors = pointColors
        self.background = background; self.sourceCameraModels = sourceCameraModels
    }

    public var trainCameras: [Camera] { trainIndices.map { cameras[$0] } }
    public var testCameras: [Camera] { testIndices.map { cameras[$0] } }

    /// Mean of the camera centres.
    public var cameraCentroid: SIMD3<Double> {
        guard !cameras.isEmpty else { return .zero }
        return cameras.reduce(SIMD3<Double>.zero) { $0 + $1.center } / Double(cameras.count)
    }

    /// 3DGS "cameras_extent": 1.1 x the largest distance from a train camera centre to their
    /// mean. Position learning rates are scaled by it, so held-out views must not move it (3DGS
    /// computes it from the train cameras only); a scene without a split uses every camera.
    public var radius: Double {
        let views = trainIndices.isEmpty ? cameras : trainCameras
        guard !views.isEmpty else { return 1.1e-6 }
        let c = views.reduce(SIMD3<Double>.zero) { $0 + $1.center } / Double(views.count)
        let d = views.map { ($0.center - c).length }.max() ?? 0
        return 1.1 * max(d, 1e-6)
    }

    /// The llff-hold split: every 8th camera in name order (index % 8 == 0) is held out.
    public static func everyEighthSplit(count: Int) -> (train: [Int], test: [Int]) {
        let test = stride(from: 0, to: count, by: 8).map { $0 }
        let train = (0..<count).filter { $0 % 8 != 0 }
        return (train, test)
    }
}
