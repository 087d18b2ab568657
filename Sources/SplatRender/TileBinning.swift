/// Builds the (tile, Gaussian) list: per-Gaussian tile counts → exclusive prefix sum → one key
/// per covered tile, key = tile << 32 | bits(depth) (depth > 0.2, so its bits sort like the
/// value), then a radix sort and per-tile [start, end) ranges (formats.md §5 steps 7–8).
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

    /// Writes every Gaussian's keys at its offset, in parallel over Gaussians.
    static func emitKeys(count n: Int, projection: ProjectionBuffers, offsets: UnsafePointer<Int>, tilesX: Int,
                         keys: UnsafeMutablePointer<UInt64>, values: UnsafeMutablePointer<UInt32>, threads: Int) {
        Parallel.chunks(n, chunkSize: 8192, threads: threads) { range in
            for i in range where projection.tileCounts[i] > 0 {
                let depthBits = UInt64(projection.splats[i * SplatLane.stride + SplatLane.depth].bitPattern)
                let r = projection.tileRects + i * 4
                var o = offsets[i]
                for ty in Int(r[1])..<Int(r[3]) {
                    for tx in Int(r[0])..<Int(r[2]) {
                        keys[o] = UInt64(ty * tilesX + tx) << 32 | depthBits
                        values[o] = UInt32(truncatingIfNeeded: i)
                        o += 1
                    }
                }
            }
        }
    }

    /// pairSplats[k] = splats[sortedValues[k]], all lanes, in parallel over the list.
    static func gather(splats: UnsafePointer<Float>, sortedValues: UnsafePointer<UInt32>, count: Int,
                       into pairSplats: UnsafeMutablePointer<Float>, threads: Int) {
        Parallel.chunks(count, chunkSize: 16384, threads: threads) { range in
            for k in range {
                let src = splats + Int(sortedValues[k]) * SplatLane.stride
                let dst = pairSplats + k * SplatLane.stride
                for lane in 0..<SplatLane.stride { dst[lane] = src[lane] }
            }
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
            Parallel.workers(workers) { w in
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
            Parallel.workers(workers) { w in
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
