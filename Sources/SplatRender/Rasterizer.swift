import Foundation
import SplatCore

/// The differentiable tile rasterizer (docs/rasterizer.md). One instance keeps its scratch
/// buffers between calls, so it is meant to be reused for many renders of similar size; it holds
/// no reference to any cloud array after a call returns. Not safe for concurrent calls.
public final class Rasterizer: @unchecked Sendable {
    public let threadCount: Int
    /// The C kernels' variant, for the blends, the projection and the chain rule
    /// (`BlendKernel.default`: the widest this CPU runs, or SPLAT_SIMD).
    public var blendKernel: BlendKernel = .default

    // Projection (per Gaussian)
    private let splats = ScratchBuffer<Float>()
    private let tileRects = ScratchBuffer<Int32>()
    private let tileCounts = ScratchBuffer<Int>()
    private let flags = ScratchBuffer<UInt8>()
    private let tileMasks = ScratchBuffer<UInt64>()
    private let offsets = ScratchBuffer<Int>()
    // Sorting (per tile-Gaussian pair)
    private let keys = ScratchBuffer<UInt64>()
    private let values = ScratchBuffer<UInt32>()
    private let tempKeys = ScratchBuffer<UInt64>()
    private let tempValues = ScratchBuffer<UInt32>()
    private let pairGaussian = ScratchBuffer<UInt32>()    // emission index → Gaussian id
    private let sortedPosition = ScratchBuffer<UInt32>()  // emission index → position in the list
    private let ranges = ScratchBuffer<Int>()
    private let pairSplats = ScratchBuffer<Float>()   // projected data copied into list order
    // Per pixel, kept for the backward
    private let finalT = ScratchBuffer<Float>()
    private let lastIndex = ScratchBuffer<Int32>()
    // Backward: screen-space gradients per pair, then per Gaussian
    private let pairGrads = ScratchBuffer<Float>()
    private let grad2D = ScratchBuffer<Float>()

    /// The last forward's pass; its scratch buffers are what a backward reads.
    private var lastPass: ForwardPass?
    private var passCounter: UInt64 = 0

    public init(threadCount: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.threadCount = max(1, threadCount)
    }

    private func activeDegree(_ cloud: GaussianCloud, _ settings: RenderSettings) -> Int {
        min(max(settings.shDegree, 0), cloud.maxSHDegree)
    }

    private var projectionBuffers: ProjectionBuffers {
        ProjectionBuffers(splats: splats.pointer, tileRects: tileRects.pointer,
                          tileCounts: tileCounts.pointer, flags: flags.pointer, tileMasks: tileMasks.pointer)
    }

