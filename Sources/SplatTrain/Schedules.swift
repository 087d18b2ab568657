import Foundation

/// Step-dependent quantities of a run (docs/config.md, "Schedules that follow the run").
///
/// The step-valued schedule keys (position decay, SH degree interval, opacity decay and prune
/// windows, resolution warm-up) are written for a run of `schedule_iterations` steps, 3DGS's
/// 30,000. A run of another length sees them stretched or compressed to its own length: every
/// schedule is evaluated at the *reference step* r = progress × schedule_iterations, where
/// progress is step / iterations (or the fraction of the time budget used). A 3000-step run
/// therefore ends with the position rate fully decayed and the prune window closed at half
/// way, as a 30,000-step 3DGS run does. `schedule_iterations: 0` takes the keys as literal
/// steps (r = step), 3DGS's own behaviour. Steps are 1-based, as in 3DGS's training loop.
public struct TrainingSchedule: Sendable {
    public let config: TrainConfig
    /// Scene extent (`Scene.radius`); position learning rates are scaled by it.
    public let sceneRadius: Double

    public init(config: TrainConfig, sceneRadius: Double) {
        self.config = config; self.sceneRadius = sceneRadius
    }

    /// The run's progress after `step` steps of an `iterations`-step run, in [0, 1] (0 when a
    /// time budget alone decides: the step count says nothing then).
    public func progress(step: Int) -> Double {
        guard let limit = config.stepLimit else { return 0 }
        return limit > 0 ? min(max(Double(step) / Double(limit), 0), 1) : 1
    }

    /// The step of the reference run the schedules are written for that corresponds to `step`
    /// at `progress` (nil: the step count's own progress).
    public func referenceStep(step: Int, progress: Double? = nil) -> Double {
        guard config.scheduleIterations > 0 else { return Double(step) }
        return (progress ?? self.progress(step: step)) * Double(config.scheduleIterations)
    }

    /// 3DGS `get_expon_lr_func` at reference step `r`: log-linear from init to final over
    /// position_lr_max_steps, with the optional sine delay, evaluated at
    /// max(r, position_lr_start_step) (EDGS starts part-way down the curve), × scene radius.
    public func positionLearningRate(at r: Double) -> Double {
        let c = config
        if c.positionLRInit == 0 && c.positionLRFinal == 0 { return 0 }
        let s = max(r, Double(c.positionLRStartStep))
        var delay = 1.0
        if c.positionLRDelaySteps > 0 {
            let u = min(max(s / Double(c.positionLRDelaySteps), 0), 1)
            delay = c.positionLRDelayMult + (1 - c.positionLRDelayMult) * sin(0.5 * Double.pi * u)
        }
        let t = min(max(s / Double(c.positionLRMaxSteps), 0), 1)
        let lr = exp(log(c.positionLRInit) * (1 - t) + log(c.positionLRFinal) * t)
        return delay * lr * sceneRadius
    }

    public func positionLearningRate(step: Int) -> Double { positionLearningRate(at: referenceStep(step: step)) }

    /// Learning rates in `ParameterGroup` order (SH rest uses feature_lr / 20, as 3DGS).
    public func learningRates(at r: Double) -> [Float] {
        let c = config
        return [positionLearningRate(at: r), c.scalingLR, c.rotationLR, c.opacityLR, c.featureLR, c.featureLR / 20]
            .map { Float($0) }
    }

    public func learningRates(step: Int) -> [Float] { learningRates(at: referenceStep(step: step)) }

    /// SH degree used for rendering at reference step `r`: one more every sh_degree_interval.
    public func activeSHDegree(at r: Double) -> Int {
        min(config.shDegree, Int((max(0, r) / Double(config.shDegreeInterval)).rounded(.down)))
    }

    public func activeSHDegree(step: Int) -> Int { activeSHDegree(at: referenceStep(step: step)) }

    /// Whether opacities are multiplied by opacity_decay after `step` (at reference step `r`).
    /// The interval counts real steps; the window's end is a reference step.
    public func decaysOpacity(atStep step: Int, reference r: Double) -> Bool {
        config.opacityDecayInterval > 0 && config.opacityDecay < 1 && step % config.opacityDecayInterval == 0
            && r <= Double(config.opacityDecayUntil)
    }

    public func decaysOpacity(atStep step: Int) -> Bool { decaysOpacity(atStep: step, reference: referenceStep(step: step)) }

    /// Whether Gaussians with opacity below prune_opacity are removed after `step`.
    public func prunes(atStep step: Int, reference r: Double) -> Bool {
        config.pruneInterval > 0 && config.pruneOpacity > 0 && step % config.pruneInterval == 0
            && r <= Double(config.pruneUntil)
    }

    public func prunes(atStep step: Int) -> Bool { prunes(atStep: step, reference: referenceStep(step: step)) }

    /// Resolution warm-up (OpenSplat's `--num-downscales`, `--resolution-schedule`): the train
    /// images are area-downscaled by 2^max(num_downscales − ⌊r / resolution_schedule⌋, 0),
    /// but never below `warmUpMinimumSide` pixels on the long side (`longSide` = the loaded
    /// images' long side; nil: no floor).
    public func imageDownscale(at r: Double, longSide: Int? = nil) -> Int {
        guard config.numDownscales > 0, config.resolutionSchedule > 0 else { return 1 }
        var level = max(config.numDownscales - Int((max(0, r) / Double(config.resolutionSchedule)).rounded(.down)), 0)
        if let longSide { while level > 0 && longSide >> level < Self.warmUpMinimumSide { level -= 1 } }
        return 1 << level
    }

    public func imageDownscale(step: Int, longSide: Int? = nil) -> Int {
        imageDownscale(at: referenceStep(step: step), longSide: longSide)
    }

    /// Smallest long side of a warm-up level. Below it a step is cheap but teaches little: the
    /// bundled 200x150 example trained at 50x37 for its first tenth lost 0.25 dB at 1500 steps
    /// (28.24 vs 28.49 dB without warm-up).
    public static let warmUpMinimumSide = 200

    /// 3DGS's exposure schedule: log-linear from exposure_lr_init to exposure_lr_final over the
    /// run (progress 0 → 1).
    public func exposureLearningRate(progress t: Double) -> Float {
        let c = config
        if c.exposureLRInit == 0 { return 0 }
        let lo = max(c.exposureLRInit, 1e-30), hi = max(c.exposureLRFinal, 1e-30)
        let u = min(max(t, 0), 1)
        return Float(exp(log(lo) * (1 - u) + log(hi) * u))
    }
}
