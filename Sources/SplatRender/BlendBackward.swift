import Foundation

/// Lanes of the per-Gaussian screen-space gradient accumulated by the backward blend.
enum Grad2DLane {
    static let u = 0, v = 1, conicA = 2, conicB = 3, conicC = 4, opacity = 5, red = 6, green = 7, blue = 8
    static let stride = 9
}

/// Backward of the blend (formats.md §5 step 10): each tile walks its list back to front from the
/// largest last-contributing position, recomputing transmittance per pixel, with the same
/// branch-free loop as the forward. Each (tile, Gaussian) pair gets its own gradient slot, so
/// tiles never write shared memory; `reduce` then sums the slots per Gaussian in list order,
/// which makes the result independent of the thread count and of scheduling.
enum BlendBackward {
    struct Inputs {
        var pairSplats: UnsafePointer<Float>   // [pairs * SplatLane.stride], in sorted order
        var ranges: UnsafePointer<Int>
        var view: ViewParameters
        var background: SIMD3<Float>
        var rules: BlendRules
        var state: BlendState
        var dLdImage: UnsafePointer<Float>   // [H*W*3]
    }

    /// Writes every pair's screen-space gradient to `pairGrads` [pairs * Grad2DLane.stride].
    static func run(_ input: Inputs, pairGrads: UnsafeMutablePointer<Float>, threads: Int) {
        Parallel.chunks(input.view.tileCount, chunkSize: 4, threads: threads) { range in
            // Per-pixel state and per-pixel gradient terms live in separate allocations, so the
            // compiler can see that they never alias.
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 256 * 9) { state in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: 256 * Grad2DLane.stride) { terms in
                    for tile in range {
                        backwardTile(tile, input, pairGrads: pairGrads, scratch: state.baseAddress!, terms: terms.baseAddress!)
                    }
                }
            }
        }
    }

    /// grads2D[i] = Σ over the pairs of Gaussian i, in list order. Worker w owns a contiguous
    /// range of Gaussian ids and scans the whole list, so no two workers write the same slot.
    static func reduce(pairGrads: UnsafePointer<Float>, sortedValues: UnsafePointer<UInt32>, pairs: Int,
                       gaussianCount n: Int, into grads2D: UnsafeMutablePointer<Float>, threads: Int) {
        Parallel.workers(threads) { w in
            let lo = n * w / threads, hi = n * (w + 1) / threads
            (grads2D + lo * Grad2DLane.stride).update(repeating: 0, count: (hi - lo) * Grad2DLane.stride)
            for k in 0..<pairs {
                let i = Int(sortedValues[k])
                guard i >= lo && i < hi else { continue }
                let src = pairGrads + k * Grad2DLane.stride, dst = grads2D + i * Grad2DLane.stride
                for q in 0..<Grad2DLane.stride { dst[q] += src[q] }
            }
        }
    }

    @inline(__always)
    static func backwardTile(_ tile: Int, _ input: Inputs, pairGrads: UnsafeMutablePointer<Float>,
                             scratch: UnsafeMutablePointer<Float>, terms: UnsafeMutablePointer<Float>) {
        let view = input.view, rules = input.rules
        let tx0 = (tile % view.tilesX) * 16, ty0 = (tile / view.tilesX) * 16
        let cols = min(16, view.width - tx0), rowsInImage = min(16, view.height - ty0)
        // Per-pixel state, 256 each. Walking back to front, `behind` holds Σ_{j behind} wⱼ·(cⱼ·g),
        // the colour already accounted for behind the current Gaussian projected on g = dL/dpixel;
        // with it dL/dα = T·(c·g) − (behind + T_final·(bg·g)) / (1 − α), which is formats.md's
        // T·Σ(c − A)·g − T_final/(1−α)·(bg·g) rewritten (T·(1−α)·A = Σ_{j behind} wⱼcⱼ), so the
        // loop carries two numbers per pixel instead of eight.
        let trans = scratch, behind = scratch + 256, background = scratch + 512
        let gR = scratch + 768, gG = scratch + 1024, gB = scratch + 1280
        let lastI = UnsafeMutableRawPointer(scratch + 1536).bindMemory(to: Int32.self, capacity: 256)
        let pixelX = scratch + 1792, pixelY = scratch + 2048   // tile-local pixel coordinates
        let bg = input.background
        var maxLast: Int32 = 0
        for p in 0..<256 {
            trans[p] = 1; behind[p] = 0; background[p] = 0; gR[p] = 0; gG[p] = 0; gB[p] = 0; lastI[p] = 0
            pixelX[p] = Float(p % 16); pixelY[p] = Float(p / 16)
        }
        for row in 0..<rowsInImage {
            for x in 0..<cols {
                let p = row * 16 + x
                let idx = (ty0 + row) * view.width + tx0 + x
                let t = input.state.finalT[idx]
                trans[p] = t
                let l = input.state.lastIndex[idx]
                lastI[p] = l
                maxLast = max(maxLast, l)
                let g = SIMD3(input.dLdImage[idx * 3], input.dLdImage[idx * 3 + 1], input.dLdImage[idx * 3 + 2])
                gR[p] = g.x; gG[p] = g.y; gB[p] = g.z
                background[p] = t * (g * bg).sum()
            }
        }
        let start = input.ranges[tile * 2], end = input.ranges[tile * 2 + 1]
        // Pairs behind every pixel's last contributor get no gradient.
        if start + Int(maxLast) < end {
            (pairGrads + (start + Int(maxLast)) * Grad2DLane.stride)
                .update(repeating: 0, count: (end - start - Int(maxLast)) * Grad2DLane.stride)
        }
        let alphaMax = rules.alphaMax, alphaMin = rules.alphaMin
        var k = Int(maxLast) - 1
        while k >= 0 {
            let s = input.pairSplats + (start + k) * SplatLane.stride
            let out = pairGrads + (start + k) * Grad2DLane.stride
            let u = s[SplatLane.u] - Float(tx0), v = s[SplatLane.v]
            let ca = s[SplatLane.conicA], cb = s[SplatLane.conicB], cc = s[SplatLane.conicC]
            let o = s[SplatLane.opacity]
            let r = s[SplatLane.red], g = s[SplatLane.green], b = s[SplatLane.blue]
            let (rowLo, rowHi) = rules.rows(v: v, extent: s[SplatLane.rowExtent], tileY0: ty0, height: view.height)
            let position = Int32(truncatingIfNeeded: k)   // pixel p saw this Gaussian iff k < last[p]
            if rowLo <= rowHi {
                let (c0, c1) = rules.columns(uLocal: u, extent: s[SplatLane.columnExtent])
                let r0 = rowLo - ty0, r1 = rowHi - ty0
                let vl = v - Float(ty0)
                // Per covered row, a loop with a runtime trip count (vectorized); each pixel's terms
                // go to its own slot of nine per-pixel arrays (plain stores), summed below.
                for row in r0...r1 {
                for p in (row * 16 + c0)..<(row * 16 + c1) {
                    let dx = u - pixelX[p], dy = vl - pixelY[p]
                    let power = -0.5 * (ca * dx * dx + cc * dy * dy) - cb * dx * dy
                    let gauss = fastExpNonPositive(power)
                    let alpha = min(alphaMax, o * gauss)
                    let valid = position < lastI[p] && power <= 0 && alpha >= alphaMin
                    let a: Float = valid ? alpha : 0
                    let keep = 1 / (1 - a)
                    let t = trans[p] * keep
                    let cg = r * gR[p] + g * gG[p] + b * gB[p]
                    let dAlpha = t * cg - (behind[p] + background[p]) * keep
                    let dLdAlpha: Float = valid ? dAlpha : 0
                    let weight = a * t
                    let dLdG = o * dLdAlpha
                    let gdx = gauss * dx, gdy = gauss * dy
                    terms[p] = dLdG * (-gdx * ca - gdy * cb)
                    terms[256 + p] = dLdG * (-gdy * cc - gdx * cb)
                    terms[512 + p] = -0.5 * gdx * dx * dLdG
                    terms[768 + p] = -gdx * dy * dLdG
                    terms[1024 + p] = -0.5 * gdy * dy * dLdG
                    terms[1280 + p] = gauss * dLdAlpha
                    terms[1536 + p] = weight * gR[p]
                    terms[1792 + p] = weight * gG[p]
                    terms[2048 + p] = weight * gB[p]
                    trans[p] = t
                    behind[p] += weight * cg
                }
                }
                for q in 0..<Grad2DLane.stride { out[q] = blockSum(terms + q * 256, rows: r0...r1, columns: c0..<c1) }
            } else {
                out.update(repeating: 0, count: Grad2DLane.stride)
            }
            k -= 1
        }
    }

    /// Sum of the tile-local block rows × columns (columns in halves of 8) with 8-wide vector
    /// adds and a final tree.
    @inline(__always)
    static func blockSum(_ p: UnsafeMutablePointer<Float>, rows: ClosedRange<Int>, columns: Range<Int>) -> Float {
        var v = SIMD8<Float>()
        for row in rows {
            var c = columns.lowerBound
            while c < columns.upperBound {
                v += UnsafeRawPointer(p + row * 16 + c).loadUnaligned(as: SIMD8<Float>.self)
                c += 8
            }
        }
        let h4 = v.lowHalf + v.highHalf
        let h2 = h4.lowHalf + h4.highHalf
        return h2.x + h2.y
    }
}
