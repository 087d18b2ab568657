import Foundation
import SplatCore

/// A non-finite loss or gradient group, detected before any parameter was changed.
public struct NonFiniteValue: Error, Sendable {
    public var what: String
    public var step: Int
}

/// One EDGS training step at a time (docs/how-edgs-works.md §2, docs/config.md): draw a train view from the shuffled stack,
/// render, L = (1−λ)·L1 + λ·(1−SSIM), backward (plus the optional anisotropy penalty's
/// gradient, ScaleRatioPenalty.swift), Adam, then opacity decay and pruning. No
/// densification. Everything that influences later steps lives in `state`.
public final class Trainer {
    public let config: TrainConfig
    public let schedule: TrainingSchedule
    public let views: TrainingViews
    public private(set) var state: TrainingState
    let renderer: TrainingRenderer
    let loss: PhotometricLoss
    let threads: Int
    let levels: ResolutionLevels
    /// Long side of the first train view: the warm-up's size floor applies to it.
    let longSide: Int
    /// Reference step of the last step run (Schedules.swift); evaluation renders at its SH degree.
    private var lastReferenceStep: Double
    // Per-step buffers, reused.
    private var dLdImage: [Float] = []
    private var gradients: [[Float]] = []
    /// Wall time per phase of `step()` in this process (render, loss, backward, adam, maintain).
    public private(set) var phaseSeconds: [String: Double] = [:]
    private var phaseClock = DispatchTime.now()
    /// Render + loss wall time and pixel count of the last step (a time budget estimates from
    /// them what the final evaluation will cost).
    public private(set) var lastStepRenderSeconds = 0.0
    public private(set) var lastStepPixels = 0

    private func phase(_ name: String) {
        let now = DispatchTime.now()
        phaseSeconds[name, default: 0] += Double(now.uptimeNanoseconds - phaseClock.uptimeNanoseconds) * 1e-9
        phaseClock = now
    }

    public init(config: TrainConfig, views: TrainingViews, state: TrainingState, renderer: TrainingRenderer) {
        self.config = config
        self.views = views
        self.state = state
        self.renderer = renderer
        threads = config.threadCount
        schedule = TrainingSchedule(config: config, sceneRadius: views.sceneRadius)
        loss = PhotometricLoss(lambdaDSSIM: Float(config.lambdaDSSIM), threadCount: threads)
        levels = ResolutionLevels(views: views)
        longSide = views.trainCameras.first.map { max($0.width, $0.height) } ?? 0
        lastReferenceStep = schedule.referenceStep(step: state.step)
    }

    /// Runs step `state.step + 1` and returns its loss. `progress` is the fraction of the run
    /// done (time-budget runs); nil takes it from the step count. Throws `NonFiniteValue`
    /// (leaving `state` exactly as it was) if the loss or any gradient group is not finite.
    @discardableResult
    public func step(progress: Double? = nil) throws -> PhotometricLoss.Value {
        let s = state.step + 1
        let r = schedule.referenceStep(step: s, progress: progress)
        let saved = (state.rng, state.viewStack)
        let view = state.nextView()
        let level = levels.level(schedule.imageDownscale(at: r, longSide: longSide))
        let camera = level.cameras[view]
        let degree = min(schedule.activeSHDegree(at: r), state.cloud.maxSHDegree)
        let bg = views.background

        phaseClock = DispatchTime.now()
        let renderStart = phaseClock
        var image = renderer.render(state.cloud, camera: camera, shDegree: degree, background: bg)
        phase("render")
        // The target is the cached 8-bit photo itself: the loss reads it as byte/255 row by row,
        // so no step converts a whole image to Float.
        let target = level.images[view]
        precondition(target.channels == 3 && target.pixels.count == image.count)
        // The view's exposure transform and loss mask sit between render and loss (Exposure.swift, LossMask.swift).
        let beforeExposure = state.exposure == nil ? [] : image
        state.exposure?.apply(view: view, to: &image)
        let mask = level.mask(view)
        if let mask { LossMask.blend(&image, target: target.pixels, mask: mask) }
        if dLdImage.count != image.count {
            // Resized in place: views of one capture may differ in size by a few pixels, and a
            // new array per step would be a fresh allocation to fault in. The loss writes all of it.
            dLdImage.removeAll(keepingCapacity: true)
            dLdImage.append(contentsOf: repeatElement(0, count: image.count))
        }
        let value = image.withUnsafeBufferPointer { r in
            target.pixels.withUnsafeBufferPointer { t in
                dLdImage.withUnsafeMutableBufferPointer { g in
                    loss.evaluate(rendered: r, target8: t, width: camera.width, height: camera.height, gradient: g)
                }
            }
        }
        phase("loss")
        lastStepRenderSeconds = Double(phaseClock.uptimeNanoseconds - renderStart.uptimeNanoseconds) * 1e-9
        lastStepPixels = camera.width * camera.height
        guard value.loss.isFinite else {
            (state.rng, state.viewStack) = saved
            throw NonFiniteValue(what: "loss", step: s)
        }
        if let mask { LossMask.gate(&dLdImage, mask: mask) }
        let exposureGradient = state.exposure?.backward(view: view, rendered: beforeExposure, gradient: &dLdImage)
        dLdImage.withUnsafeBufferPointer { g in
            renderer.backward(state.cloud, camera: camera, shDegree: degree, background: bg, dLdImage: g, into: &gradients)
        }
        if config.scaleRatioWeight > 0 {
            ScaleRatioPenalty.addGradient(logScales: state.cloud.logScales,
                                          against: ScaleRatioPenalty.Against(rawValue: config.scaleRatioAxis) ?? .shortest,
                                          maxRatio: Float(config.scaleRatioMax),
                                          weight: Float(config.scaleRatioWeight),
                                          into: &gradients[ParameterGroup.logScales.rawValue], threads: threads)
        }
        phase("backward")
        for group in ParameterGroup.allCases where !Self.allFinite(gradients[group.rawValue], threads: threads) {
            (state.rng, state.viewStack) = saved
            throw NonFiniteValue(what: "gradient of \(group.name)", step: s)
        }
        if let e = exposureGradient, !Self.allFinite(e, threads: 1) {
            (state.rng, state.viewStack) = saved
            throw NonFiniteValue(what: "gradient of the exposure of \(camera.name)", step: s)
        }
        state.applyAdam(gradients: gradients, learningRates: schedule.learningRates(at: r), activeSHDegree: degree,
                        threadCount: threads)
        if let e = exposureGradient { state.exposure?.update(view: view, gradient: e, learningRate: schedule.exposureLearningRate(progress: progress ?? schedule.progress(step: s))) }
        phase("adam")
        if schedule.decaysOpacity(atStep: s, reference: r) { OpacityMaintenance.decay(&state.cloud, factor: Float(config.opacityDecay), threads: threads) }
        if schedule.prunes(atStep: s, reference: r) { OpacityMaintenance.prune(&state, below: Float(config.pruneOpacity)) }
        phase("maintain")
        state.step = s
        lastReferenceStep = r
        return value
    }

