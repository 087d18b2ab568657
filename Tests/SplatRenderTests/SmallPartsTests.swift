import SplatCore
import Testing
@testable import SplatRender

struct RadixSortTests {
    /// 200k keys with many duplicates (so stability matters), sorted with 1 and 2 threads, must
    /// equal a stable comparison sort of (key, original position).
    @Test(arguments: [1, 2])
    func radixSortIsStableAndCorrect(threads: Int) {
        let n = 200_000
        var rng = SplatRandom(seed: 3)
        var keys = (0..<n).map { _ in UInt64(rng.next() % 700) << 32 | UInt64(rng.next() % 50) << 20 }
        var values = (0..<n).map { UInt32($0) }
        let expected = keys.enumerated().sorted { ($0.element, $0.offset) < ($1.element, $1.offset) }
        var tempKeys = [UInt64](repeating: 0, count: n), tempValues = [UInt32](repeating: 0, count: n)
        var sortedKeys: [UInt64] = [], sortedValues: [UInt32] = []
        keys.withUnsafeMutableBufferPointer { k in values.withUnsafeMutableBufferPointer { v in
            tempKeys.withUnsafeMutableBufferPointer { tk in tempValues.withUnsafeMutableBufferPointer { tv in
                let (rk, rv) = RadixSort.sort(keys: k.baseAddress!, values: v.baseAddress!, tempKeys: tk.baseAddress!,
                                              tempValues: tv.baseAddress!, count: n, significantBits: 42, threads: threads)
                sortedKeys = Array(UnsafeBufferPointer(start: rk, count: n))
                sortedValues = Array(UnsafeBufferPointer(start: rv, count: n))
            }}
        }}
        // Compared as Bools: a failing #expect on 200k-element arrays would try to print a diff.
        let keysMatch = sortedKeys == expected.map(\.element)
        let valuesMatch = sortedValues == expected.map { UInt32($0.offset) }
        #expect(keysMatch, "keys out of order")
        #expect(valuesMatch, "equal keys not in original order (unstable) or payloads lost")
    }
}

struct SHConstantTests {
    @Test func floatSHConstantsEqualSplatCoreValues() {
        let floats: [Float] = [SHColor.c0, SHColor.c1, SHColor.c20, SHColor.c21, SHColor.c22, SHColor.c23, SHColor.c24,
                               SHColor.c30, SHColor.c31, SHColor.c32, SHColor.c33, SHColor.c34, SHColor.c35, SHColor.c36]
        let doubles: [Double] = [SH.c0, SH.c1] + SH.c2 + SH.c3
        for (f, d) in zip(floats, doubles) { #expect(abs(Double(f) - d) <= 1e-7 * abs(d), "\(f) vs \(d)") }
    }
}
