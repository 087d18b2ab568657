import Foundation
import SplatCore

/// Per-image exposure / white-balance compensation (docs/config.md, `exposure`), as 3DGS's
/// exposure optimisation: each train view has an affine colour transform out = A·c + b
/// (A 3×3, b 3, stored row-major as the 3×4 matrix [A | b], identity at the start) applied to
/// the render before the loss, learned with Adam alongside the splat. The splat's own colours
/// stay those of a common reference exposure; evaluation renders without any transform.
public struct ExposureState: Sendable, Equatable {
    public static let width = 12
    /// [views × 12]: rows (a00 a01 a02 b0), (a10 a11 a12 b1), (a20 a21 a22 b2).
    public var parameters: [Float]
    public var firstMoments: [Float]
    public var secondMoments: [Float]
    /// Adam steps taken per view (a view's moments change only on its own steps).
    public var steps: [Int]

    public init(viewCount: Int) {
        parameters = (0..<viewCount).flatMap { _ in Self.identity }
        firstMoments = [Float](repeating: 0, count: viewCount * Self.width)
        secondMoments = firstMoments
        steps = [Int](repeating: 0, count: viewCount)
    }

    public static let identity: [Float] = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]
    public var viewCount: Int { steps.count }

    public func matrix(view: Int) -> [Float] { Array(parameters[view * Self.width..<(view + 1) * Self.width]) }

    /// image ← A·image + b for `view` ([H*W*3]).
    public func apply(view: Int, to image: inout [Float]) { Self.apply(matrix: matrix(view: view), to: &image) }

    /// image ← A·image + b for a 3×4 matrix [A | b].
    public static func apply(matrix m: [Float], to image: inout [Float]) {
        image.withUnsafeMutableBufferPointer { p in
            for i in stride(from: 0, to: p.count, by: 3) {
                let r = p[i], g = p[i + 1], b = p[i + 2]
                p[i] = m[0] * r + m[1] * g + m[2] * b + m[3]
                p[i + 1] = m[4] * r + m[5] * g + m[6] * b + m[7]
                p[i + 2] = m[8] * r + m[9] * g + m[10] * b + m[11]
            }
        }
    }

    /// Given `rendered` (before the transform) and dL/d(out) in `gradient`, returns dL/d[A | b]
    /// and turns `gradient` into dL/d(rendered) = Aᵀ·dL/d(out).
    public func backward(view: Int, rendered: [Float], gradient: inout [Float]) -> [Float] {
        let m = matrix(view: view)
        var sums = [Double](repeating: 0, count: Self.width)
        rendered.withUnsafeBufferPointer { c in
            gradient.withUnsafeMutableBufferPointer { g in
                // Float partial sums per block of rows, Double across blocks.
                var part = [Float](repeating: 0, count: Self.width)
                for i in stride(from: 0, to: c.count, by: 3) {
                    let x = (c[i], c[i + 1], c[i + 2]), d = (g[i], g[i + 1], g[i + 2])
                    part[0] += d.0 * x.0; part[1] += d.0 * x.1; part[2] += d.0 * x.2; part[3] += d.0
                    part[4] += d.1 * x.0; part[5] += d.1 * x.1; part[6] += d.1 * x.2; part[7] += d.1
                    part[8] += d.2 * x.0; part[9] += d.2 * x.1; part[10] += d.2 * x.2; part[11] += d.2
                    g[i] = m[0] * d.0 + m[4] * d.1 + m[8] * d.2
                    g[i + 1] = m[1] * d.0 + m[5] * d.1 + m[9] * d.2
                    g[i + 2] = m[2] * d.0 + m[6] * d.1 + m[10] * d.2
                    if i % 3072 == 3069 { for k in 0..<Self.width { sums[k] += Double(part[k]); part[k] = 0 } }
                }
                for k in 0..<Self.width { sums[k] += Double(part[k]) }
            }
        }
        return sums.map { Float($0) }
    }

    /// One Adam step of `view`'s transform (β 0.9/0.999, ε 1e-8: 3DGS's exposure optimiser is a
    /// default torch Adam).
    public mutating func update(view: Int, gradient: [Float], learningRate: Float) {
        steps[view] += 1
        let t = Float(steps[view])
        let b1: Float = 0.9, b2: Float = 0.999
        let c1 = 1 - powf(b1, t), c2 = 1 - powf(b2, t)
        for k in 0..<Self.width {
            let i = view * Self.width + k, g = gradient[k]
            firstMoments[i] = b1 * firstMoments[i] + (1 - b1) * g
            secondMoments[i] = b2 * secondMoments[i] + (1 - b2) * g * g
            parameters[i] -= learningRate * (firstMoments[i] / c1) / ((secondMoments[i] / c2).squareRoot() + 1e-8)
        }
    }

    /// exposure.json as 3DGS writes it: image name → 3×4 matrix [A | b] as rows.
    public func json(names: [String]) throws -> Data {
        var out: [String: [[Double]]] = [:]
        for (v, name) in names.enumerated() where v < viewCount {
            let m = matrix(view: v).map(Double.init)
            out[name] = [Array(m[0..<4]), Array(m[4..<8]), Array(m[8..<12])]
        }
        return try JSONSerialization.data(withJSONObject: out, options: [.prettyPrinted, .sortedKeys])
    }
}

extension TrainingState {
    /// Makes the state's exposure match the config: identity transforms when it is on and the
    /// state (a fresh start, or a checkpoint of a run without it) has none; none when it is off.
    mutating func matchExposure(_ config: TrainConfig) {
        if !config.exposure { exposure = nil }
        else if exposure?.viewCount != trainViewCount { exposure = ExposureState(viewCount: trainViewCount) }
    }
}