    /// Places the schedules at `progress` of the run before this process's first step: a
    /// resumed time-budget run knows where it is from its clock, not from its step count, and
    /// the held-out renders of a resumed run that takes no step must still use its SH degree.
    public func placeSchedules(atProgress progress: Double) {
        lastReferenceStep = schedule.referenceStep(step: state.step, progress: progress)
    }

    /// The held-out views rendered from the current cloud with the SH degree the last step
    /// trained with.
    public func renderTestViews() -> [ImageF] {
        let degree = min(schedule.activeSHDegree(at: lastReferenceStep), state.cloud.maxSHDegree)
        return views.testCameras.map { camera in
            ImageF(width: camera.width, height: camera.height,
                   pixels: renderer.render(state.cloud, camera: camera, shDegree: degree, background: views.background))
        }
    }

    /// Mean over the held-out views of per-view PSNR and SSIM (renders clamped to [0, 1]) of
    /// `renders` (default: `renderTestViews()`); nil without test views.
    public func evaluate(renders given: [ImageF]? = nil) -> (psnr: Double, ssim: Double)? {
        guard !views.testCameras.isEmpty else { return nil }
        let renders = given ?? renderTestViews()
        let evaluator = SSIMEvaluator(threadCount: threads)
        let scores = zip(views.testCameras, zip(renders, views.testImages)).map { camera, pair in
            ViewScore(name: camera.name, render: pair.0, truth: ImageF(pair.1), evaluator: evaluator)
        }
        return ViewScore.means(scores)
    }

    /// Replaces the state (used when resuming).
    public func restore(_ s: TrainingState) { state = s }

    /// Adds training wall time to the state (kept in checkpoints).
    public func addElapsed(_ seconds: Double) { state.elapsedSeconds += seconds }

    /// True if every entry is finite: the largest exponent field must be below all-ones. An
    /// integer max reduction, which (unlike a Float sum) the compiler may vectorize, split over
    /// `threads` (a memory-bound scan of up to ~70 MB per step at 300k Gaussians).
    static func allFinite(_ a: [Float], threads: Int = 1) -> Bool {
        a.withUnsafeBufferPointer { p in
            p.withMemoryRebound(to: UInt32.self) { bits in
                let b = bits.baseAddress
                guard let b else { return true }
                let bad = Parallel.sum(bits.count, threads: threads) { range in
                    var m: UInt32 = 0
                    var i = range.lowerBound
                    while i < range.upperBound { m = max(m, b[i] & 0x7F80_0000); i &+= 1 }
                    return m == 0x7F80_0000 ? 1 : 0
                }
                return bad == 0
            }
        }
    }
}
