import Foundation

/// Lanes of the per-Gaussian screen-space gradient accumulated by the backward blend.
enum Grad2DLane {
    static let u = 0, v = 1, conicA = 2, conicB = 3, conicC = 4, opacity = 5, red = 6, green = 7, blue = 8
    static let stride = 9
}

/// Backward of the blend (formats.md §5 step 10): each tile walks its list back to front from the
/// largest last-contributing position, recomputing transmittance per pixel, with the same
/// branch-free row loop as the forward. Per-pixel terms go into 16 column lanes per quantity and
/// are summed once per (Gaussian, tile). Worker w owns tiles w, w + threads, … and its own
/// gradient buffer, so there are no shared writes and the sum order is fixed for a thread count.
enum BlendBackward {
    struct Inputs {
        var splats: UnsafePointer<Float>
        var sortedValues: UnsafePointer<UInt32>
        var ranges: UnsafePointer<Int>
        var view: ViewParameters
        var background: SIMD3<Float>
        var rules: BlendRules
        var state: BlendState
        var dLdImage: UnsafePointer<Float>   // [H*W*3]
    }

    /// `grads` holds `threads` buffers of [N * Grad2DLane.stride], zeroed here.
    static func run(_ input: Inputs, gaussianCount n: Int, grads: UnsafeMutablePointer<Float>, threads: Int) {
        let tiles = input.view.tileCount
        let perWorker = n * Grad2DLane.stride
        Parallel.workers(threads) { w in
            let mine = grads + w * perWorker
            mine.update(repeating: 0, count: perWorker)
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 256 * 14 + 16 * Grad2DLane.stride) { buf in
                var tile = w
                while tile < tiles {
                    backwardTile(tile, input, grads: mine, scratch: buf.baseAddress!)
                    tile += threads
                }
            }
        }
    }

    @inline(__always)
    static func backwardTile(_ tile: Int, _ input: Inputs, grads: UnsafeMutablePointer<Float>,
                             scratch: UnsafeMutablePointer<Float>) {
        let view = input.view, rules = input.rules
        let tx0 = (tile % view.tilesX) * 16, ty0 = (tile / view.tilesX) * 16
        let cols = min(16, view.width - tx0), rowsInImage = min(16, view.height - ty0)
        // Per-pixel state, 256 each.
        let trans = scratch, finalT = scratch + 256, bgDot = scratch + 512
        let gR = scratch + 768, gG = scratch + 1024, gB = scratch + 1280
        let accR = scratch + 1536, accG = scratch + 1792, accB = scratch + 2048
        let prevA = scratch + 2304, prevR = scratch + 2560, prevG = scratch + 2816, prevB = scratch + 3072
        let lastF = scratch + 3328   // last position as Float: exact below 2^24
        let lanes = scratch + 3584   // [9][16]
        let bg = input.background
        var maxLast: Int32 = 0
        for p in 0..<256 {
            trans[p] = 1; finalT[p] = 1; bgDot[p] = 0; gR[p] = 0; gG[p] = 0; gB[p] = 0
            accR[p] = 0; accG[p] = 0; accB[p] = 0; prevA[p] = 0; prevR[p] = 0; prevG[p] = 0; prevB[p] = 0
            lastF[p] = 0
        }
        for row in 0..<rowsInImage {
            for x in 0..<cols {
                let p = row * 16 + x
                let idx = (ty0 + row) * view.width + tx0 + x
                let t = input.state.finalT[idx]
                trans[p] = t; finalT[p] = t
                let l = input.state.lastIndex[idx]
                lastF[p] = Float(l)
                maxLast = max(maxLast, l)
                let g = SIMD3(input.dLdImage[idx * 3], input.dLdImage[idx * 3 + 1], input.dLdImage[idx * 3 + 2])
                gR[p] = g.x; gG[p] = g.y; gB[p] = g.z
                bgDot[p] = (g * bg).sum()
            }
        }
        let start = input.ranges[tile * 2]
        let alphaMax = rules.alphaMax, alphaMin = rules.alphaMin
        var k = Int(maxLast) - 1
        while k >= 0 {
            let gaussian = Int(input.sortedValues[start + k])
            let s = input.splats + gaussian * SplatLane.stride
            let u = s[SplatLane.u] - Float(tx0), v = s[SplatLane.v]
            let ca = s[SplatLane.conicA], cb = s[SplatLane.conicB], cc = s[SplatLane.conicC]
            let o = s[SplatLane.opacity]
            let r = s[SplatLane.red], g = s[SplatLane.green], b = s[SplatLane.blue]
            let (rowLo, rowHi) = rules.rows(v: v, extent: s[SplatLane.rowExtent], tileY0: ty0, height: view.height)
            let position = Float(k)   // pixel p saw this Gaussian iff k < last[p]
            if rowLo <= rowHi {
                lanes.update(repeating: 0, count: 16 * Grad2DLane.stride)
                for row in rowLo...rowHi {
                    let dy = v - Float(row)
                    let base = (row - ty0) * 16
                    for x in 0..<16 {
                        let p = base + x
                        let dx = u - Float(x)
                        let power = -0.5 * (ca * dx * dx + cc * dy * dy) - cb * dx * dy
                        let gauss = fastExpNonPositive(power)
                        let alpha = min(alphaMax, o * gauss)
                        let valid = position < lastF[p] && power <= 0 && alpha >= alphaMin
                        let a: Float = valid ? alpha : 0
                        let oneMinusA = 1 - a
                        let t = trans[p] / oneMinusA
                        let pa = prevA[p]
                        let nr = pa * prevR[p] + (1 - pa) * accR[p]
                        let ng = pa * prevG[p] + (1 - pa) * accG[p]
                        let nb = pa * prevB[p] + (1 - pa) * accB[p]
                        let dAlpha = t * ((r - nr) * gR[p] + (g - ng) * gG[p] + (b - nb) * gB[p])
                            - finalT[p] / oneMinusA * bgDot[p]
                        let dLdAlpha: Float = valid ? dAlpha : 0
                        let weight = a * t
                        let dLdG = o * dLdAlpha
                        let gdx = gauss * dx, gdy = gauss * dy
                        lanes[x] += dLdG * (-gdx * ca - gdy * cb)
                        lanes[16 + x] += dLdG * (-gdy * cc - gdx * cb)
                        lanes[32 + x] += -0.5 * gdx * dx * dLdG
                        lanes[48 + x] += -gdx * dy * dLdG
                        lanes[64 + x] += -0.5 * gdy * dy * dLdG
                        lanes[80 + x] += gauss * dLdAlpha
                        lanes[96 + x] += weight * gR[p]
                        lanes[112 + x] += weight * gG[p]
                        lanes[128 + x] += weight * gB[p]
                        trans[p] = t
                        accR[p] = valid ? nr : accR[p]; accG[p] = valid ? ng : accG[p]; accB[p] = valid ? nb : accB[p]
                        prevA[p] = valid ? a : pa
                        prevR[p] = valid ? r : prevR[p]; prevG[p] = valid ? g : prevG[p]; prevB[p] = valid ? b : prevB[p]
                    }
                }
                let out = grads + gaussian * Grad2DLane.stride
                for q in 0..<Grad2DLane.stride { out[q] += laneSum(lanes + q * 16) }
            }
            k -= 1
        }
    }

    /// Sum of 16 lanes as a tree of vector adds.
    @inline(__always)
    static func laneSum(_ p: UnsafeMutablePointer<Float>) -> Float {
        let v = UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
        let h8 = v.lowHalf + v.highHalf
        let h4 = h8.lowHalf + h8.highHalf
        let h2 = h4.lowHalf + h4.highHalf
        return h2.x + h2.y
    }
}
