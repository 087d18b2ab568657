import Foundation

/// The `splat` binary started in the background with stdout and stderr captured to files, for
/// tests that signal a running command. Waits are for events (a line appearing), with a
/// generous upper bound; only the interval after the signal is measured.
final class BackgroundCLI {
    let process = Process()
    let dir: URL
    var stdoutText: String { (try? String(contentsOf: dir.appendingPathComponent("stdout"), encoding: .utf8)) ?? "" }
    var stderrText: String { (try? String(contentsOf: dir.appendingPathComponent("stderr"), encoding: .utf8)) ?? "" }

    init(_ arguments: [String]) throws {
        dir = try CLI.makeTempDir("splat-bg")
        let out = dir.appendingPathComponent("stdout"), err = dir.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        process.executableURL = CLI.executable
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        try? FileManager.default.removeItem(at: dir)
    }

    /// Polls stderr until it contains `text` (true) or the process ends or `seconds` pass.
    func waitForStderr(_ text: String, seconds: Double = 120) -> Bool { waitFor(text, in: { self.stderrText }, seconds: seconds) }

    /// Polls stdout likewise (only unbuffered writers show up there before the exit).
    func waitForStdout(_ text: String, seconds: Double = 120) -> Bool { waitFor(text, in: { self.stdoutText }, seconds: seconds) }

    private func waitFor(_ text: String, in read: () -> String, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if read().contains(text) { return true }
            if !process.isRunning { return read().contains(text) }
            usleep(20_000)
        }
        return false
    }

    /// Sends `signal` and waits for the exit; returns the seconds from the signal to the exit.
    func signalAndWait(_ signal: Int32) -> Double {
        let start = Date()
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        return Date().timeIntervalSince(start)
    }
}
