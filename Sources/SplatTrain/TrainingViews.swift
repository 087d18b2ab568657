import SplatCore

/// The views a run trains and evaluates on, with their images cached as 8-bit RGB (the
/// training loss reads them as byte/255 directly, PhotometricLoss; evaluation converts a test
/// view when it scores it).
public struct TrainingViews: Sendable {
    public var trainCameras: [Camera]
    public var trainImages: [Image8]
    public var testCameras: [Camera]
    public var testImages: [Image8]
    public var background: SIMD3<Float>
    /// `Scene.radius`: scales the position learning rate.
    public var sceneRadius: Double
    /// Loss weights per train view (1 channel, 255 = full loss), nil for an unmasked view;
    /// empty when the scene has no masks (LossMask.swift).
    public var trainMasks: [Image8?] = []

    public init(trainCameras: [Camera], trainImages: [Image8], testCameras: [Camera], testImages: [Image8],
                background: SIMD3<Float>, sceneRadius: Double) {
        precondition(trainCameras.count == trainImages.count && testCameras.count == testImages.count)
        self.trainCameras = trainCameras; self.trainImages = trainImages
        self.testCameras = testCameras; self.testImages = testImages
        self.background = background; self.sceneRadius = sceneRadius
    }
}
