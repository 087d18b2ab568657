import SplatCore
import Testing

@Suite struct NearestNeighborsTests {
    static func bruteForce(_ pts: [SIMD3<Float>], _ i: Int) -> Float {
        let d = pts.indices.filter { $0 != i }.map { j -> Float in let v = pts[j] - pts[i]; return (v * v).sum() }.sorted()
        let k = min(3, d.count)
        return max(d[0..<k].reduce(0, +) / Float(k), 1e-7)
    }

    /// Far outliers stretch the bounding box by 10⁵; the grid uses the robust range and clamps
    /// them into border cells, which must not change any answer: neither the cluster's nor the
    /// outliers' own (whose neighbours are other outliers, far away).
    @Test func farOutliersGetExactAnswersAndLeaveTheClusterExact() {
        var rng = SplatRandom(seed: 11)
        var pts = (0..<3000).map { _ in SIMD3<Float>(rng.nextFloat(), rng.nextFloat() * 0.5, rng.nextFloat() * 0.2) }
        for m in 0..<15 {
            let r = Float(1_000 * (m + 1) * (m + 1))
            pts.append(SIMD3(r * (m % 2 == 0 ? 1 : -1), Float(m) * 3, -r / 7))
        }
        pts.append(pts[10]); pts.append(pts[3005])   // duplicates, inside and outside
        let fast = NearestNeighbors.meanSquaredDistanceToThreeNearest(pts, threadCount: 2)
        for i in Array(stride(from: 0, to: 3000, by: 7)) + Array(3000..<pts.count) {
            let expected = Self.bruteForce(pts, i)
            #expect(abs(fast[i] - expected) <= 1e-5 * expected + 1e-9, "point \(i): \(fast[i]) vs \(expected)")
        }
    }

    @Test func tinyAndFlatInputs() {
        #expect(NearestNeighbors.meanSquaredDistanceToThreeNearest([], threadCount: 1).isEmpty)
        #expect(NearestNeighbors.meanSquaredDistanceToThreeNearest([SIMD3(1, 2, 3)], threadCount: 1) == [1e-7])
        let two: [SIMD3<Float>] = [SIMD3(0, 0, 0), SIMD3(3, 4, 0)]
        #expect(NearestNeighbors.meanSquaredDistanceToThreeNearest(two, threadCount: 1) == [25, 25])
        // A line of points (two degenerate axes): each inner point's 3 nearest are at 1, 1, 2.
        let line = (0..<50).map { SIMD3<Float>(Float($0), 0, 0) }
        let d = NearestNeighbors.meanSquaredDistanceToThreeNearest(line, threadCount: 2)
        #expect(d[25] == 2 && d[0] == (1 + 4 + 9) / 3)
    }
}
