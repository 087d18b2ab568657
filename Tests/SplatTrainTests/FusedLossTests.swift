import Foundation
import SplatCore
import Testing
@testable import SplatTrain

/// The fused SSIM + L1 pass (SSIM.swift) against the planar evaluator it replaced
/// (PlanarSSIMReference): the same gradient bit for bit, the same mean to rounding, at sizes that
/// exercise the borders (images narrower or shorter than the 11-tap window included) and at
/// several thread counts. The Double twin and central differences in MetricsTests judge both.
@Suite struct FusedLossTests {
    static let sizes: [(Int, Int)] = [(1, 1), (3, 2), (10, 10), (11, 9), (12, 17), (37, 23), (64, 48), (203, 31)]

    static func pair(_ w: Int, _ h: Int, seed: UInt64) -> ([Float], [Float]) {
        let a = structuredImage(width: w, height: h, seed: seed, noise: 0.3).pixels
        // The second image on the 8-bit grid, so the byte and Float targets are the same values.
        let b = structuredImage(width: w, height: h, seed: seed + 1, noise: 0.3).pixels
            .map { Float(UInt8((min(max($0, 0), 1) * 255).rounded())) * (1 / 255) }
        return (a, b)
    }

    /// Mean SSIM of `a` against `b` and the gradient array `evaluate` writes (NaN where it writes nothing).
    static func ssimAndGradient(_ a: [Float], _ b: [Float],
                                _ evaluate: (UnsafeBufferPointer<Float>, UnsafeBufferPointer<Float>, UnsafeMutableBufferPointer<Float>) -> Double)
        -> (ssim: Double, gradient: [Float]) {
        var g = [Float](repeating: .nan, count: a.count)
        let s = a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in g.withUnsafeMutableBufferPointer { evaluate(pa, pb, $0) } }
        }
        return (s, g)
    }

    @Test(arguments: 0..<8, [1, 2, 3])
    func ssimAndGradientMatchThePlanarEvaluator(size: Int, threads: Int) {
        let (w, h) = Self.sizes[size]
        let (a, b) = Self.pair(w, h, seed: UInt64(40 + size))
        let (sFused, gFused) = Self.ssimAndGradient(a, b) {
            SSIMEvaluator(threadCount: threads).evaluate($0, $1, width: w, height: h, gradient: $2, gradientScale: -0.2)
        }
        let (sPlanar, gPlanar) = Self.ssimAndGradient(a, b) {
            PlanarSSIMReference(threadCount: threads).evaluate($0, $1, width: w, height: h, gradient: $2, gradientScale: -0.2)
        }
        let sNoGrad = Self.ssimAndGradient(a, b) { pa, pb, _ in SSIMEvaluator(threadCount: threads).evaluate(pa, pb, width: w, height: h) }.ssim
        #expect(abs(sFused - sPlanar) < 1e-6, "\(w)x\(h): fused \(sFused) planar \(sPlanar)")
        #expect(sNoGrad == sFused)
        let firstDifference = gFused.indices.first { gFused[$0].bitPattern != gPlanar[$0].bitPattern }
        #expect(firstDifference == nil, "\(w)x\(h), \(threads) threads: gradient differs at \(firstDifference ?? -1)")
    }

    /// The loss = (1 − λ)·L1 + λ·(1 − SSIM) and its gradient, against the planar SSIM gradient
    /// plus the L1 sign term added afterwards (the previous PhotometricLoss), for an 8-bit and a
    /// Float target.
    @Test(arguments: [Float(0.2), 0, 1])
    func lossMatchesPlanarSSIMPlusL1ForByteAndFloatTargets(lambda: Float) {
        let w = 53, h = 29
        let (a, b) = Self.pair(w, h, seed: 77)
        let bytes = b.map { UInt8(($0 * 255).rounded()) }
        let n = a.count
        // The reference: planar −λ·∂SSIM/∂x, then + (1 − λ)/N · sign(x − t).
        var ref = [Float](repeating: 0, count: n)
        var refSSIM = 1.0
        if lambda != 0 {
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    ref.withUnsafeMutableBufferPointer { g in
                        refSSIM = PlanarSSIMReference(threadCount: 2).evaluate(pa, pb, width: w, height: h, gradient: g, gradientScale: -lambda)
                    }
                }
            }
        }
        let k = (1 - lambda) / Float(n)
        var l1 = 0.0
        for i in 0..<n {
            let d = a[i] - b[i]
            l1 += Double(abs(d))
            ref[i] += d > 0 ? k : (d < 0 ? -k : 0)
        }
        l1 /= Double(n)
        for threads in [1, 2] {
            let loss = PhotometricLoss(lambdaDSSIM: lambda, threadCount: threads)
            var gFloat = [Float](repeating: .nan, count: n), gBytes = gFloat
            let vFloat = a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    gFloat.withUnsafeMutableBufferPointer { loss.evaluate(rendered: pa, target: pb, width: w, height: h, gradient: $0) }
                }
            }
            let vBytes = a.withUnsafeBufferPointer { pa in
                bytes.withUnsafeBufferPointer { pb in
                    gBytes.withUnsafeMutableBufferPointer { loss.evaluate(rendered: pa, target8: pb, width: w, height: h, gradient: $0) }
                }
            }
            #expect(vFloat == vBytes)
            #expect(abs(vFloat.ssim - refSSIM) < 1e-6 && abs(vFloat.l1 - l1) < 1e-7)
            #expect(abs(vFloat.loss - (Double(1 - lambda) * l1 + Double(lambda) * (1 - refSSIM))) < 1e-6)
            #expect(zip(gFloat, ref).allSatisfy { $0.bitPattern == $1.bitPattern }, "λ \(lambda), \(threads) threads: Float target")
            #expect(zip(gBytes, ref).allSatisfy { $0.bitPattern == $1.bitPattern }, "λ \(lambda), \(threads) threads: byte target")
        }
    }

    /// One evaluator reused across images of different sizes (as training on photos a few pixels
    /// apart does) gives what a fresh evaluator gives, bit for bit: its storage is reused, so the
    /// zero padding of each new layout must be cleared of the previous image's values.
    @Test(arguments: [1, 2, 3])
    func aReusedEvaluatorMatchesAFreshOneAcrossSizes(threads: Int) {
        let reused = SSIMEvaluator(threadCount: threads)
        let shapes = [(64, 48), (37, 23), (62, 48), (64, 47), (203, 31), (12, 17), (63, 48), (64, 48)]
        for (i, (w, h)) in shapes.enumerated() {
            let (a, b) = Self.pair(w, h, seed: UInt64(90 + i))
            let (sReused, gReused) = Self.ssimAndGradient(a, b) {
                reused.evaluate($0, $1, width: w, height: h, gradient: $2, gradientScale: 0.7)
            }
            let (sFresh, gFresh) = Self.ssimAndGradient(a, b) {
                SSIMEvaluator(threadCount: threads).evaluate($0, $1, width: w, height: h, gradient: $2, gradientScale: 0.7)
            }
            let sReusedNoGrad = Self.ssimAndGradient(a, b) { pa, pb, _ in reused.evaluate(pa, pb, width: w, height: h) }.ssim
            #expect(sReused == sFresh && sReusedNoGrad == sFresh, "\(w)x\(h) after \(i) other sizes")
            let firstDifference = gReused.indices.first { gReused[$0].bitPattern != gFresh[$0].bitPattern }
            #expect(firstDifference == nil, "\(w)x\(h), \(threads) threads: gradient differs at \(firstDifference ?? -1)")
        }
    }

    /// Per-row sums added in row order: the loss value, not only the gradient, is the same for
    /// every thread count.
    @Test func lossValueIsTheSameForEveryThreadCount() {
        let w = 97, h = 61
        let (a, b) = Self.pair(w, h, seed: 5)
        let values = [1, 2, 3, 8].map { threads -> PhotometricLoss.Value in
            var g = [Float](repeating: 0, count: a.count)
            return a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    g.withUnsafeMutableBufferPointer {
                        PhotometricLoss(threadCount: threads).evaluate(rendered: pa, target: pb, width: w, height: h, gradient: $0)
                    }
                }
            }
        }
        #expect(values.allSatisfy { $0 == values[0] })
    }

    @Test func allFiniteFindsANonFiniteEntryAnywhere() {
        var a = [Float](repeating: 1.5, count: 100_003)
        #expect(Trainer.allFinite(a, threads: 2))
        for (i, bad) in [(0, Float.nan), (50_000, .infinity), (100_002, -.infinity), (70_001, -.nan)] {
            a[i] = bad
            #expect(!Trainer.allFinite(a, threads: 2) && !Trainer.allFinite(a, threads: 1))
            a[i] = -Float.greatestFiniteMagnitude
            #expect(Trainer.allFinite(a, threads: 2))
        }
        #expect(Trainer.allFinite([], threads: 2))
    }
}
