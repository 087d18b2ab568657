import Foundation
import Synchronization

private let stopRequested = Atomic<Bool>(false)
private let stopSignalNumber = Atomic<Int32>(0)

/// SIGINT/SIGTERM ask a long command (optimize, init, render, eval, run) to stop at the next
/// safe point: it finishes or abandons the current unit of work, keeps what is complete, says
/// what was saved and exits with `exitStatus` (130 for SIGINT, 143 for SIGTERM, the shell's
/// 128 + signal). A second signal while stopping exits at once with the same status.
public enum StopSignal {
    public static func install() {
        // A parent may have spawned us with these signals blocked (threaded launchers such as
        // Foundation's Process pass their thread's mask on); unblock them on this thread.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        for sig in [SIGINT, SIGTERM] {
            signal(sig) { sig in
                // Only async-signal-safe work here: lock-free stores, or _exit.
                stopSignalNumber.store(sig, ordering: .relaxed)
                if stopRequested.exchange(true, ordering: .relaxed) { _exit(128 + sig) }
            }
        }
    }

    /// Back to the default action (the process ends at once): for phases that write nothing
    /// and do not check `isRequested` (loading), so that a stop there is immediate. Does
    /// nothing once a stop was requested.
    public static func restoreDefault() {
        guard !isRequested else { return }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }

    public static var isRequested: Bool { stopRequested.load(ordering: .relaxed) }

    /// The signal that asked to stop (SIGINT or SIGTERM), 0 if none came.
    public static var signalNumber: Int32 { stopSignalNumber.load(ordering: .relaxed) }

    /// Exit status after a requested stop: 128 + the signal (130 SIGINT, 143 SIGTERM).
    public static var exitStatus: Int32 { 128 + (signalNumber == 0 ? SIGINT : signalNumber) }
}

/// Peak resident set size of this process, bytes (Linux reports ru_maxrss in KiB).
public func peakResidentBytes() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Int(usage.ru_maxrss) * 1024
}
