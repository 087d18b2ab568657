import Foundation

/// Per-pixel outputs of the forward blend that the backward walks again.
struct BlendState {
    var finalT: UnsafeMutablePointer<Float>     // [H*W]
    var lastIndex: UnsafeMutablePointer<Int32>  // [H*W], 1-based position in the tile's list, 0 = none
}

/// Front-to-back blending per 16x16 tile (formats.md §5 step 9). Each tile keeps its pixels'
/// state in stack arrays and, for one Gaussian at a time, updates a row of 16 pixels in a
/// branch-free loop the compiler vectorizes; done pixels are masked, and the tile stops once all
/// of its pixels are done.
enum BlendForward {
    struct Inputs {
        var pairSplats: UnsafePointer<Float>   // [pairs * SplatLane.stride], in sorted order
        var ranges: UnsafePointer<Int>
        var view: ViewParameters
        var background: SIMD3<Float>
        var rules: BlendRules
    }

    struct Outputs {
        var image: UnsafeMutablePointer<Float>   // [H*W*3]
        var alpha: UnsafeMutablePointer<Float>?  // [H*W]
        var depth: UnsafeMutablePointer<Float>?  // [H*W]
        var state: BlendState
    }

    static func run(_ input: Inputs, _ output: Outputs, threads: Int) {
        let tiles = input.view.tileCount
        Parallel.chunks(tiles, chunkSize: 4, threads: threads) { range in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 256 * 9) { buf in
                let scratch = buf.baseAddress!
                // Two copies of the loop: the depth sum costs a load and a store per pixel.
                if output.depth != nil {
                    for tile in range { blendTile(tile, input, output, scratch: scratch, withDepth: true) }
                } else {
                    for tile in range { blendTile(tile, input, output, scratch: scratch, withDepth: false) }
                }
            }
        }
    }

    @inline(__always)
    static func blendTile(_ tile: Int, _ input: Inputs, _ output: Outputs, scratch: UnsafeMutablePointer<Float>,
                          withDepth: Bool) {
        let view = input.view, rules = input.rules
        let tx0 = (tile % view.tilesX) * 16, ty0 = (tile / view.tilesX) * 16
        let trans = scratch, red = scratch + 256, green = scratch + 512, blue = scratch + 768
        let depth = scratch + 1024, live = scratch + 1280
        let last = UnsafeMutableRawPointer(scratch + 1536).bindMemory(to: Int32.self, capacity: 256)
        let pixelX = scratch + 1792, pixelY = scratch + 2048   // tile-local pixel coordinates
        let cols = min(16, view.width - tx0), rowsInImage = min(16, view.height - ty0)
        var liveCount = 0
        for p in 0..<256 {
            pixelX[p] = Float(p % 16); pixelY[p] = Float(p / 16)
            trans[p] = 1; red[p] = 0; green[p] = 0; blue[p] = 0; depth[p] = 0; last[p] = 0
            let inside = p % 16 < cols && p / 16 < rowsInImage
            live[p] = inside ? 1 : 0
            liveCount += inside ? 1 : 0
        }
        let start = input.ranges[tile * 2], end = input.ranges[tile * 2 + 1]
        let alphaMax = rules.alphaMax, alphaMin = rules.alphaMin, minT = rules.minTransmittance
        var k = start
        while k < end && liveCount > 0 {
            let s = input.pairSplats + k * SplatLane.stride
            let u = s[SplatLane.u] - Float(tx0), v = s[SplatLane.v]
            let ca = s[SplatLane.conicA], cb = s[SplatLane.conicB], cc = s[SplatLane.conicC]
            let o = s[SplatLane.opacity], z = s[SplatLane.depth]
            let r = s[SplatLane.red], g = s[SplatLane.green], b = s[SplatLane.blue]
            let (rowLo, rowHi) = rules.rows(v: v, extent: s[SplatLane.rowExtent], tileY0: ty0, height: view.height)
            let position = Int32(truncatingIfNeeded: k - start + 1)
            var stops: Int32 = 0
            if rowLo <= rowHi {
                let (c0, c1) = rules.columns(uLocal: u, extent: s[SplatLane.columnExtent])
                let vl = v - Float(ty0)
                for row in (rowLo - ty0)...(rowHi - ty0) {
                    // Runtime trip count, so LLVM vectorizes instead of fully unrolling.
                    for p in (row * 16 + c0)..<(row * 16 + c1) {
                        let dx = u - pixelX[p], dy = vl - pixelY[p]
                        let power = -0.5 * (ca * dx * dx + cc * dy * dy) - cb * dx * dy
                        var a = min(alphaMax, o * fastExpNonPositive(power))
                        a = (power <= 0 && a >= alphaMin) ? a * live[p] : 0
                        let t = trans[p]
                        let stop = t * (1 - a) < minT
                        a = stop ? 0 : a
                        live[p] = stop ? 0 : live[p]
                        stops &+= stop ? 1 : 0
                        let w = a * t
                        red[p] += w * r; green[p] += w * g; blue[p] += w * b
                        if withDepth { depth[p] += w * z }
                        trans[p] = t * (1 - a)
                        last[p] = a > 0 ? position : last[p]
                    }
                }
            }
            liveCount -= Int(stops)
            k += 1
        }
        let bg = input.background
        for row in 0..<rowsInImage {
            for x in 0..<cols {
                let p = row * 16 + x
                let idx = (ty0 + row) * view.width + tx0 + x
                let t = trans[p]
                output.image[idx * 3] = red[p] + t * bg.x
                output.image[idx * 3 + 1] = green[p] + t * bg.y
                output.image[idx * 3 + 2] = blue[p] + t * bg.z
                output.state.finalT[idx] = t
                output.state.lastIndex[idx] = last[p]
                output.alpha?[idx] = 1 - t
                if let d = output.depth { d[idx] = t < 1 ? depth[p] / (1 - t) : 0 }
            }
        }
    }
}
