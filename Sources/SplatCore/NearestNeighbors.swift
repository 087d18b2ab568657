import Foundation

/// Mean squared distance from each point to its 3 nearest other points (3DGS's `distCUDA2`,
/// used to seed Gaussian scales), with a uniform grid so 200k points take well under a second.
/// Shared by the SfM/random starts (SplatTrain) and the EDGS initializer (SplatInit).
///
/// The grid spans the 0.1–99.9 % range of each coordinate, not the bounding box: a few far
/// outliers (common in SfM and triangulated clouds) would otherwise make the cells huge and put
/// most points in one cell (measured: 200k points plus 20 outliers went from 0.85 s to 66 s).
/// Points outside that range are clamped into the border cells.
public enum NearestNeighbors {
    public static func meanSquaredDistanceToThreeNearest(_ points: [SIMD3<Float>], threadCount: Int) -> [Float] {
        let n = points.count
        guard n > 1 else { return [Float](repeating: 1e-7, count: n) }
        let grid = Grid(points)
        let k = min(3, n - 1)
        var result = [Float](repeating: 0, count: n)
        result.withUnsafeMutableBufferPointer { out in
            let o = out.baseAddress!
            Parallel.split(n, threads: threadCount) { range in
                for i in range {
                    let best = grid.threeNearest(to: i, points: points, k: k)
                    var sum: Float = 0
                    for m in 0..<k { sum += best[m] }
                    o[i] = max(sum / Float(k), 1e-7)
                }
            }
        }
        return result
    }

    /// Keeps `best` as the three smallest squared distances seen, ascending.
    @inline(__always)
    static func insert(_ d2: Float, into best: inout SIMD3<Float>) {
        guard d2 < best.z else { return }
        if d2 < best.x { best = SIMD3(d2, best.x, best.y) }
        else if d2 < best.y { best = SIMD3(best.x, d2, best.y) }
        else { best.z = d2 }
    }

    /// Points sorted by cell, with the range of every non-empty cell.
    struct Grid {
        var lo: SIMD3<Float>, hi: SIMD3<Float>   // the robust range; cells cover it
        var cell: Float
        var maxCell: SIMD3<Int>
        var order: [Int]
        var ranges: [Int: Range<Int>]

        init(_ points: [SIMD3<Float>]) {
            let n = points.count
            (lo, hi) = Grid.robustRange(points)
            let extent = pointwiseMax(hi - lo, SIMD3(repeating: 1e-6))
            // About two points per cell on average, at most 2^20 cells per axis.
            // Flat or linear point sets: a degenerate axis must not shrink cells to nothing.
            let e = pointwiseMax(extent, SIMD3(repeating: extent.max() * 0.01))
            let volume = Double(e.x) * Double(e.y) * Double(e.z)
            let size = max(Float(cbrt(volume * 2 / Double(n))), extent.max() / 1_000_000)
            let cells = pointwiseMin((hi - lo) / size, SIMD3(repeating: Float(1 << 20) - 1))
            cell = size
            maxCell = SIMD3(Int(cells.x), Int(cells.y), Int(cells.z))
            order = []
            ranges = [:]
            let keys = points.map { key(coordinate($0)) }
            order = (0..<n).sorted { keys[$0] < keys[$1] }
            var start = 0
            for i in 1...n where i == n || keys[order[i]] != keys[order[start]] {
                ranges[keys[order[start]]] = start..<i
                start = i
            }
        }

        /// Per axis, the 0.1 % and 99.9 % points of a sample of at most 65,536 points.
        static func robustRange(_ points: [SIMD3<Float>]) -> (SIMD3<Float>, SIMD3<Float>) {
            let step = max(1, points.count / 65_536)
            let sample = stride(from: 0, to: points.count, by: step).map { points[$0] }
            var lo = SIMD3<Float>(), hi = SIMD3<Float>()
            for axis in 0..<3 {
                let values = sample.map { $0[axis] }.filter { $0.isFinite }.sorted()
                guard !values.isEmpty else { continue }
                let cut = values.count / 1000
                lo[axis] = values[cut]; hi[axis] = values[values.count - 1 - cut]
            }
            return (lo, hi)
        }

        /// Cell of `p`, clamped to the grid (points outside the range land in border cells).
        func coordinate(_ p: SIMD3<Float>) -> SIMD3<Int> {
            var c = (p - lo) / cell
            c = c.replacing(with: 0, where: .!(c .>= 0))   // also NaN
            c = pointwiseMin(c, SIMD3(Float(maxCell.x), Float(maxCell.y), Float(maxCell.z)))
            return SIMD3(Int(c.x), Int(c.y), Int(c.z))
        }

        func key(_ c: SIMD3<Int>) -> Int { c.x | (c.y << 21) | (c.z << 42) }

        /// The three smallest squared distances from point i to the others: rings of cells around
        /// its own, shell by shell, until no unvisited point can be nearer than the third-nearest.
        /// An unvisited point's (clamped) cell lies outside the searched block on some axis, and
        /// clamping only moves a cell towards the grid, so the point itself lies beyond that face
        /// of the block; faces on the grid's border hide nothing.
        func threeNearest(to i: Int, points: [SIMD3<Float>], k: Int) -> SIMD3<Float> {
            let p = points[i], c = coordinate(p)
            var best = SIMD3<Float>(repeating: .infinity)
            var ring = 0
            while true {
                forEachCellOfShell(around: c, ring: ring) { cellKey in
                    guard let r = ranges[cellKey] else { return }
                    for j in r where order[j] != i {
                        let d = points[order[j]] - p
                        NearestNeighbors.insert((d * d).sum(), into: &best)
                    }
                }
                var reach = Float.infinity   // distance from p to the nearest face hiding cells
                for axis in 0..<3 {
                    if c[axis] - ring > 0 {
                        reach = min(reach, p[axis] - (lo[axis] + Float(c[axis] - ring) * cell))
                    }
                    if c[axis] + ring < maxCell[axis] {
                        reach = min(reach, lo[axis] + Float(c[axis] + ring + 1) * cell - p[axis])
                    }
                }
                if reach == .infinity || best[k - 1] <= reach * reach { break }
                ring += 1
            }
            return best
        }

        /// The cells at Chebyshev distance exactly `ring` from `c` inside the grid: the two faces
        /// in z, then per inner z the two rows in y, then per inner row the two end cells in x,
        /// so a ring costs O(ring²) instead of scanning its whole cube.
        func forEachCellOfShell(around c: SIMD3<Int>, ring: Int, _ visit: (Int) -> Void) {
            let x0 = max(c.x - ring, 0), x1 = min(c.x + ring, maxCell.x)
            let y0 = max(c.y - ring, 0), y1 = min(c.y + ring, maxCell.y)
            for z in max(c.z - ring, 0)...min(c.z + ring, maxCell.z) {
                let zFace = abs(z - c.z) == ring
                for y in y0...y1 {
                    if zFace || abs(y - c.y) == ring {
                        for x in x0...x1 { visit(key(SIMD3(x, y, z))) }
                    } else {
                        if c.x - ring >= 0 { visit(key(SIMD3(c.x - ring, y, z))) }
                        if ring > 0 && c.x + ring <= maxCell.x { visit(key(SIMD3(c.x + ring, y, z))) }
                    }
                }
            }
        }
    }
}
