import Dispatch

/// The project's parallel loops, all over `DispatchQueue.concurrentPerform`. Each takes a
/// non-escaping, non-`Sendable` body, so it may capture raw pointers and local state. That is
/// race-free because every iteration gets its own index or range and the callers write only
/// memory that belongs to it; and because how the work splits is a function of the count and the
/// thread count only, results never depend on scheduling.
///
/// `@inlinable` so the body is specialised into the caller: SplatRender's hot loops (-Ounchecked)
/// run through these, and a call through an opaque closure per chunk would cost them speed.
public enum Parallel {
    /// `body(i)` for every i in 0..<iterations (≥ 0), concurrently; on this thread when there is one.
    @inlinable
    public static func forEach(_ iterations: Int, _ body: (Int) -> Void) {
        if iterations == 1 { body(0); return }
        withoutActuallyEscaping(body) { escapable in
            let work = UncheckedSendable(escapable)
            DispatchQueue.concurrentPerform(iterations: iterations) { work.value($0) }
        }
    }

    /// `body(range)` for the consecutive chunks of 0..<count of `chunkSize` items (the last may be
    /// shorter), concurrently; one call over all of 0..<count when `threads` ≤ 1 or it is one chunk.
    @inlinable
    public static func chunks(_ count: Int, chunkSize: Int, threads: Int, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let nChunks = (count + chunkSize - 1) / chunkSize
        if threads <= 1 || nChunks == 1 {
            body(0..<count)
            return
        }
        forEach(nChunks) { c in body((c * chunkSize)..<min(count, (c + 1) * chunkSize)) }
    }

    /// How many parts `split` and `sum` cut `count` items into: four per thread (so one slow part
    /// does not keep the other threads idle), but none under 4096 items, and at least one.
    @inlinable
    static func partCount(_ count: Int, threads: Int) -> Int {
        max(1, min(count / 4096, threads * 4))
    }

    /// `body(range)` for each of `partCount(count, threads:)` contiguous, near-equal parts of
    /// 0..<count, concurrently; in part order on this thread when `threads` ≤ 1.
    @inlinable
    public static func split(_ count: Int, threads: Int, _ body: (Range<Int>) -> Void) {
        forEachPart(count, threads: threads) { _, range in body(range) }
    }

    /// The sum of `body(range)` over the parts of `split`, added in part order, so the total is
    /// the same bit for bit whatever order the parts finish in.
    @inlinable
    public static func sum(_ count: Int, threads: Int, _ body: (Range<Int>) -> Double) -> Double {
        var partial = [Double](repeating: 0, count: partCount(count, threads: threads))
        partial.withUnsafeMutableBufferPointer { out in
            let o = out.baseAddress!
            forEachPart(count, threads: threads) { p, range in o[p] = body(range) }
        }
        return partial.reduce(0, +)
    }

    /// `body(p, range)` for part p of `split`'s parts, whose range is count·p/parts..<count·(p+1)/parts.
    @inlinable
    static func forEachPart(_ count: Int, threads: Int, _ body: (Int, Range<Int>) -> Void) {
        let parts = partCount(count, threads: threads)
        func work(_ p: Int) { body(p, (count * p / parts)..<(count * (p + 1) / parts)) }
        if threads <= 1 {
            for p in 0..<parts { work(p) }
        } else {
            forEach(parts, work)
        }
    }
}

/// Carries a value into a `@Sendable` closure unchecked. Only `Parallel` uses it, for the body
/// closures it hands to `concurrentPerform`; see there for why their concurrent calls are race-free.
@usableFromInline
struct UncheckedSendable<T>: @unchecked Sendable {
    @usableFromInline let value: T
    @inlinable init(_ value: T) { self.value = value }
}
