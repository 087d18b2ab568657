import CBlend
import Foundation
import SplatCore

/// Lanes of the per-Gaussian screen-space gradient accumulated by the backward blend.
enum Grad2DLane {
    static let u = 0, v = 1, conicA = 2, conicB = 3, conicC = 4, opacity = 5, red = 6, green = 7, blue = 8
    static let stride = 9
}

/// Backward of the blend (docs/rendering-maths.md step 10), in the C kernels of CBlend: each tile walks
/// its list back to front from the largest last-contributing position, recomputing transmittance
/// per pixel, with the same branch-free row loop as the forward. Each (tile, Gaussian) pair gets
/// its own gradient slot, so tiles never write shared memory; `reduce` then sums the slots per Gaussian in list order,
/// which makes the result independent of the thread count and of scheduling.
enum BlendBackward {
    struct Inputs {
        var lists: TileLists
        var state: BlendState
        var dLdImage: UnsafePointer<Float>   // [H*W*3]
    }

    /// Writes every pair's screen-space gradient to `pairGrads` [pairs * Grad2DLane.stride].
    static func run(_ input: Inputs, pairGrads: UnsafeMutablePointer<Float>, kernel: BlendKernel, threads: Int) {
        var lists = input.lists.cLists
        var io = CBlendBackwardIO(finalT: input.state.finalT, lastIndex: input.state.lastIndex,
                                  dLdImage: input.dLdImage, pairGrads: pairGrads)
        withUnsafePointer(to: &lists) { l in
            withUnsafePointer(to: &io) { p in
                Parallel.chunks(input.lists.view.tileCount, chunkSize: 4, threads: threads) { range in
                    cblend_backward_tiles(kernel.rawValue, l, p, range.lowerBound, range.upperBound)
                }
            }
        }
    }

    /// grads2D[i] = Σ over the pairs of Gaussian i, in list order: its pairs are the emission
    /// slots offsets[i] ..< offsets[i] + tileCounts[i] (ascending tile, i.e. list, order), found in
    /// the list through `sortedPosition`. Parallel over Gaussians; each slot is read once (in C,
    /// with software prefetch of the scattered slots).
    static func reduce(pairGrads: UnsafePointer<Float>, sortedPosition: UnsafePointer<UInt32>,
                       offsets: UnsafePointer<Int>, tileCounts: UnsafePointer<Int>,
                       gaussianCount n: Int, into grads2D: UnsafeMutablePointer<Float>, threads: Int) {
        Parallel.chunks(n, chunkSize: 4096, threads: threads) { range in
            cblend_reduce(pairGrads, sortedPosition, offsets, tileCounts, range.lowerBound, range.upperBound, grads2D)
        }
    }
}
