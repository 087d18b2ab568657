import Foundation
import SplatCore

/// The outer training loop of `splat optimize`: resume or start, steps with progress, held-out
/// evaluation every test_interval, checkpoints every checkpoint_interval and on a stop request,
/// and the final outputs. Writes only inside `config.output`, every file atomically.
public final class TrainingSession {
    public struct Outcome: Sendable {
        /// False when the run stopped early on request (a checkpoint was written).
        public var completed: Bool
        public var steps: Int
        public var gaussians: Int
        public var psnr: Double?
        public var ssim: Double?
        /// Progress of the last step (Schedules.swift): 1 at the end of an `iterations` run; a
        /// time-budget run's fraction of its budget when its last step started.
        public var progress = 1.0
        /// The held-out views rendered from the final cloud (empty when not completed), in the
        /// order of the scene's test cameras: `splat run` writes and scores these instead of
        /// rendering them again.
        public var testRenders: [ImageF] = []
    }

    public let config: TrainConfig
    let views: TrainingViews
    let renderer: TrainingRenderer
    /// Writes the final cloud as a 3DGS PLY.
    let writeCloud: (GaussianCloud, String) throws -> Void
    /// Wall time of stages that ran before the session (e.g. "load"), seconds.
    public var stageSeconds: [(String, Double)] = []
    /// When a `time_budget` run's clock started (default: when `run` is called); `splat run`
    /// starts it before COLMAP and init, so the budget covers the whole command.
    public var budgetStart: Date? = nil
    /// What the caller does after training (test renders, an orbit), kept out of the budget.
    public var workAfterTraining = WorkAfterTraining()
    /// Asked after every step; true stops the run with a checkpoint.
    public var shouldStop: () -> Bool = { StopSignal.isRequested }
    /// Where lines meant for the user go (stdout by default).
    public var report: (String) -> Void = { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) }

    var outputDir: String { config.output }
    public var checkpointPath: String { outputDir + "/checkpoint.bin" }

    public init(config: TrainConfig, views: TrainingViews, renderer: TrainingRenderer,
                writeCloud: @escaping (GaussianCloud, String) throws -> Void) {
        self.config = config; self.views = views; self.renderer = renderer; self.writeCloud = writeCloud
    }

    /// Runs until the step limit or the time budget ends it (TrainConfig.stepLimit,
    /// TimeBudget.swift). `initial` makes the starting cloud (not called when resuming from
    /// `<output>/checkpoint.bin`).
    public func run(resume: Bool, initial: () throws -> GaussianCloud) throws -> Outcome {
        // Checked before anything is created, so a failed --resume leaves no empty output folder.
        if resume && !FileManager.default.fileExists(atPath: checkpointPath) {
            throw TrainError.checkpoint(file: checkpointPath, message: "no checkpoint to resume from")
        }
        let sessionStart = Date().addingTimeInterval(-stageSeconds.reduce(0) { $0 + $1.1 })
        try FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true)
        var stages = stageSeconds
        var clock = Date()
        func lap(_ name: String) {
            let now = Date()
            if let i = stages.firstIndex(where: { $0.0 == name }) { stages[i].1 += now.timeIntervalSince(clock) }
            else { stages.append((name, now.timeIntervalSince(clock))) }
            clock = now
        }

        var state: TrainingState
        if resume {
            guard FileManager.default.fileExists(atPath: checkpointPath) else {
                throw TrainError.checkpoint(file: checkpointPath, message: "no checkpoint to resume from")
            }
            state = try Checkpoint.read(path: checkpointPath)
            guard state.trainViewCount == views.trainCameras.count else {
                throw TrainError.checkpoint(file: checkpointPath, message:
                    "written for \(state.trainViewCount) train views, the scene has \(views.trainCameras.count)")
            }
            // The 2D filter changes what the Gaussians mean: a run keeps the mode it started in
            // (recorded in the config.yaml the run wrote).
            let started = outputDir + "/config.yaml"
            if let previous = try? ConfigLoader.load(path: started), previous.antialiasing != config.antialiasing {
                throw TrainError.checkpoint(file: checkpointPath, message: "trained \(previous.antialiasing ? "with" : "without") "
                    + "antialiasing (\(started)); resume it \(previous.antialiasing ? "with" : "without") antialiasing too")
            }
            lap("resume")
        } else {
            state = TrainingState(cloud: try initial(), seed: UInt64(config.seed), trainViewCount: views.trainCameras.count)
            lap("init")
        }
        guard !views.trainCameras.isEmpty else { throw TrainError.input(file: config.scene, message: "no train views") }
        state.matchExposure(config)
        if views.testCameras.isEmpty {
            report("eval: nothing held out (eval: false, or the scene has no test views): training on all \(views.trainCameras.count) views, no test PSNR/SSIM")
        }
        try AtomicFile.write(config.yaml(), to: outputDir + "/config.yaml")

        let trainer = Trainer(config: config, views: views, state: state, renderer: renderer)
        var metrics = MetricsLog(path: outputDir + "/metrics.csv", keepThrough: resume ? state.step : -1)
        func evaluate(renders: [ImageF]? = nil) throws -> (Double, Double)? {
            defer { lap("eval") }
            guard let m = trainer.evaluate(renders: renders) else { return nil }
            let s = trainer.state
            try metrics.append(step: s.step, psnr: m.psnr, ssim: m.ssim, gaussians: s.cloud.count, elapsed: s.elapsedSeconds)
            report(String(format: "[step %d] test PSNR %.3f SSIM %.4f (%d views, %d Gaussians)",
                          s.step, m.psnr, m.ssim, views.testCameras.count, s.cloud.count))
            return m
        }
        var last: (Double, Double)? = nil
        var lastEvalStep = -1
        // A resumed run already has the row of its checkpoint step if it was evaluated then.
        if resume, let row = metrics.lastRow, row.step == state.step { last = (row.psnr, row.ssim); lastEvalStep = row.step }
        if !resume && config.testInterval > 0 { last = try evaluate(); lastEvalStep = 0 }

        let progress = ProgressReporter(total: config.iterations, startStep: trainer.state.step, interval: config.logInterval)
        var stepClock = Date()
        var preview = TrainingPreview(config: config, resumedAt: resume ? state.step : nil, elapsedSeconds: state.elapsedSeconds)
        // A time-budget run places its schedules by the fraction of the budget used (TimeBudget.swift).
        var budget = config.timeBudget > 0
            ? TimeBudget(minutes: config.timeBudget, start: budgetStart ?? sessionStart, trainedBefore: trainer.state.elapsedSeconds,
                         pixelsAfterTraining: Double(views.testCameras.reduce(0) { $0 + $1.width * $1.height } + workAfterTraining.renderedPixels),
                         fixedSecondsAfterTraining: workAfterTraining.fixedSeconds)
            : nil
        if let b = budget {
            let steps = config.stepLimit.map { " or \($0) steps, whichever comes first" } ?? ""
            report(String(format: "time budget: %g min%@, %.2f min left for training; the schedules spread over it",
                          config.timeBudget, steps, b.remaining() / 60))
        }
        var lastProgress = trainer.schedule.progress(step: trainer.state.step)
        let stepLimit = config.stepLimit
        // A time-budget run's progress at `step` with `trained` seconds of training: with both
        // limits the schedules follow whichever end is nearer; while the step count leads, a
        // step is exactly that of a pure step-count run.
        func budgetProgress(_ b: TimeBudget, trained: Double, step: Int) -> Double {
            let t = b.progress(trained: trained)
            return stepLimit == nil ? t : max(t, trainer.schedule.progress(step: step))
        }
        if resume, let b = budget {
            // Where a resumed time-budget run stands comes from the training time it has had.
            lastProgress = budgetProgress(b, trained: trainer.state.elapsedSeconds, step: trainer.state.step)
            trainer.placeSchedules(atProgress: lastProgress)
        }
        while !(budget?.isSpent ?? false) && stepLimit.map({ trainer.state.step < $0 }) ?? true {
            do {
                let fraction = budget.map {
                    budgetProgress($0, trained: trainer.state.elapsedSeconds + Date().timeIntervalSince(stepClock),
                                   step: trainer.state.step + 1)
                }
                let value = try trainer.step(progress: fraction)
                lastProgress = fraction ?? trainer.schedule.progress(step: trainer.state.step)
                budget?.observe(renderSeconds: trainer.lastStepRenderSeconds, pixels: trainer.lastStepPixels)
                progress.update(step: trainer.state.step, loss: value.loss, gaussians: trainer.state.cloud.count,
                                remainingSeconds: budget?.remaining())
                try preview.afterStep(step: trainer.state.step, loss: value.loss, cloud: trainer.state.cloud)
            } catch let bad as NonFiniteValue {
                progress.finish()
                try Checkpoint.write(trainer.state, to: checkpointPath)
                throw TrainError.nonFinite(what: bad.what, step: bad.step, savedTo: checkpointPath)
            }
            let s = trainer.state.step
            let stopping = shouldStop()
            if (config.testInterval > 0 && s % config.testInterval == 0) || stopping || (config.checkpointInterval > 0 && s % config.checkpointInterval == 0) {
                trainer.addElapsed(Date().timeIntervalSince(stepClock))
                lap("train")
                if config.testInterval > 0 && s % config.testInterval == 0 { progress.finish(); last = try evaluate(); lastEvalStep = s }
                if stopping || (config.checkpointInterval > 0 && s % config.checkpointInterval == 0) {
                    try Checkpoint.write(trainer.state, to: checkpointPath)
                }
                lap("checkpoint")
                if stopping {
                    progress.finish()
                    report("stopped at step \(s); checkpoint written to \(checkpointPath) (continue with --resume)")
                    return Outcome(completed: false, steps: s, gaussians: trainer.state.cloud.count, psnr: last?.0, ssim: last?.1,
                                   progress: lastProgress)
                }
                stepClock = Date()
            }
        }
        trainer.addElapsed(Date().timeIntervalSince(stepClock))
        lap("train")
        progress.finish()
        // The final held-out renders serve both scores below: rendered once.
        let finalRenders = views.testCameras.isEmpty ? [] : trainer.renderTestViews()
        if lastEvalStep != trainer.state.step { last = try evaluate(renders: finalRenders) }
        let final = trainer.state
        // Held-out scores on the right halves, as rendered and with a left-half exposure fit (HeldOutExposureFit.swift).
        let fit = trainer.evaluateWithExposureFit(renders: finalRenders)
        if let f = fit {
            report(String(format: "test right halves: PSNR %.3f SSIM %.4f as rendered, PSNR %.3f SSIM %.4f with the exposure fitted on the left halves",
                          f.rightPSNR, f.rightSSIM, f.fittedPSNR, f.fittedSSIM))
        }
        lap("eval")
        try writeCloud(final.cloud, outputDir + "/point_cloud.ply")
        if let e = final.exposure { try AtomicFile.write(try e.json(names: views.trainCameras.map(\.name)), to: outputDir + "/exposure.json") }
        if config.checkpointInterval > 0 { try Checkpoint.write(final, to: checkpointPath) }
        lap("write")
        try writeSummary(final, metrics: last, stages: stages, phases: trainer.phaseSeconds, exposureFit: fit)
        let psnr = last.map { String(format: "%.3f", $0.0) } ?? "n/a", ssim = last.map { String(format: "%.4f", $0.1) } ?? "n/a"
        let scores = views.testCameras.isEmpty ? "nothing held out" : "test PSNR \(psnr) SSIM \(ssim)"
        report("done: \(final.step) steps, \(final.cloud.count) Gaussians, \(scores), "
               + String(format: "training %.1f s", final.elapsedSeconds))
        return Outcome(completed: true, steps: final.step, gaussians: final.cloud.count, psnr: last?.0, ssim: last?.1,
                       progress: lastProgress, testRenders: finalRenders)
    }

    func writeSummary(_ s: TrainingState, metrics: (Double, Double)?, stages: [(String, Double)],
                      phases: [String: Double], exposureFit: HeldOutExposureFit.Scores? = nil) throws {
        var stageJSON: [String: Double] = [:]
        for (k, v) in stages { stageJSON[k, default: 0] += v }
        var summary: [String: Any] = [
            "steps": s.step,
            "gaussians": s.cloud.count,
            "train_views": views.trainCameras.count,
            "test_views": views.testCameras.count,
            "training_seconds": s.elapsedSeconds,
            "seconds_per_step": s.step > 0 ? s.elapsedSeconds / Double(s.step) : 0,
            "wall_seconds": stageJSON,
            "peak_rss_bytes": peakResidentBytes(),
            // Seconds spent in each phase of a step, summed over the steps of this process.
            "step_phase_seconds": phases,
        ]
        if let m = metrics, m.0.isFinite { summary["psnr"] = m.0 }
        if let m = metrics { summary["ssim"] = m.1 }
        if let f = exposureFit {
            summary["right_half"] = ["psnr": f.rightPSNR, "ssim": f.rightSSIM]
            summary["right_half_exposure_fit"] = ["psnr": f.fittedPSNR, "ssim": f.fittedSSIM]
        }
        let data = try JSONSerialization.data(withJSONObject: summary, options: [.prettyPrinted, .sortedKeys])
        try AtomicFile.write(data + Data("\n".utf8), to: outputDir + "/metrics.json")
    }
}

