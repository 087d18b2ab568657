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

/// The Float basis of the rasterizer against `SH.basis` (which SphericalHarmonicsTests checks
/// against the definition of real spherical harmonics) at random directions.
struct SHBasisTests {
    @Test func floatBasisEqualsTheDoubleBasis() {
        var rng = SplatRandom(seed: 5)
        for _ in 0..<200 {
            let v = SIMD3<Float>(rng.nextFloat() * 2 - 1, rng.nextFloat() * 2 - 1, rng.nextFloat() * 2 - 1)
            guard (v * v).sum() > 1e-3 else { continue }
            let d = v / (v * v).sum().squareRoot()
            var b: (Float, Float, Float, Float, Float, Float, Float, Float,
                    Float, Float, Float, Float, Float, Float, Float, Float) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            SHColor.basis(d, degree: 3, into: &b)
            let got = withUnsafeBytes(of: b) { Array($0.bindMemory(to: Float.self)) }
            let want = SH.basis(degree: 3, x: Double(d.x), y: Double(d.y), z: Double(d.z))
            for k in 0..<16 { #expect(abs(Double(got[k]) - want[k]) < 2e-6, "β\(k): \(got[k]) vs \(want[k])") }
        }
    }
}
