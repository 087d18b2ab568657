import Foundation

/// Step-dependent quantities of a run. Steps are 1-based, as in 3DGS's training loop.
public struct TrainingSchedule: Sendable {
    public let config: TrainConfig
    /// Scene extent (`Scene.radius`); position learning rates are scaled by it.
    public let sceneRadius: Double

    public init(config: TrainConfig, sceneRadius: Double) {
        self.config = config; self.sceneRadius = sceneRadius
    }

    /// 3DGS `get_expon_lr_func`: log-linear from init to final over max_steps, with the optional
    /// sine delay, evaluated at max(step, position_lr_start_step) (EDGS), × scene radius.
    public func positionLearningRate(step: Int) -> Double {
        let c = config
        let s = Double(max(step, c.positionLRStartStep))
        if c.positionLRInit == 0 && c.positionLRFinal == 0 { return 0 }
        var delay = 1.0
        if c.positionLRDelaySteps > 0 {
            let u = min(max(s / Double(c.positionLRDelaySteps), 0), 1)
            delay = c.positionLRDelayMult + (1 - c.positionLRDelayMult) * sin(0.5 * Double.pi * u)
        }
        let t = min(max(s / Double(c.positionLRMaxSteps), 0), 1)
        let lr = exp(log(c.positionLRInit) * (1 - t) + log(c.positionLRFinal) * t)
        return delay * lr * sceneRadius
    }

    /// Learning rates in `ParameterGroup` order (SH rest uses feature_lr / 20, as 3DGS).
    public func learningRates(step: Int) -> [Float] {
        let c = config
        return [positionLearningRate(step: step), c.scalingLR, c.rotationLR, c.opacityLR, c.featureLR, c.featureLR / 20]
            .map { Float($0) }
    }

    /// SH degree used for rendering at `step`: one more every sh_degree_interval steps.
    public func activeSHDegree(step: Int) -> Int {
        min(config.shDegree, max(0, step) / config.shDegreeInterval)
    }

    /// Whether opacities are multiplied by opacity_decay after `step`.
    public func decaysOpacity(atStep step: Int) -> Bool {
        config.opacityDecayInterval > 0 && config.opacityDecay < 1 && step % config.opacityDecayInterval == 0
            && step <= config.opacityDecayUntil
    }

    /// Whether Gaussians with opacity below prune_opacity are removed after `step`.
    public func prunes(atStep step: Int) -> Bool {
        config.pruneInterval > 0 && config.pruneOpacity > 0 && step % config.pruneInterval == 0 && step <= config.pruneUntil
    }
}
