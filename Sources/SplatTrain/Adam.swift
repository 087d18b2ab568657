import Foundation
import SplatCore

/// The six parameter groups of a `GaussianCloud`, in the order used by learning-rate lists,
/// moments and checkpoints.
public enum ParameterGroup: Int, CaseIterable, Sendable {
    case means, logScales, rotations, opacityLogits, shDC, shRest

    public var name: String {
        switch self {
        case .means: "means"
        case .logScales: "logScales"
        case .rotations: "rotations"
        case .opacityLogits: "opacityLogits"
        case .shDC: "shDC"
        case .shRest: "shRest"
        }
    }

    public var keyPath: WritableKeyPath<GaussianCloud, [Float]> {
        switch self {
        case .means: \.means
        case .logScales: \.logScales
        case .rotations: \.rotations
        case .opacityLogits: \.opacityLogits
        case .shDC: \.shDC
        case .shRest: \.shRest
        }
    }

    /// Floats per Gaussian in this group.
    public func width(restCount: Int) -> Int {
        switch self {
        case .means, .logScales, .shDC: 3
        case .rotations: 4
        case .opacityLogits: 1
        case .shRest: restCount * 3
        }
    }
}

/// Adam as PyTorch implements it (and 3DGS uses it): m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g²,
/// p ← p − (lr / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + ε), with one step counter for all groups and
/// ε = 1e-15 (3DGS). Dense: Gaussians not seen in a step still get their moments decayed and
/// moved, exactly like torch.optim.Adam. Moments live in the same flat layout as the parameters.
public struct AdamOptimizer: Sendable, Equatable {
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-15
    /// Number of updates applied so far (t in the bias corrections).
    public var step: Int = 0
    /// Per group (`ParameterGroup` order): first and second moments, parameter layout.
    public var firstMoments: [[Float]]
    public var secondMoments: [[Float]]

    /// Zero moments shaped like `cloud`.
    public init(like cloud: GaussianCloud) {
        firstMoments = ParameterGroup.allCases.map { [Float](repeating: 0, count: cloud[keyPath: $0.keyPath].count) }
        secondMoments = firstMoments
    }

    /// One Adam update of every group. `gradients` and `learningRates` are in `ParameterGroup`
    /// order; each gradient array has the same length as its parameter array.
    ///
    /// `activeSHRest` (coefficients per channel in use, nil = all) skips the SH coefficients
    /// above the active degree. Their gradients are exactly zero, so their moments stay zero and
    /// Adam would move them by exactly 0/(0 + ε) = 0: skipping them changes no bit, and saves
    /// most of the memory traffic while the degree is still rising (they are 45 of 59 floats).
    public mutating func update(_ cloud: inout GaussianCloud, gradients: [[Float]], learningRates: [Float],
                                activeSHRest: Int? = nil,
                                threadCount: Int = ProcessInfo.processInfo.activeProcessorCount) {
        precondition(gradients.count == 6 && learningRates.count == 6)
        step += 1
        let t = Float(step)
        let bias1 = 1 - powf(beta1, t), bias2 = 1 - powf(beta2, t)
        let b1 = beta1, b2 = beta2, eps = epsilon
        let invSqrtBias2 = 1 / bias2.squareRoot()
        let rc = cloud.restCount, active = min(activeSHRest ?? rc, rc), n = cloud.count
        for group in ParameterGroup.allCases {
            let g = group.rawValue
            let stepSize = learningRates[g] / bias1
            precondition(gradients[g].count == cloud[keyPath: group.keyPath].count && firstMoments[g].count == gradients[g].count)
            if group == .shRest && active == 0 { continue }
            gradients[g].withUnsafeBufferPointer { gb in
                firstMoments[g].withUnsafeMutableBufferPointer { mb in
                    secondMoments[g].withUnsafeMutableBufferPointer { vb in
                        cloud[keyPath: group.keyPath].withUnsafeMutableBufferPointer { pb in
                            let gp = gb.baseAddress, mp = mb.baseAddress, vp = vb.baseAddress, pp = pb.baseAddress
                            guard let gp, let mp, let vp, let pp else { return }
                            // √|v| rather than √v: the same value for every v (v ≥ 0 here; √−0 and √+0
                            // give the same denominator, NaN stays NaN), but a square root the
                            // compiler knows needs no errno, so the loop vectorizes (vsqrtps) instead
                            // of calling sqrtf per element (docs/performance.md).
                            @inline(__always) func kernel(_ lo: Int, _ hi: Int) {
                                var i = lo
                                while i < hi {
                                    let gi = gp[i]
                                    let m = b1 * mp[i] + (1 - b1) * gi
                                    let v = b2 * vp[i] + (1 - b2) * gi * gi
                                    mp[i] = m; vp[i] = v
                                    pp[i] -= stepSize * m / (v.magnitude.squareRoot() * invSqrtBias2 + eps)
                                    i &+= 1
                                }
                            }
                            if group == .shRest && active < rc {
                                // Per Gaussian, the active coefficients are a prefix of its row.
                                let row = rc &* 3, used = active &* 3
                                Parallel.split(n, threads: threadCount) { range in
                                    for i in range { kernel(i &* row, i &* row &+ used) }
                                }
                            } else {
                                Parallel.split(pb.count, threads: threadCount) { range in kernel(range.lowerBound, range.upperBound) }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Keeps the moments of the Gaussians whose `keep` flag is true (call together with
    /// `GaussianCloud.filter(keep:)` so moments stay aligned with their parameters).
    public mutating func filter(keep: [Bool], restCount: Int) {
        for group in ParameterGroup.allCases {
            let w = group.width(restCount: restCount), g = group.rawValue
            Self.compact(&firstMoments[g], keep: keep, width: w)
            Self.compact(&secondMoments[g], keep: keep, width: w)
        }
    }

    static func compact(_ a: inout [Float], keep: [Bool], width w: Int) {
        precondition(a.count == keep.count * w)
        var out = 0
        a.withUnsafeMutableBufferPointer { p in
            guard let base = p.baseAddress else { return }
            // Move each run of kept rows with one memmove (runs only move towards the front).
            var i = 0
            while i < keep.count {
                guard keep[i] else { i += 1; continue }
                var end = i + 1
                while end < keep.count && keep[end] { end += 1 }
                if out != i { memmove(base + out * w, base + i * w, (end - i) * w * MemoryLayout<Float>.stride) }
                out += end - i
                i = end
            }
        }
        a.removeLast(a.count - out * w)
    }
}