    public func forward(_ cloud: GaussianCloud, camera: Camera, settings: RenderSettings) -> RenderResult {
        let n = cloud.count
        let view = ViewParameters(camera)
        let w = view.width, h = view.height
        let rules = BlendRules(settings)

        splats.reserve(n * SplatLane.stride); tileRects.reserve(n * 4)
        tileCounts.reserve(n); flags.reserve(n); offsets.reserve(n); tileMasks.reserve(n)
        let exactTiles = !settings.smoothForGradientCheck && settings.boundFootprints
        let skipped = ProjectForward.run(cloud, view: view, shDegree: activeDegree(cloud, settings),
                                         smooth: settings.smoothForGradientCheck, exactTiles: exactTiles,
                                         antialiased: settings.antialiased, into: projectionBuffers, kernel: blendKernel,
                                         threads: threadCount)
        var visible = 0
        for i in 0..<n where tileCounts.pointer[i] > 0 { visible += 1 }

        let pairs = TileBinning.prefixSum(tileCounts.pointer, count: n, into: offsets.pointer)
        keys.reserve(pairs); values.reserve(pairs); tempKeys.reserve(pairs); tempValues.reserve(pairs)
        pairGaussian.reserve(pairs); sortedPosition.reserve(pairs)
        TileBinning.emitKeys(count: n, projection: projectionBuffers, offsets: offsets.pointer, view: view,
                             exactTiles: exactTiles, keys: keys.pointer, values: values.pointer,
                             pairGaussian: pairGaussian.pointer, threads: threadCount)
        var tileBits = 1
        while (1 << tileBits) < view.tileCount { tileBits += 1 }
        let (sortedKeys, sortedValues) = RadixSort.sort(
            keys: keys.pointer, values: values.pointer, tempKeys: tempKeys.pointer, tempValues: tempValues.pointer,
            count: pairs, significantBits: 32 + tileBits, threads: threadCount)
        ranges.reserve(view.tileCount * 2)
        TileBinning.tileRanges(keys: sortedKeys, count: pairs, tileCount: view.tileCount, ranges: ranges.pointer)
        // Copy each pair's projected Gaussian into list order: the tile loops then read memory
        // sequentially instead of missing the cache once per pair.
        pairSplats.reserve(pairs * SplatLane.stride)
        TileBinning.gather(splats: splats.pointer, sortedValues: sortedValues, pairGaussian: pairGaussian.pointer,
                           count: pairs, into: pairSplats.pointer, sortedPosition: sortedPosition.pointer,
                           threads: threadCount)

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
                                     kernel: blendKernel, threads: threadCount)
                }
            }
        }
        passCounter &+= 1
        let pass = ForwardPass(rasterizer: ObjectIdentifier(self), serial: passCounter, camera: camera,
                               settings: settings, cloudCount: n, cloudFingerprint: Self.fingerprint(cloud), pairs: pairs)
        lastPass = pass
        return RenderResult(image: ImageF(width: w, height: h, pixels: pixels), alpha: alpha, depth: depth,
                            visibleCount: visible, tileGaussianPairs: pairs, nonFiniteSkipped: skipped, pass: pass)
    }

    /// Gradients of L w.r.t. every parameter of `cloud` for the forward `pass` (the `pass` of the
    /// `RenderResult` it returned), given dL/dimage [H*W*3]. The camera and settings are the
    /// pass's own; the pass must be this rasterizer's latest forward and `cloud` the cloud it drew
    /// (same count and parameters), else this stops with a precondition failure.
    public func backward(_ cloud: GaussianCloud, of pass: ForwardPass,
                         dLdImage: UnsafeBufferPointer<Float>, into gradients: inout GaussianGradients) {
        let n = cloud.count
        precondition(pass.rasterizer == ObjectIdentifier(self) && pass.serial == lastPass?.serial,
                     "Rasterizer.backward: the pass is not this rasterizer's latest forward")
        precondition(pass.cloudCount == n && pass.cloudFingerprint == Self.fingerprint(cloud),
                     "Rasterizer.backward: the cloud is not the one the forward drew")
        let view = ViewParameters(pass.camera), settings = pass.settings
        precondition(dLdImage.count == view.width * view.height * 3, "dLdImage must be [H*W*3]")
        if !gradients.matches(cloud) { gradients = GaussianGradients(like: cloud) }
        let rules = BlendRules(settings)

        pairGrads.reserve(pass.pairs * Grad2DLane.stride)
        grad2D.reserve(n * Grad2DLane.stride)
        let input = BlendBackward.Inputs(
            lists: TileLists(pairSplats: pairSplats.pointer, ranges: ranges.pointer, view: view,
                             background: settings.background, rules: rules),
            state: BlendState(finalT: finalT.pointer, lastIndex: lastIndex.pointer),
            dLdImage: dLdImage.baseAddress!)
        BlendBackward.run(input, pairGrads: pairGrads.pointer, kernel: blendKernel, threads: threadCount)
        BlendBackward.reduce(pairGrads: pairGrads.pointer, sortedPosition: sortedPosition.pointer,
                             offsets: offsets.pointer, tileCounts: tileCounts.pointer,
                             gaussianCount: n, into: grad2D.pointer, threads: threadCount)

        let degree = activeDegree(cloud, settings)
        let projection = projectionBuffers
        let grad2DPointer = UnsafePointer(grad2D.pointer)
        let threads = threadCount, kernel = blendKernel
        CloudPointers.with(cloud) { c in
            gradients.withPointers { out in
                ProjectBackward.run(cloud, c: c, view: view, shDegree: degree, antialiased: settings.antialiased,
                                    projection: projection,
                                    grad2D: grad2DPointer, out: out, kernel: kernel, threads: threads)
            }
        }
    }
}

extension Rasterizer {
    /// A cheap hash of the parameters every step changes (means, opacity logits), so a backward
    /// given another cloud of the same size is caught; not a cryptographic check.
    static func fingerprint(_ cloud: GaussianCloud) -> UInt64 {
        var sum: UInt32 = 0, mix: UInt32 = 0
        for array in [cloud.means, cloud.opacityLogits] {
            array.withUnsafeBufferPointer { p in
                // Position-weighted, so swapped values change it too; 32-bit so it vectorizes.
                for k in 0..<p.count {
                    let bits = p[k].bitPattern
                    sum &+= bits &* (UInt32(truncatingIfNeeded: k) &* 2 &+ 1)
                    mix ^= bits
                }
            }
            sum = sum &* 0x9E37_79B1
        }
        return UInt64(sum) << 32 | UInt64(mix)
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
            guard let mb = m.baseAddress else { return }
            body(GradientPointers(means: mb, logScales: s.baseAddress!, rotations: r.baseAddress!,
                                  logits: o.baseAddress!, dc: dc.baseAddress!, rest: rest.baseAddress ?? dc.baseAddress!))
        }}}}}}
    }
}
