import Foundation
import SplatCore

/// Per-pixel outputs of the forward blend that the backward walks again.
struct BlendState {
    var finalT: UnsafeMutablePointer<Float>     // [H*W]
    var lastIndex: UnsafeMutablePointer<Int32>  // [H*W], 1-based position in the tile's list, 0 = none
}

/// Front-to-back blending per 16x16 tile (docs/rendering-maths.md step 9). Each tile keeps its pixels'
/// state in stack arrays and, for one Gaussian at a time, updates each row it can reach in
/// branch-free 8-pixel SIMD steps (only the columns its footprint covers, `BlendRules.span`);
/// done pixels hold T = 0 and so take nothing, rows whose 16 pixels are all done are skipped,
/// and the tile stops once all of its pixels are done.
enum BlendForward {
    struct Outputs {
        var image: UnsafeMutablePointer<Float>   // [H*W*3]
        var alpha: UnsafeMutablePointer<Float>?  // [H*W]
        var depth: UnsafeMutablePointer<Float>?  // [H*W]
        var state: BlendState
    }

    static func run(_ input: TileLists, _ output: Outputs, threads: Int) {
        let tiles = input.view.tileCount
        Parallel.chunks(tiles, chunkSize: 4, threads: threads) { range in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 256 * 9 + 16) { buf in
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

    @inline(never)  // a separate function, so the per-lane helpers below inline into it
    static func blendTile(_ tile: Int, _ input: TileLists, _ output: Outputs, scratch: UnsafeMutablePointer<Float>,
                          withDepth: Bool) {
        let view = input.view, rules = input.rules
        let tx0 = (tile % view.tilesX) * 16, ty0 = (tile / view.tilesX) * 16
        let trans = scratch, red = scratch + 256, green = scratch + 512, blue = scratch + 768
        // trans is 0 for pixels that are done (and outside the image), so a done pixel needs no mask
        // in the blend and the transmittance chain from one Gaussian to the next stays short;
        // stoppedT keeps the transmittance a pixel stopped at.
        let depth = scratch + 1024, stoppedT = scratch + 1280
        let last = UnsafeMutableRawPointer(scratch + 1536).bindMemory(to: Int32.self, capacity: 256)
        let pixelX = scratch + 1792, pixelY = scratch + 2048   // tile-local pixel coordinates
        let rowLive = UnsafeMutableRawPointer(scratch + 2304).bindMemory(to: Int32.self, capacity: 16)
        let cols = min(16, view.width - tx0), rowsInImage = min(16, view.height - ty0)
        var liveCount = 0
        for row in 0..<16 { rowLive[row] = row < rowsInImage ? Int32(cols) : 0 }
        for p in 0..<256 {
            pixelX[p] = Float(p % 16); pixelY[p] = Float(p / 16)
            red[p] = 0; green[p] = 0; blue[p] = 0; depth[p] = 0; last[p] = 0; stoppedT[p] = 0
            let inside = p % 16 < cols && p / 16 < rowsInImage
            trans[p] = inside ? 1 : 0
            liveCount += inside ? 1 : 0
        }
        let start = input.ranges[tile * 2], end = input.ranges[tile * 2 + 1]
        let pixels = TilePixels(trans: trans, red: red, green: green, blue: blue, depth: depth, stoppedT: stoppedT, last: last,
                                pixelX: pixelX, pixelY: pixelY)
        var k = start
        while k < end && liveCount > 0 {
            let s = input.pairSplats + k * SplatLane.stride
            let u = s[SplatLane.u] - Float(tx0), v = s[SplatLane.v]
            let ca = s[SplatLane.conicA], cb = s[SplatLane.conicB], cc = s[SplatLane.conicC]
            let o = s[SplatLane.opacity], z = s[SplatLane.depth]
            let r = s[SplatLane.red], g = s[SplatLane.green], b = s[SplatLane.blue]
            let (rowLo, rowHi) = rules.rows(v: v, extent: s[SplatLane.rowExtent], tileY0: ty0, height: view.height)
            let position = Int32(truncatingIfNeeded: k - start + 1)
            if rowLo <= rowHi {
                let vl = v - Float(ty0)
                let shape = rules.footprint(conicA: ca, conicB: cb, conicC: cc, k2: s[SplatLane.footprint])
                for row in (rowLo - ty0)...(rowHi - ty0) where rowLive[row] > 0 {
                    let (c0, count) = rules.span(row: row, uLocal: u, vLocal: vl, shape)
                    if count == 0 { continue }
                    let first = row * 16 + c0
                    var stops = blendLanes(first, pixels, u: u, v: vl, conic: (ca, cb, cc), opacity: o, color: (r, g, b),
                                           depth: z, position: position, rules: rules, withDepth: withDepth)
                    if count == 16 {
                        stops &+= blendLanes(first + 8, pixels, u: u, v: vl, conic: (ca, cb, cc), opacity: o, color: (r, g, b),
                                             depth: z, position: position, rules: rules, withDepth: withDepth)
                    }
                    rowLive[row] &-= stops
                    liveCount -= Int(stops)
                }
            }
            k += 1
        }
        let bg = input.background
        for row in 0..<rowsInImage {
            for x in 0..<cols {
                let p = row * 16 + x
                let idx = (ty0 + row) * view.width + tx0 + x
                let t = trans[p] > 0 ? trans[p] : stoppedT[p]
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

    /// The tile's per-pixel arrays (256 each, row-major 16x16).
    struct TilePixels {
        var trans, red, green, blue, depth, stoppedT: UnsafeMutablePointer<Float>
        var last: UnsafeMutablePointer<Int32>
        var pixelX, pixelY: UnsafeMutablePointer<Float>
    }

    /// Blends one Gaussian into the eight pixels starting at `p`, branch-free; returns how many of
    /// them reached the transmittance stop.
    @_transparent
    static func blendLanes(_ p: Int, _ px: TilePixels, u: Float, v: Float, conic: (Float, Float, Float), opacity o: Float,
                           color: (Float, Float, Float), depth z: Float, position: Int32, rules: BlendRules,
                           withDepth: Bool) -> Int32 {
        let dx = u - (px.pixelX + p).lanes(), dy = v - (px.pixelY + p).lanes()
        let quadratic = conic.0 * dx * dx + conic.2 * dy * dy
        let power = -0.5 * quadratic - conic.1 * dx * dy
        var a = o * fastExpNonPositive(power)
        a = a.replacing(with: rules.alphaMax, where: a .> rules.alphaMax)
        a = a.replacing(with: 0, where: (power .> 0) .| (a .< rules.alphaMin))
        let t = (px.trans + p).lanes()
        let nextT = t * (1 - a)
        // The stop rule: a Gaussian that would take T below minT is not blended and the pixel is done.
        let stop = (nextT .< rules.minTransmittance) .& (t .> 0)
        a = a.replacing(with: 0, where: stop .| (t .== 0))
        let w = a * t
        (px.red + p).setLanes((px.red + p).lanes() + w * color.0)
        (px.green + p).setLanes((px.green + p).lanes() + w * color.1)
        (px.blue + p).setLanes((px.blue + p).lanes() + w * color.2)
        if withDepth { (px.depth + p).setLanes((px.depth + p).lanes() + w * z) }
        (px.last + p).setLanes((px.last + p).lanes().replacing(with: position, where: a .> 0))
        // A pixel stops once: the bookkeeping of a stop is branched around, not selected in.
        guard any(stop) else {
            (px.trans + p).setLanes(nextT)
            return 0
        }
        (px.stoppedT + p).setLanes((px.stoppedT + p).lanes().replacing(with: t, where: stop))
        (px.trans + p).setLanes(nextT.replacing(with: 0, where: stop))
        return SIMD8<Int32>(repeating: 0).replacing(with: 1, where: stop).wrappedSum()
    }
}