/// metrics.csv: `step,psnr,ssim,gaussians,elapsed_s`, rewritten atomically on every append.
struct MetricsLog {
    let path: String
    private var rows: [String]

    /// Keeps existing rows up to step `keepThrough` (a resumed run); -1 starts a new file.
    init(path: String, keepThrough: Int) {
        self.path = path
        var kept: [String] = []
        if keepThrough >= 0, let text = try? String(contentsOfFile: path, encoding: .utf8) {
            for line in text.split(separator: "\n").dropFirst() {
                if let step = Int(line.split(separator: ",").first ?? ""), step <= keepThrough { kept.append(String(line)) }
            }
        }
        rows = kept
    }

    /// The last row's step, PSNR and SSIM, if any.
    var lastRow: (step: Int, psnr: Double, ssim: Double)? {
        guard let f = rows.last?.split(separator: ","), f.count >= 3, let step = Int(f[0]),
              let psnr = Double(f[1]), let ssim = Double(f[2]) else { return nil }
        return (step, psnr, ssim)
    }

    mutating func append(step: Int, psnr: Double, ssim: Double, gaussians: Int, elapsed: Double) throws {
        rows.append(String(format: "%d,%.4f,%.5f,%d,%.2f", step, psnr, ssim, gaussians, elapsed))
        try AtomicFile.write((["step,psnr,ssim,gaussians,elapsed_s"] + rows).joined(separator: "\n") + "\n", to: path)
    }
}
