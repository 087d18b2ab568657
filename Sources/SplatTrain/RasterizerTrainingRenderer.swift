import SplatCore
import SplatRender

/// SplatRender's tile rasterizer as the trainer's renderer.
public final class RasterizerTrainingRenderer: TrainingRenderer {
    let rasterizer: Rasterizer
    /// Every render, for training and for the held-out scores alike (`antialiasing` in the config).
    let antialiased: Bool
    private var grads: GaussianGradients?
    private var lastPass: ForwardPass?   // the render the next backward differentiates

    public init(threadCount: Int, antialiased: Bool = false) {
        rasterizer = Rasterizer(threadCount: threadCount)
        self.antialiased = antialiased
    }

    public func render(_ cloud: GaussianCloud, camera: Camera, shDegree: Int, background: SIMD3<Float>) -> [Float] {
        let settings = RenderSettings(background: background, shDegree: shDegree, antialiased: antialiased)
        let result = rasterizer.forward(cloud, camera: camera, settings: settings)
        lastPass = result.pass
        return result.image.pixels
    }

    public func backward(_ cloud: GaussianCloud, camera: Camera, shDegree: Int, background: SIMD3<Float>,
                  dLdImage: UnsafeBufferPointer<Float>, into gradients: inout [[Float]]) {
        guard let pass = lastPass, pass.camera == camera, pass.settings.shDegree == shDegree,
              pass.settings.background == background else {
            preconditionFailure("RasterizerTrainingRenderer.backward needs the render of the same view first")
        }
        var g = grads ?? GaussianGradients(like: cloud)
        grads = nil
        // Hand last step's arrays back before writing, so each buffer has one owner and the
        // rasterizer overwrites it in place instead of copying it.
        if gradients.count == 6 {
            g.means = gradients[0]; g.logScales = gradients[1]; g.rotations = gradients[2]
            g.opacityLogits = gradients[3]; g.shDC = gradients[4]; g.shRest = gradients[5]
            gradients = []
        }
        rasterizer.backward(cloud, of: pass, dLdImage: dLdImage, into: &g)
        gradients = [g.means, g.logScales, g.rotations, g.opacityLogits, g.shDC, g.shRest]
        g.means = []; g.logScales = []; g.rotations = []; g.opacityLogits = []; g.shDC = []; g.shRest = []
        grads = g
    }
}
