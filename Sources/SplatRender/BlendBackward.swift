import Foundation
import SplatCore

/// Lanes of the per-Gaussian screen-space gradient accumulated by the backward blend.
enum Grad2DLane {
    static let u = 0, v = 1, conicA = 2, conicB = 3, conicC = 4, opacity = 5, red = 6, green = 7, blue = 8
    static let stride = 9
}

/// Backward of the blend (docs/rendering-maths.md step 10): each tile walks its list back to front from the
/// largest last-contributing position, recomputing transmittance per pixel, with the same
/// branch-free loop as the forward. Each (tile, Gaussian) pair gets its own gradient slot, so
/// tiles never write shared memory; `reduce` then sums the slots per Gaussian in list order,
/// which makes the result independent of the thread count and of scheduling.
enum BlendBackward {
    struct Inputs {
        var lists: TileLists
        var state: BlendState
        var dLdImage: UnsafePointer<Float>   // [H*W*3]
    }

    /// Writes every pair's screen-space gradient to `pairGrads` [pairs * Grad2DLane.stride].
    static func run(_ input: Inputs, pairGrads: UnsafeMutablePointer<Float>, threads: Int) {
        Parallel.chunks(input.lists.view.tileCount, chunkSize: 4, threads: threads) { range in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 256 * 9 + 16) { state in
                for tile in range { backwardTile(tile, input, pairGrads: pairGrads, scratch: state.baseAddress!) }
            }
        }
    }

    /// grads2D[i] = Σ over the pairs of Gaussian i, in list order: its pairs are the emission
    /// slots offsets[i] ..< offsets[i] + tileCounts[i] (ascending tile, i.e. list, order), found in
    /// the list through `sortedPosition`. Parallel over Gaussians; each slot is read once.
    static func reduce(pairGrads: UnsafePointer<Float>, sortedPosition: UnsafePointer<UInt32>,
                       offsets: UnsafePointer<Int>, tileCounts: UnsafePointer<Int>,
                       gaussianCount n: Int, into grads2D: UnsafeMutablePointer<Float>, threads: Int) {
        Parallel.chunks(n, chunkSize: 4096, threads: threads) { range in
            for i in range {
                let dst = grads2D + i * Grad2DLane.stride
                dst.update(repeating: 0, count: Grad2DLane.stride)
                let first = offsets[i]
                for e in first..<(first + tileCounts[i]) {
                    let src = pairGrads + Int(sortedPosition[e]) * Grad2DLane.stride
                    for q in 0..<Grad2DLane.stride { dst[q] += src[q] }
                }
            }
        }
    }

    @inline(never)  // a separate function, so the per-lane helper below inlines into it
    static func backwardTile(_ tile: Int, _ input: Inputs, pairGrads: UnsafeMutablePointer<Float>,
                             scratch: UnsafeMutablePointer<Float>) {
        let view = input.lists.view, rules = input.lists.rules
        let tx0 = (tile % view.tilesX) * 16, ty0 = (tile / view.tilesX) * 16
        let cols = min(16, view.width - tx0), rowsInImage = min(16, view.height - ty0)
        // Per-pixel state, 256 each. Walking back to front, `behind` holds Σ_{j behind} wⱼ·(cⱼ·g),
        // the colour already accounted for behind the current Gaussian projected on g = dL/dpixel;
        // with it dL/dα = T·(c·g) − (behind + T_final·(bg·g)) / (1 − α), which is docs/rendering-maths.md's
        // T·Σ(c − A)·g − T_final/(1−α)·(bg·g) rewritten (T·(1−α)·A = Σ_{j behind} wⱼcⱼ), so the
        // loop carries two numbers per pixel instead of eight.
        let trans = scratch, behind = scratch + 256, background = scratch + 512
        let gR = scratch + 768, gG = scratch + 1024, gB = scratch + 1280
        let lastI = UnsafeMutableRawPointer(scratch + 1536).bindMemory(to: Int32.self, capacity: 256)
        let pixelX = scratch + 1792, pixelY = scratch + 2048   // tile-local pixel coordinates
        let rowLast = UnsafeMutableRawPointer(scratch + 2304).bindMemory(to: Int32.self, capacity: 16)
        let bg = input.lists.background
        var maxLast: Int32 = 0
        for row in 0..<16 { rowLast[row] = 0 }
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
                rowLast[row] = max(rowLast[row], l)
                let g = SIMD3(input.dLdImage[idx * 3], input.dLdImage[idx * 3 + 1], input.dLdImage[idx * 3 + 2])
                gR[p] = g.x; gG[p] = g.y; gB[p] = g.z
                background[p] = t * (g * bg).sum()
            }
        }
        let start = input.lists.ranges[tile * 2], end = input.lists.ranges[tile * 2 + 1]
        // Pairs behind every pixel's last contributor get no gradient.
        if start + Int(maxLast) < end {
            (pairGrads + (start + Int(maxLast)) * Grad2DLane.stride)
                .update(repeating: 0, count: (end - start - Int(maxLast)) * Grad2DLane.stride)
        }
        var k = Int(maxLast) - 1
        while k >= 0 {
            let s = input.lists.pairSplats + (start + k) * SplatLane.stride
            let out = pairGrads + (start + k) * Grad2DLane.stride
            let u = s[SplatLane.u] - Float(tx0), v = s[SplatLane.v]
            let ca = s[SplatLane.conicA], cb = s[SplatLane.conicB], cc = s[SplatLane.conicC]
            let o = s[SplatLane.opacity]
            let r = s[SplatLane.red], g = s[SplatLane.green], b = s[SplatLane.blue]
            let (rowLo, rowHi) = rules.rows(v: v, extent: s[SplatLane.rowExtent], tileY0: ty0, height: view.height)
            let position = Int32(truncatingIfNeeded: k)   // pixel p saw this Gaussian iff k < last[p]
            if rowLo <= rowHi {
                let vl = v - Float(ty0)
                let shape = rules.footprint(conicA: ca, conicB: cb, conicC: cc, k2: s[SplatLane.footprint])
                var sums = GradientSums()
                let pixels = TilePixels(trans: trans, behind: behind, background: background, gR: gR, gG: gG, gB: gB,
                                        last: lastI, pixelX: pixelX, pixelY: pixelY)
                // Rows where every pixel's last contributor is in front of this Gaussian are skipped.
                for row in (rowLo - ty0)...(rowHi - ty0) where rowLast[row] > position {
                    let (c0, count) = rules.span(row: row, uLocal: u, vLocal: vl, shape)
                    if count == 0 { continue }
                    let first = row * 16 + c0
                    accumulateLanes(first, pixels, u: u, v: vl, conic: (ca, cb, cc), opacity: o, color: (r, g, b),
                                    position: position, rules: rules, into: &sums)
                    if count == 16 {
                        accumulateLanes(first + 8, pixels, u: u, v: vl, conic: (ca, cb, cc), opacity: o, color: (r, g, b),
                                        position: position, rules: rules, into: &sums)
                    }
                }
                out[Grad2DLane.u] = total(sums.u); out[Grad2DLane.v] = total(sums.v)
                out[Grad2DLane.conicA] = total(sums.conicA); out[Grad2DLane.conicB] = total(sums.conicB)
                out[Grad2DLane.conicC] = total(sums.conicC); out[Grad2DLane.opacity] = total(sums.opacity)
                out[Grad2DLane.red] = total(sums.red); out[Grad2DLane.green] = total(sums.green)
                out[Grad2DLane.blue] = total(sums.blue)
            } else {
                out.update(repeating: 0, count: Grad2DLane.stride)
            }
            k -= 1
        }
    }

    /// The tile's per-pixel arrays (256 each, row-major 16x16).
    struct TilePixels {
        var trans, behind, background, gR, gG, gB: UnsafeMutablePointer<Float>
        var last: UnsafeMutablePointer<Int32>
        var pixelX, pixelY: UnsafeMutablePointer<Float>
    }

    /// Per-lane running sums of one pair's nine screen-space gradient terms (Grad2DLane order).
    struct GradientSums {
        var u = Lanes(), v = Lanes(), conicA = Lanes(), conicB = Lanes(), conicC = Lanes()
        var opacity = Lanes(), red = Lanes(), green = Lanes(), blue = Lanes()
    }

    /// Un-blends one Gaussian from the eight pixels starting at `p` (restoring their
    /// transmittance and the colour behind it) and adds its gradient terms to `sums`, branch-free.
    @_transparent
    static func accumulateLanes(_ p: Int, _ px: TilePixels, u: Float, v: Float, conic: (Float, Float, Float),
                                opacity o: Float, color: (Float, Float, Float), position: Int32, rules: BlendRules,
                                into sums: inout GradientSums) {
        let (ca, cb, cc) = conic
        let dx = u - (px.pixelX + p).lanes(), dy = v - (px.pixelY + p).lanes()
        let quadratic = ca * dx * dx + cc * dy * dy
        let power = -0.5 * quadratic - cb * dx * dy
        let gauss = fastExpNonPositive(power)
        var alpha = o * gauss
        alpha = alpha.replacing(with: rules.alphaMax, where: alpha .> rules.alphaMax)
        let invalid = (SIMD8<Int32>(repeating: position) .>= (px.last + p).lanes()) .| (power .> 0) .| (alpha .< rules.alphaMin)
        let a = alpha.replacing(with: 0, where: invalid)
        let keep = 1 / (1 - a)
        let t = (px.trans + p).lanes() * keep
        let gR = (px.gR + p).lanes(), gG = (px.gG + p).lanes(), gB = (px.gB + p).lanes()
        let cg = color.0 * gR + color.1 * gG + color.2 * gB
        let behind = (px.behind + p).lanes()
        let dAlpha = t * cg - (behind + (px.background + p).lanes()) * keep
        let dLdAlpha = dAlpha.replacing(with: 0, where: invalid)
        let weight = a * t
        let dLdG = o * dLdAlpha
        let gdx = gauss * dx, gdy = gauss * dy
        sums.u += dLdG * (-gdx * ca - gdy * cb)
        sums.v += dLdG * (-gdy * cc - gdx * cb)
        sums.conicA += -0.5 * gdx * dx * dLdG
        sums.conicB += -gdx * dy * dLdG
        sums.conicC += -0.5 * gdy * dy * dLdG
        sums.opacity += gauss * dLdAlpha
        sums.red += weight * gR
        sums.green += weight * gG
        sums.blue += weight * gB
        (px.trans + p).setLanes(t)
        (px.behind + p).setLanes(behind + weight * cg)
    }

    /// Horizontal sum of 8 lanes as a fixed tree (deterministic).
    @inline(__always)
    static func total(_ v: Lanes) -> Float {
        let h4 = v.lowHalf + v.highHalf
        let h2 = h4.lowHalf + h4.highHalf
        return h2.x + h2.y
    }
}
