import Foundation

/// Training progress on stderr: a single redrawn bar on a terminal, plain periodic lines
/// otherwise (logs, CI). Shows step, steps/s, smoothed loss, Gaussians and ETA (for a time
/// budget alone: the step count so far and the budget left; with both limits the ETA is the
/// nearer end).
final class ProgressReporter {
    let total: Int
    let interval: Int
    let isTTY = isatty(STDERR_FILENO) != 0
    private var smoothedLoss: Double?
    private var windowStart = Date()
    private var windowStep: Int
    private let startTime = Date()
    private let startStep: Int
    private var stepsPerSecond = 0.0
    private var lastDraw = Date.distantPast

    init(total: Int, startStep: Int, interval: Int) {
        self.total = total; self.interval = max(1, interval); windowStep = startStep; self.startStep = startStep
    }

    /// Seconds of a time budget left (nil: no time budget). `total` 0 with a budget: no step limit.
    private var remaining: Double?

    func update(step: Int, loss: Double, gaussians: Int, remainingSeconds: Double? = nil) {
        remaining = remainingSeconds
        // 3DGS's display smoothing: ema = 0.4·loss + 0.6·ema.
        smoothedLoss = smoothedLoss.map { 0.4 * loss + 0.6 * $0 } ?? loss
        let now = Date(), dt = now.timeIntervalSince(windowStart)
        if dt >= 2 {
            stepsPerSecond = Double(step - windowStep) / dt
            windowStart = now; windowStep = step
        } else if stepsPerSecond == 0 {
            // Before the first full window: the average since the start.
            let total = now.timeIntervalSince(startTime)
            if total > 0 { stepsPerSecond = Double(step - startStep) / total }
        }
        if isTTY {
            guard now.timeIntervalSince(lastDraw) >= 0.25 || (total > 0 && step == total) else { return }
            lastDraw = now
            write("\r\u{1B}[2K" + line(step: step, gaussians: gaussians))
        } else if step % interval == 0 || (total > 0 && step == total) {
            write(line(step: step, gaussians: gaussians) + "\n")
        }
    }

    /// Ends the bar so that following output starts on a fresh line.
    func finish() { if isTTY { write("\n") } }

    /// A message on its own line (clears the bar first on a terminal).
    func message(_ text: String) { write((isTTY ? "\r\u{1B}[2K" : "") + text + "\n") }

    private func line(step: Int, gaussians: Int) -> String {
        let rate = stepsPerSecond > 0 ? String(format: "%.2f steps/s", stepsPerSecond) : "-- steps/s"
        let width = 24, loss = String(format: "%.5f", smoothedLoss ?? 0)
        let left = remaining.map { max($0, 0) }
        let spent = Date().timeIntervalSince(startTime)
        let timeDone = left.map { spent + $0 > 0 ? spent / (spent + $0) : 1 }
        let stepDone = total > 0 ? Double(step) / Double(total) : 0
        let filled = min(width, Int(Double(width) * max(stepDone, timeDone ?? (total > 0 ? 0 : 1))))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        if total == 0, let left {
            return "[\(bar)] step \(step) | \(rate) | loss \(loss) | \(gaussians) Gaussians | budget left \(Self.duration(left))"
        }
        var etaSeconds = stepsPerSecond > 0 ? Double(total - step) / stepsPerSecond : nil
        if let left { etaSeconds = min(etaSeconds ?? left, left) }
        let eta = etaSeconds.map(Self.duration) ?? "--"
        return "[\(bar)] step \(step)/\(total) | \(rate) | loss \(loss) | \(gaussians) Gaussians | ETA \(eta)"
    }

    static func duration(_ s: Double) -> String {
        let t = Int(s.rounded())
        return t >= 3600 ? "\(t / 3600)h\(String(format: "%02d", t % 3600 / 60))m" : "\(t / 60)m\(String(format: "%02d", t % 60))s"
    }

    private func write(_ s: String) { FileHandle.standardError.write(Data(s.utf8)) }
}
