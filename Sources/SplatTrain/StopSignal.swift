import Foundation
import Synchronization

private let stopRequested = Atomic<Bool>(false)

/// SIGINT/SIGTERM ask a run to stop at the end of the current step, write a checkpoint and exit
/// cleanly. A second signal while stopping exits at once (status 130).
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
            signal(sig) { _ in
                // Only async-signal-safe work here: a lock-free store, or _exit.
                if stopRequested.exchange(true, ordering: .relaxed) { _exit(130) }
            }
        }
    }

    public static var isRequested: Bool { stopRequested.load(ordering: .relaxed) }
}

/// Peak resident set size of this process, bytes (Linux reports ru_maxrss in KiB).
public func peakResidentBytes() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Int(usage.ru_maxrss) * 1024
}
