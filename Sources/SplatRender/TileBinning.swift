import CBlend
import SplatCore

/// Builds the (tile, Gaussian) list: per-Gaussian tile counts → exclusive prefix sum → one key
/// per covered tile, key = tile << 32 | bits(depth) (depth > 0.2, so its bits sort like the
/// value), then a radix sort and per-tile [start, end) ranges (docs/rendering-maths.md step 7–8).
enum TileBinning {
    /// Exclusive prefix sum of tile counts into `offsets` [N]; returns the total.
    static func prefixSum(_ counts: UnsafePointer<Int>, count n: Int, into offsets: UnsafeMutablePointer<Int>) -> Int {
        var total = 0
        for i in 0..<n {
            offsets[i] = total
            total &+= counts[i]
        }
        return total
    }

    /// Writes every Gaussian's keys at its offset, in parallel over Gaussians. The payload of a
    /// key is its emission index e (its slot before sorting); `pairGaussian[e]` is its Gaussian.
    /// A Gaussian's pairs are emitted in ascending tile order, which is also their order in the
    /// sorted list (one pair per tile), so `BlendBackward.reduce` can sum them in list order.
    static func emitKeys(count n: Int, projection: ProjectionBuffers, offsets: UnsafePointer<Int>, view: ViewParameters,
                         exactTiles: Bool, keys: UnsafeMutablePointer<UInt64>, values: UnsafeMutablePointer<UInt32>,
                         pairGaussian: UnsafeMutablePointer<UInt32>, threads: Int) {
        let tilesX = view.tilesX
        withUnsafePointer(to: view.cView) { cView in
        Parallel.chunks(n, chunkSize: 8192, threads: threads) { range in
            for i in range where projection.tileCounts[i] > 0 {
                let s = projection.splats + i * SplatLane.stride
                let depthBits = UInt64(s[SplatLane.depth].bitPattern)
                let r = projection.tileRects + i * 4
                let x0 = Int(r[0]), y0 = Int(r[1]), x1 = Int(r[2]), y1 = Int(r[3])
                let test = exactTiles && TileCoverage.needsTest(width: x1 - x0, height: y1 - y0)
                let useMask = test && TileCoverage.usesMask(width: x1 - x0, height: y1 - y0)
                let mask = useMask ? projection.tileMasks[i] : 0
                var o = offsets[i], bit: UInt64 = 1
                for ty in y0..<y1 {
                    for tx in x0..<x1 {
                        // Rectangles too big for a mask: the projection kernel's own test, so
                        // the pairs emitted are exactly those it counted.
                        let keep = !test || (useMask ? mask & bit != 0
                                             : cproject_tile_reaches(s, cView, Int32(tx), Int32(ty)) != 0)
                        bit = bit &<< 1
                        guard keep else { continue }
                        keys[o] = UInt64(ty * tilesX + tx) << 32 | depthBits
                        values[o] = UInt32(truncatingIfNeeded: o)
                        pairGaussian[o] = UInt32(truncatingIfNeeded: i)
                        o += 1
                    }
                }
            }
        }}
    }

    /// pairSplats[k] = splats[Gaussian of sortedValues[k]], all lanes, and
    /// sortedPosition[e] = k (where emitted pair e ended up), in parallel over the list (in C, with
    /// software prefetch: the reads are scattered over the whole projection).
    static func gather(splats: UnsafePointer<Float>, sortedValues: UnsafePointer<UInt32>,
                       pairGaussian: UnsafePointer<UInt32>, count: Int, into pairSplats: UnsafeMutablePointer<Float>,
                       sortedPosition: UnsafeMutablePointer<UInt32>, threads: Int) {
        Parallel.chunks(count, chunkSize: 16384, threads: threads) { range in
            cblend_gather(splats, sortedValues, pairGaussian, range.lowerBound, range.upperBound, pairSplats, sortedPosition)
        }
    }

    /// Per-tile [start, end) into the sorted list; tiles with no Gaussian get an empty range.
    static func tileRanges(keys: UnsafePointer<UInt64>, count: Int, tileCount: Int,
                           ranges: UnsafeMutablePointer<Int>) {
        for t in 0..<(tileCount * 2) { ranges[t] = 0 }
        guard count > 0 else { return }
        var current = Int(keys[0] >> 32)
        ranges[current * 2] = 0
        for k in 1..<max(count, 1) {
            let tile = Int(keys[k] >> 32)
            if tile != current {
                ranges[current * 2 + 1] = k
                ranges[tile * 2] = k
                current = tile
            }
        }
        ranges[current * 2 + 1] = count
    }
}

/// LSD radix sort of 64-bit keys with 32-bit payloads, 11 bits per pass, only over the low
/// `significantBits` (the tile id above bit 32 is small, so most high passes are skipped).
/// Each pass: every worker histograms its contiguous chunk, bucket offsets are laid out worker
/// after worker, and every worker scatters its chunk in order. That keeps the sort stable (equal
/// keys stay in emission order, i.e. Gaussian index order), so results do not depend on threads.
enum RadixSort {
    static let digitBits = 11
    static let buckets = 1 << digitBits

    static func sort(keys: UnsafeMutablePointer<UInt64>, values: UnsafeMutablePointer<UInt32>,
                     tempKeys: UnsafeMutablePointer<UInt64>, tempValues: UnsafeMutablePointer<UInt32>,
                     count n: Int, significantBits: Int, threads: Int) -> (UnsafeMutablePointer<UInt64>, UnsafeMutablePointer<UInt32>) {
        guard n > 1 else { return (keys, values) }
        let passes = (significantBits + digitBits - 1) / digitBits
        // Small inputs are not worth a thread hand-off.
        let workers = n < 65_536 ? 1 : max(1, threads)
        var srcK = keys, srcV = values, dstK = tempKeys, dstV = tempValues
        let hist = UnsafeMutablePointer<Int>.allocate(capacity: workers * buckets)
        defer { hist.deallocate() }
        let mask = UInt64(buckets - 1)
        for pass in 0..<passes {
            let shift = UInt64(pass * digitBits)
            let (sk, sv, dk, dv) = (srcK, srcV, dstK, dstV)
            Parallel.forEach(workers) { w in
                let h = hist + w * buckets
                h.update(repeating: 0, count: buckets)
                for k in (n * w / workers)..<(n * (w + 1) / workers) {
                    h[Int((sk[k] >> shift) & mask)] &+= 1
                }
            }
            // Skip a pass whose digit is the same for every key.
            var nonEmpty = 0
            for b in 0..<buckets {
                var total = 0
                for w in 0..<workers { total &+= hist[w * buckets + b] }
                if total != 0 { nonEmpty += 1 }
            }
            if nonEmpty <= 1 { continue }
            var sum = 0
            for b in 0..<buckets {
                for w in 0..<workers {
                    let c = hist[w * buckets + b]
                    hist[w * buckets + b] = sum
                    sum &+= c
                }
            }
            Parallel.forEach(workers) { w in
                let h = hist + w * buckets
                for k in (n * w / workers)..<(n * (w + 1) / workers) {
                    let key = sk[k]
                    let d = Int((key >> shift) & mask)
                    let o = h[d]
                    h[d] = o &+ 1
                    dk[o] = key
                    dv[o] = sv[k]
                }
            }
            swap(&srcK, &dstK); swap(&srcV, &dstV)
        }
        return (srcK, srcV)
    }
}
