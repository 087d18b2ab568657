import Dispatch

/// Work split helpers over DispatchQueue.concurrentPerform; serial when one thread is asked for.
enum Parallel {
    /// Calls `body(range)` for consecutive chunks of 0..<count, in parallel.
    static func chunks(_ count: Int, chunkSize: Int, threads: Int, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let nChunks = (count + chunkSize - 1) / chunkSize
        if threads <= 1 || nChunks == 1 {
            body(0..<count)
            return
        }
        withoutActuallyEscaping(body) { escapable in
            let work = UncheckedBox(escapable)
            DispatchQueue.concurrentPerform(iterations: nChunks) { c in
                work.value((c * chunkSize)..<min(count, (c + 1) * chunkSize))
            }
        }
    }

    /// Calls `body(worker)` once per worker in parallel; a worker's work is whatever it derives
    /// from its index, so results do not depend on scheduling.
    static func workers(_ threads: Int, _ body: (Int) -> Void) {
        if threads <= 1 { body(0); return }
        withoutActuallyEscaping(body) { escapable in
            let work = UncheckedBox(escapable)
            DispatchQueue.concurrentPerform(iterations: threads) { work.value($0) }
        }
    }
}

/// Lets a closure over raw pointers cross into concurrentPerform. Safe here because every caller
/// partitions its writes by chunk or worker index (no two iterations write the same memory).
private struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// A growable raw buffer that is reused across calls (never shrinks), so steady-state forward and
/// backward passes allocate nothing but their returned arrays.
final class ScratchBuffer<T> {
    private(set) var pointer: UnsafeMutablePointer<T>
    private(set) var capacity: Int

    init() {
        capacity = 16
        pointer = .allocate(capacity: capacity)
    }

    /// Makes room for `count` elements; contents are not preserved when it grows.
    @discardableResult
    func reserve(_ count: Int) -> UnsafeMutablePointer<T> {
        if count > capacity {
            pointer.deallocate()
            capacity = max(count, capacity + capacity / 2)
            pointer = .allocate(capacity: capacity)
        }
        return pointer
    }

    deinit { pointer.deallocate() }
}
