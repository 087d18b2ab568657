import Dispatch
import Foundation

/// Mean squared distance from each point to its 3 nearest other points (3DGS's `distCUDA2`,
/// used to seed Gaussian scales), with a uniform grid so 100k points take well under a second.
/// Shared by the SfM/random starts (SplatTrain) and the EDGS initializer (SplatInit).
public enum NearestNeighbors {
    public static func meanSquaredDistanceToThreeNearest(_ points: [SIMD3<Float>], threadCount: Int) -> [Float] {
        let n = points.count
        guard n > 1 else { return [Float](repeating: 1e-7, count: n) }
        var lo = points[0], hi = points[0]
        for p in points { lo = pointwiseMin(lo, p); hi = pointwiseMax(hi, p) }
        let extent = pointwiseMax(hi - lo, SIMD3(repeating: 1e-6))
        // About two points per cell on average, at most 2^20 cells per axis.
        // Flat or linear point sets: a degenerate axis must not shrink cells to nothing.
        let e = pointwiseMax(extent, SIMD3(repeating: extent.max() * 0.01))
        let volume = Double(e.x) * Double(e.y) * Double(e.z)
        var cell = Float(cbrt(volume * 2 / Double(n)))
        cell = max(cell, extent.max() / 1_000_000)
        func coord(_ p: SIMD3<Float>) -> SIMD3<Int> {
            let c = (p - lo) / cell
            return SIMD3(Int(c.x), Int(c.y), Int(c.z))
        }
        func key(_ c: SIMD3<Int>) -> Int { c.x | (c.y << 21) | (c.z << 42) }
        let order = (0..<n).sorted { key(coord(points[$0])) < key(coord(points[$1])) }
        var ranges: [Int: Range<Int>] = [:]
        var start = 0
        for i in 1...n where i == n || key(coord(points[order[i]])) != key(coord(points[order[start]])) {
            ranges[key(coord(points[order[start]]))] = start..<i
            start = i
        }
        let maxCell = coord(hi)
        let maxRing = max(maxCell.x, maxCell.y, maxCell.z) + 1
        let k = min(3, n - 1)
        var result = [Float](repeating: 0, count: n)
        result.withUnsafeMutableBufferPointer { out in
            let o = out.baseAddress!
            let chunks = max(1, min(n / 4096, threadCount * 4))
            let body: (Int) -> Void = { chunk in
                let a = n * chunk / chunks, b = n * (chunk + 1) / chunks
                for i in a..<b {
                    let p = points[i], c = coord(p)
                    var best = SIMD3<Float>(repeating: .infinity)   // ascending squared distances
                    var ring = 0
                    while ring <= maxRing {
                        for z in (c.z - ring)...(c.z + ring) where z >= 0 && z <= maxCell.z {
                            for y in (c.y - ring)...(c.y + ring) where y >= 0 && y <= maxCell.y {
                                for x in (c.x - ring)...(c.x + ring) where x >= 0 && x <= maxCell.x {
                                    // Only the shell of this ring; inner cells were done before.
                                    if max(abs(x - c.x), abs(y - c.y), abs(z - c.z)) != ring { continue }
                                    guard let r = ranges[key(SIMD3(x, y, z))] else { continue }
                                    for j in r where order[j] != i {
                                        let d = points[order[j]] - p
                                        let d2 = (d * d).sum()
                                        if d2 < best.z {
                                            if d2 < best.x { best = SIMD3(d2, best.x, best.y) }
                                            else if d2 < best.y { best = SIMD3(best.x, d2, best.y) }
                                            else { best.z = d2 }
                                        }
                                    }
                                }
                            }
                        }
                        // Points outside the searched cube are farther than ring·cell.
                        let reach = Float(ring) * cell
                        if best[k - 1] <= reach * reach { break }
                        ring += 1
                    }
                    var sum: Float = 0
                    for m in 0..<k { sum += best[m] }
                    o[i] = max(sum / Float(k), 1e-7)
                }
            }
            // Chunks write disjoint ranges of `out`, so running them concurrently is race-free.
            let box = NNUncheckedSendable(body)
            if chunks == 1 { body(0) } else { DispatchQueue.concurrentPerform(iterations: chunks) { box.value($0) } }
        }
        return result
    }
}

private struct NNUncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
