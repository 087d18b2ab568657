import Foundation

/// A run that trains for a wall-time budget (`time_budget`, `--minutes`) instead of a step
/// count. Its progress — the fraction of the run done, which places every schedule
/// (Schedules.swift) — is training time so far over training time so far plus what is left of
/// the budget, so the schedules reach their end state at the deadline however fast steps are.
/// The budget covers everything from `start` (loading and init included when the caller
/// starts the clock before them) and keeps back what the end of the run needs: the final
/// held-out evaluation and any renders the caller does afterwards, estimated from the cost per
/// pixel of the training renders, plus what the caller measured for the work that does not
/// scale with the model (decoding the held-out photos, encoding the PNGs it writes).
struct TimeBudget {
    let seconds: Double
    let start: Date
    /// Training seconds of earlier processes of a resumed run (their wall time is not counted
    /// again: only their training time).
    let trainedBefore: Double
    /// Pixels rendered after training: the held-out views (rendered once for the evaluation and
    /// the right-half exposure fit) plus the caller's later renders.
    let pixelsAfterTraining: Double
    /// Seconds after training that do not depend on the model: image decoding and encoding.
    let fixedSecondsAfterTraining: Double
    /// Smoothed seconds per rendered pixel of recent steps (render + loss).
    private var secondsPerPixel: Double?

    init(minutes: Double, start: Date, trainedBefore: Double, pixelsAfterTraining: Double, fixedSecondsAfterTraining: Double = 0) {
        seconds = minutes * 60; self.start = start; self.trainedBefore = trainedBefore
        self.pixelsAfterTraining = pixelsAfterTraining
        self.fixedSecondsAfterTraining = fixedSecondsAfterTraining
    }

    /// Seconds kept back for the end of the run: the renders after training, the caller's
    /// fixed costs, plus one second for writing the outputs.
    var reserve: Double { 1 + fixedSecondsAfterTraining + pixelsAfterTraining * (secondsPerPixel ?? 0) }

    /// Budget seconds left for training now.
    func remaining(now: Date = Date()) -> Double {
        seconds - trainedBefore - now.timeIntervalSince(start) - reserve
    }

    var isSpent: Bool { remaining() <= 0 }

    /// The run's progress in [0, 1] after `trained` seconds of training in all.
    func progress(trained: Double, now: Date = Date()) -> Double {
        let left = max(remaining(now: now), 0)
        return trained + left > 0 ? min(trained / (trained + left), 1) : 1
    }

    /// Takes the cost of the last step's render into the estimate of what the end costs.
    mutating func observe(renderSeconds: Double, pixels: Int) {
        guard pixels > 0, renderSeconds > 0 else { return }
        let sample = renderSeconds / Double(pixels)
        secondsPerPixel = secondsPerPixel.map { 0.9 * $0 + 0.1 * sample } ?? sample
    }
}

/// What a caller of a time-budget run does after training, kept out of the budget: renders of
/// `renderedPixels` in all, plus `fixedSeconds` it measured for work that does not depend on the
/// model (decoding photos to score against, encoding the PNGs it writes).
public struct WorkAfterTraining: Sendable {
    public var renderedPixels: Int
    public var fixedSeconds: Double

    public init(renderedPixels: Int = 0, fixedSeconds: Double = 0) {
        self.renderedPixels = renderedPixels; self.fixedSeconds = fixedSeconds
    }
}
