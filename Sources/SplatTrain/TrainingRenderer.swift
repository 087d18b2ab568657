import SplatCore

/// What the trainer needs from a differentiable rasterizer. SplatRender's `Rasterizer` conforms
/// (RasterizerTrainingRenderer.swift); tests may substitute their own.
public protocol TrainingRenderer: AnyObject {
    /// Renders `cloud` seen from `camera` at SH degree `shDegree` on `background`;
    /// returns [H*W*3] interleaved RGB.
    func render(_ cloud: GaussianCloud, camera: Camera, shDegree: Int, background: SIMD3<Float>) -> [Float]
    /// dL/d(parameters) for the most recent `render` of the same cloud and camera, given
    /// dL/d(image). Writes one array per `ParameterGroup` (parameter layout) into `gradients`.
    func backward(_ cloud: GaussianCloud, camera: Camera, shDegree: Int, background: SIMD3<Float>,
                  dLdImage: UnsafeBufferPointer<Float>, into gradients: inout [[Float]])
}
