import Foundation
import SplatCore
import SplatIO

/// What `splat view` follows while a run trains (docs/config.md, `preview_interval`): every
/// `preview_interval` steps the current cloud as `<output>/preview.splat`, its step in
/// `<output>/preview.json` (with `"antialiasing": true` when the run uses it, since .splat cannot
/// say so), and a row of `<output>/loss.csv` (`step,loss,elapsed_s`, the mean
/// loss of the steps since the previous row). Every file is written atomically; preview.json
/// goes first so a reader of the new preview finds its step already there.
struct TrainingPreview {
    let interval: Int
    let directory: String
    let antialiased: Bool
    private var rows: [String]
    private var lossSum = 0.0, lossCount = 0
    private let started = Date()
    private let elapsedAtStart: Double

    /// `resumedAt`: keep loss.csv rows up to this step (a resumed run); nil starts a new file.
    init(config: TrainConfig, resumedAt: Int?, elapsedSeconds: Double) {
        interval = config.previewInterval
        directory = config.output
        antialiased = config.antialiasing
        elapsedAtStart = elapsedSeconds
        var kept: [String] = []
        if let resumedAt, let text = try? String(contentsOfFile: config.output + "/loss.csv", encoding: .utf8) {
            for line in text.split(separator: "\n").dropFirst() {
                if let step = Int(line.split(separator: ",").first ?? ""), step <= resumedAt { kept.append(String(line)) }
            }
        }
        rows = kept
    }

    /// Called after every training step with its loss.
    mutating func afterStep(step: Int, loss: Double, cloud: GaussianCloud) throws {
        guard interval > 0 else { return }
        lossSum += loss; lossCount += 1
        guard step % interval == 0 else { return }
        let elapsed = elapsedAtStart + Date().timeIntervalSince(started)
        rows.append(String(format: "%d,%.6f,%.2f", step, lossSum / Double(max(lossCount, 1)), elapsed))
        lossSum = 0; lossCount = 0
        let info = String(format: #"{"step": %d, "gaussians": %d, "elapsed_s": %.2f%@}"#, step, cloud.count, elapsed,
                          antialiased ? #", "antialiasing": true"# : "") + "\n"
        try AtomicFile.write(info, to: directory + "/preview.json")
        try SplatFile.write(cloud, to: directory + "/preview.splat")
        try AtomicFile.write((["step,loss,elapsed_s"] + rows).joined(separator: "\n") + "\n", to: directory + "/loss.csv")
    }
}
