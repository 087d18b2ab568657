import Foundation
import SplatCore

/// The differentiable tile rasterizer (docs/rasterizer.md). One instance keeps its scratch
/// buffers between calls, so it is meant to be reused for many renders of similar size; it holds
/// no reference to any cloud array after a call returns. Not safe for concurrent calls.
public final class Rasterizer: @unchecked Sendable {
    public let threadCount: Int

    // Projection (per Gaussian)
    private let splats = ScratchBuffer<Float>()
    private let tileRects = ScratchBuffer<Int32>()
    private let tileCounts = ScratchBuffer<Int>()
    private let flags = ScratchBuffer<UInt8>()
    private let offsets = ScratchBuffer<Int>()
    // Sorting (per tile-Gaussian pair)
    private let keys = ScratchBuffer<UInt64>()
    private let values = ScratchBuffer<UInt32>()
    private let tempKeys = ScratchBuffer<UInt64>()
    private let tempValues = ScratchBuffer<UInt32>()
    private let ranges = ScratchBuffer<Int>()
    private let pairSplats = ScratchBuffer<Float>()   // projected data copied into list order
    // Per pixel, kept for the backward
    private let finalT = ScratchBuffer<Float>()
    private let lastIndex = ScratchBuffer<Int32>()
    // Backward: screen-space gradients per pair, then per Gaussian
    private let pairGrads = ScratchBuffer<Float>()
    private let grad2D = ScratchBuffer<Float>()

    /// Where the sorted Gaussian ids of the last forward ended up (the sort ping-pongs).
    private var sortedValuesInTemp = false
    private var lastForward: (count: Int, width: Int, height: Int, pairs: Int)?

    public init(threadCount: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.threadCount = max(1, threadCount)
    }

    private func activeDegree(_ cloud: GaussianCloud, _ settings: RenderSettings) -> Int {
        min(max(settings.shDegree, 0), cloud.maxSHDegree)
    }

    private var projectionBuffers: ProjectionBuffers {
        ProjectionBuffers(splats: splats.pointer, tileRects: tileRects.pointer,
                          tileCounts: tileCounts.pointer, flags: flags.pointer)
    }

    public func forward(_ cloud: GaussianCloud, camera: Camera, settings: RenderSettings) -> RenderResult {
        let n = cloud.count
        let view = ViewParameters(camera)
        let w = view.width, h = view.height
        let rules = BlendRules(settings)

        splats.reserve(n * SplatLane.stride); tileRects.reserve(n * 4)
        tileCounts.reserve(n); flags.reserve(n); offsets.reserve(n)
        let skipped = ProjectForward.run(cloud, view: view, shDegree: activeDegree(cloud, settings),
                                         smooth: settings.smoothForGradientCheck,
                                         into: projectionBuffers, threads: threadCount)
        var visible = 0
        for i in 0..<n where tileCounts.pointer[i] > 0 { visible += 1 }

        let pairs = TileBinning.prefixSum(tileCounts.pointer, count: n, into: offsets.pointer)
        keys.reserve(pairs); values.reserve(pairs); tempKeys.reserve(pairs); tempValues.reserve(pairs)
        TileBinning.emitKeys(count: n, projection: projectionBuffers, offsets: offsets.pointer,
                             tilesX: view.tilesX, keys: keys.pointer, values: values.pointer, threads: threadCount)
        var tileBits = 1
        while (1 << tileBits) < view.tileCount { tileBits += 1 }
        let (sortedKeys, sortedValues) = RadixSort.sort(
            keys: keys.pointer, values: values.pointer, tempKeys: tempKeys.pointer, tempValues: tempValues.pointer,
            count: pairs, significantBits: 32 + tileBits, threads: threadCount)
        sortedValuesInTemp = sortedValues == tempValues.pointer
        ranges.reserve(view.tileCount * 2)
        TileBinning.tileRanges(keys: sortedKeys, count: pairs, tileCount: view.tileCount, ranges: ranges.pointer)
        // Copy each pair's projected Gaussian into list order: the tile loops then read memory
        // sequentially instead of missing the cache once per pair.
        pairSplats.reserve(pairs * SplatLane.stride)
        TileBinning.gather(splats: splats.pointer, sortedValues: sortedValues, count: pairs,
                           into: pairSplats.pointer, threads: threadCount)

        finalT.reserve(w * h); lastIndex.reserve(w * h)
        let state = BlendState(finalT: finalT.pointer, lastIndex: lastIndex.pointer)
        var alpha: [Float]? = settings.outputs.contains(.alpha) ? [Float](repeating: 0, count: w * h) : nil
        var depth: [Float]? = settings.outputs.contains(.depth) ? [Float](repeating: 0, count: w * h) : nil
        var pixels = [Float](repeating: 0, count: w * h * 3)
        let input = TileLists(pairSplats: pairSplats.pointer, ranges: ranges.pointer,
                                view: view, background: settings.background, rules: rules)
        pixels.withUnsafeMutableBufferPointer { img in
            withOptionalPointer(&alpha) { a in
                withOptionalPointer(&depth) { d in
                    BlendForward.run(input, .init(image: img.baseAddress!, alpha: a, depth: d, state: state),
                                     threads: threadCount)
                }
            }
        }
        lastForward = (n, w, h, pairs)
        return RenderResult(image: ImageF(width: w, height: h, pixels: pixels), alpha: alpha, depth: depth,
                            visibleCount: visible, tileGaussianPairs: pairs, nonFiniteSkipped: skipped)
    }

