import Dispatch

/// Carries a value into a `@Sendable` closure. Used only for closures and pointers whose
/// concurrent use is race-free by construction (each worker touches disjoint ranges).
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// `DispatchQueue.concurrentPerform` for a non-escaping, non-Sendable body.
func parallelFor(_ iterations: Int, _ body: (Int) -> Void) {
    if iterations == 1 { body(0); return }
    withoutActuallyEscaping(body) { escapable in
        let box = UncheckedSendable(escapable)
        DispatchQueue.concurrentPerform(iterations: iterations) { box.value($0) }
    }
}

/// Runs `body(lo, hi)` over `count` items split into a fixed number of contiguous chunks
/// (a function of count and threads only, so results never depend on scheduling).
func parallelChunks(_ count: Int, _ threads: Int, _ body: (Int, Int) -> Void) {
    let chunks = max(1, min(count / 4096, threads * 4))
    parallelFor(chunks) { c in body(count * c / chunks, count * (c + 1) / chunks) }
}

/// Like `parallelChunks`, summing the chunk results in chunk order (deterministic).
func parallelSum(_ count: Int, _ threads: Int, _ body: (Int, Int) -> Double) -> Double {
    let chunks = max(1, min(count / 4096, threads * 4))
    var partial = [Double](repeating: 0, count: chunks)
    partial.withUnsafeMutableBufferPointer { out in
        let o = out.baseAddress!
        parallelFor(chunks) { c in o[c] = body(count * c / chunks, count * (c + 1) / chunks) }
    }
    return partial.reduce(0, +)
}
