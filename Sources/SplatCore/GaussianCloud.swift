import Foundation

/// Gaussians in struct-of-arrays layout, every parameter in the unconstrained form the optimizer
/// works on (see docs/conventions.md):
///
/// - `means`          [N * 3]  world position x, y, z
/// - `logScales`      [N * 3]  log of the per-axis standard deviation
/// - `rotations`      [N * 4]  quaternion w, x, y, z, not normalised
/// - `opacityLogits`  [N]      logit of opacity
/// - `shDC`           [N * 3]  SH degree-0 coefficient, R, G, B
/// - `shRest`         [N * restCount * 3]  SH degrees 1...maxSHDegree, coefficient-major with RGB
///                    inner: index (i * restCount + k) * 3 + c. (The PLY stores channel-major;
///                    the PLY reader/writer converts.)
///
/// Flat Float arrays make an Adam step a few vectorizable loops, and gradients and moments use
/// the very same layout.
public struct GaussianCloud: Equatable, Sendable {
    public private(set) var count: Int
    /// Highest SH degree the cloud stores coefficients for (0...3).
    public let maxSHDegree: Int
    public var means: [Float]
    public var logScales: [Float]
    public var rotations: [Float]
    public var opacityLogits: [Float]
    public var shDC: [Float]
    public var shRest: [Float]

    /// Number of SH coefficients per channel beyond degree 0: (D + 1)^2 - 1.
    public static func restCount(forDegree degree: Int) -> Int { (degree + 1) * (degree + 1) - 1 }
    public var restCount: Int { Self.restCount(forDegree: maxSHDegree) }

    /// A cloud of `count` Gaussians with all parameters zero except identity rotations.
    public init(count: Int, maxSHDegree: Int) {
        precondition(count >= 0 && (0...3).contains(maxSHDegree))
        self.count = count
        self.maxSHDegree = maxSHDegree
        means = [Float](repeating: 0, count: count * 3)
        logScales = [Float](repeating: 0, count: count * 3)
        rotations = [Float](repeating: 0, count: count * 4)
        for i in 0..<count { rotations[i * 4] = 1 }
        opacityLogits = [Float](repeating: 0, count: count)
        shDC = [Float](repeating: 0, count: count * 3)
        shRest = [Float](repeating: 0, count: count * Self.restCount(forDegree: maxSHDegree) * 3)
    }

    public func mean(_ i: Int) -> SIMD3<Float> { SIMD3(means[i * 3], means[i * 3 + 1], means[i * 3 + 2]) }
    public func opacity(_ i: Int) -> Float { sigmoid(opacityLogits[i]) }
    public func scale(_ i: Int) -> SIMD3<Float> {
        SIMD3(expf(logScales[i * 3]), expf(logScales[i * 3 + 1]), expf(logScales[i * 3 + 2]))
    }
    /// Base colour (degree 0 only) in [0, 1] before clamping: 0.5 + C0 * f_dc.
    public func baseColor(_ i: Int) -> SIMD3<Float> {
        SIMD3(shDC[i * 3], shDC[i * 3 + 1], shDC[i * 3 + 2]) * Float(SH.c0) + 0.5
    }

    /// Keeps only the Gaussians whose `keep` flag is true, preserving order.
    public mutating func filter(keep: [Bool]) {
        precondition(keep.count == count)
        let rc = restCount
        var w = 0
        for i in 0..<count where keep[i] {
            if w != i {
                for k in 0..<3 {
                    means[w * 3 + k] = means[i * 3 + k]
                    logScales[w * 3 + k] = logScales[i * 3 + k]
                    shDC[w * 3 + k] = shDC[i * 3 + k]
                }
                for k in 0..<4 { rotations[w * 4 + k] = rotations[i * 4 + k] }
                opacityLogits[w] = opacityLogits[i]
                for k in 0..<(rc * 3) { shRest[w * rc * 3 + k] = shRest[i * rc * 3 + k] }
            }
            w += 1
        }
        count = w
        means.removeLast(means.count - w * 3)
        logScales.removeLast(logScales.count - w * 3)
        shDC.removeLast(shDC.count - w * 3)
        rotations.removeLast(rotations.count - w * 4)
        opacityLogits.removeLast(opacityLogits.count - w)
        shRest.removeLast(shRest.count - w * rc * 3)
    }

    /// Appends all Gaussians of `other` (which must have the same SH degree).
    public mutating func append(contentsOf other: GaussianCloud) {
        precondition(other.maxSHDegree == maxSHDegree)
        means += other.means; logScales += other.logScales; rotations += other.rotations
        opacityLogits += other.opacityLogits; shDC += other.shDC; shRest += other.shRest
        count += other.count
    }

    /// Index of the first Gaussian with a non-finite parameter, or nil if all are finite.
    public func firstNonFiniteIndex() -> Int? {
        let rc = restCount
        for i in 0..<count {
            for k in 0..<3 where !means[i * 3 + k].isFinite || !logScales[i * 3 + k].isFinite || !shDC[i * 3 + k].isFinite {
                return i
            }
            for k in 0..<4 where !rotations[i * 4 + k].isFinite { return i }
            if !opacityLogits[i].isFinite { return i }
            for k in 0..<(rc * 3) where !shRest[i * rc * 3 + k].isFinite { return i }
        }
        return nil
    }

    /// Axis-aligned bounds of the means (zero box for an empty cloud).
    public func bounds() -> (min: SIMD3<Float>, max: SIMD3<Float>) {
        guard count > 0 else { return (.zero, .zero) }
        var lo = SIMD3<Float>(repeating: .infinity), hi = SIMD3<Float>(repeating: -.infinity)
        for i in 0..<count { let m = mean(i); lo = pointwiseMin(lo, m); hi = pointwiseMax(hi, m) }
        return (lo, hi)
    }

    /// The same Gaussians with SH coefficients for `degree`: higher bands dropped, new bands zero
    /// (shRest is coefficient-major, so the lower bands are each Gaussian's leading entries).
    public func withSHDegree(_ degree: Int) -> GaussianCloud {
        precondition((0...3).contains(degree))
        if degree == maxSHDegree { return self }
        var out = GaussianCloud(count: count, maxSHDegree: degree)
        out.means = means; out.logScales = logScales; out.rotations = rotations
        out.opacityLogits = opacityLogits; out.shDC = shDC
        let from = restCount * 3, to = out.restCount * 3, keep = min(from, to)
        for i in 0..<count {
            for j in 0..<keep { out.shRest[i * to + j] = shRest[i * from + j] }
        }
        return out
    }
}

@inline(__always) public func sigmoid(_ x: Float) -> Float { 1 / (1 + expf(-x)) }
@inline(__always) public func logit(_ p: Float) -> Float { logf(p / (1 - p)) }