    public func backward(_ cloud: GaussianCloud, camera: Camera, settings: RenderSettings,
                         dLdImage: UnsafeBufferPointer<Float>, into gradients: inout GaussianGradients) {
        let n = cloud.count
        let view = ViewParameters(camera)
        guard let last = lastForward, last.count == n, last.width == view.width, last.height == view.height else {
            preconditionFailure("Rasterizer.backward needs a forward of the same cloud and camera first")
        }
        precondition(dLdImage.count == view.width * view.height * 3, "dLdImage must be [H*W*3]")
        if !gradients.matches(cloud) { gradients = GaussianGradients(like: cloud) }
        let rules = BlendRules(settings)
        let sortedValues = sortedValuesInTemp ? tempValues.pointer : values.pointer

        pairGrads.reserve(last.pairs * Grad2DLane.stride)
        grad2D.reserve(n * Grad2DLane.stride)
        let input = BlendBackward.Inputs(
            lists: TileLists(pairSplats: pairSplats.pointer, ranges: ranges.pointer, view: view,
                             background: settings.background, rules: rules),
            state: BlendState(finalT: finalT.pointer, lastIndex: lastIndex.pointer),
            dLdImage: dLdImage.baseAddress!)
        BlendBackward.run(input, pairGrads: pairGrads.pointer, threads: threadCount)
        BlendBackward.reduce(pairGrads: pairGrads.pointer, sortedValues: sortedValues, pairs: last.pairs,
                             gaussianCount: n, into: grad2D.pointer, threads: threadCount)

        let degree = activeDegree(cloud, settings)
        let projection = projectionBuffers
        let grad2DPointer = UnsafePointer(grad2D.pointer)
        let threads = threadCount
        CloudPointers.with(cloud) { c in
            gradients.withPointers { out in
                ProjectBackward.run(cloud, c: c, view: view, shDegree: degree, projection: projection,
                                    grad2D: grad2DPointer, out: out, threads: threads)
            }
        }
    }
}

/// Calls `body` with the array's base address, or nil when there is no array.
private func withOptionalPointer<R>(_ array: inout [Float]?, _ body: (UnsafeMutablePointer<Float>?) -> R) -> R {
    if array == nil { return body(nil) }
    return array!.withUnsafeMutableBufferPointer { body($0.baseAddress) }
}

extension GaussianGradients {
    /// Base addresses of every array (shRest may be empty: then any valid pointer, never written).
    mutating func withPointers(_ body: (GradientPointers) -> Void) {
        means.withUnsafeMutableBufferPointer { m in
        logScales.withUnsafeMutableBufferPointer { s in
        rotations.withUnsafeMutableBufferPointer { r in
        opacityLogits.withUnsafeMutableBufferPointer { o in
        shDC.withUnsafeMutableBufferPointer { dc in
        shRest.withUnsafeMutableBufferPointer { rest in
        means2D.withUnsafeMutableBufferPointer { m2 in
            guard let mb = m.baseAddress else { return }
            body(GradientPointers(means: mb, logScales: s.baseAddress!, rotations: r.baseAddress!,
                                  logits: o.baseAddress!, dc: dc.baseAddress!, rest: rest.baseAddress ?? dc.baseAddress!,
                                  means2D: m2.baseAddress!))
        }}}}}}}
    }
}
