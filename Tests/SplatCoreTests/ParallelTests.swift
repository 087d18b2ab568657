import Foundation
import SplatCore
import Testing

/// The splits callers rely on for bit-identical results: which ranges each helper hands out.
@Suite struct ParallelTests {
    /// The ranges a loop hands out, sorted by start (each call writes only its own slot).
    static func ranges(_ slots: Int, _ loop: ((Range<Int>) -> Void) -> Void) -> [Range<Int>] {
        let seen = ParallelSlots<Range<Int>>(count: slots)
        loop { range in seen[range.lowerBound % slots] = range }
        return (0..<slots).compactMap { seen[$0] }.sorted { $0.lowerBound < $1.lowerBound }
    }

    @Test(arguments: [0, 1, 2, 7, 100])
    func forEachRunsEveryIterationOnce(iterations: Int) {
        var hits = [Int](repeating: 0, count: iterations)
        hits.withUnsafeMutableBufferPointer { h in
            let p = h.baseAddress
            Parallel.forEach(iterations) { i in p![i] += 1 }
        }
        #expect(hits == [Int](repeating: 1, count: iterations))
    }

    @Test func chunksAreFixedSizeAndOneRangeOnOneThread() {
        let parallel = Self.ranges(100_000) { Parallel.chunks(10_000, chunkSize: 4096, threads: 2, $0) }
        #expect(parallel == [0..<4096, 4096..<8192, 8192..<10_000])
        let serial = Self.ranges(100_000) { Parallel.chunks(10_000, chunkSize: 4096, threads: 1, $0) }
        #expect(serial == [0..<10_000])
        #expect(Self.ranges(10) { Parallel.chunks(0, chunkSize: 4, threads: 2, $0) }.isEmpty)
    }

    @Test func splitIsFourPartsPerThreadOfAtLeast4096Items() {
        // 100 000 items, 2 threads: min(100 000 / 4096, 2 · 4) = 8 parts of 12 500.
        let parts = Self.ranges(100_000) { Parallel.split(100_000, threads: 2, $0) }
        #expect(parts == (0..<8).map { ($0 * 12_500)..<(($0 + 1) * 12_500) })
        // One thread: the same rule (4 parts), run in order on the calling thread.
        var serial = [Range<Int>]()
        Parallel.split(100_000, threads: 1) { serial.append($0) }
        #expect(serial == (0..<4).map { ($0 * 25_000)..<(($0 + 1) * 25_000) })
        // Fewer than 2 × 4096 items: one part.
        #expect(Self.ranges(8191) { Parallel.split(8191, threads: 8, $0) } == [0..<8191])
    }

    @Test func sumAddsPartsInPartOrder() {
        // Parts whose sums cancel (±1e12): adding them in another order, or all items in one
        // run, changes the last bits (checked: reversed part order does).
        let scale: [Double] = [0.1, 1e12, -1e12, 0.3, 7.7, -0.9, 1e-5, 2.5]
        let values: [Double] = (0..<100_000).map { (i: Int) -> Double in
            let step = Double(i % 10) / 10
            return scale[i / 12_500] * (1 + step)
        }
        let total = values.withUnsafeBufferPointer { v in
            Parallel.sum(values.count, threads: 2) { range in range.reduce(0) { $0 + v[$1] } }
        }
        let partSums: [Double] = (0..<8).map { k in values[(k * 12_500)..<((k + 1) * 12_500)].reduce(0, +) }
        #expect(total.bitPattern == partSums.reduce(0, +).bitPattern)
        #expect(total.bitPattern != partSums.reversed().reduce(0, +).bitPattern)
    }
}
