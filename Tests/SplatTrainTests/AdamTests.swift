import Foundation
import SplatCore
import Testing
@testable import SplatTrain

@Suite struct AdamTests {
    @Test func firstTwoStepsMatchHandComputedValues() {
        var cloud = GaussianCloud(count: 1, maxSHDegree: 0)
        cloud.means = [1, 2, 3]
        var adam = AdamOptimizer(like: cloud)
        let lr: Float = 0.1
        var grads = ParameterGroup.allCases.map { [Float](repeating: 0, count: cloud[keyPath: $0.keyPath].count) }
        grads[0] = [0.5, -2, 0]
        adam.update(&cloud, gradients: grads, learningRates: [lr, lr, lr, lr, lr, lr], threadCount: 1)
        // Step 1: m = 0.1g, v = 0.001g², m̂ = g, v̂ = g², update = lr·sign(g) (ε negligible).
        #expect(cloud.means[0] == 1 - 0.1)
        #expect(cloud.means[1] == 2 + 0.1)
        #expect(cloud.means[2] == 3)
        #expect(abs(adam.firstMoments[0][0] - 0.05) < 1e-7 && abs(adam.secondMoments[0][0] - 0.00025) < 1e-8)  // 1 − β2 is inexact in Float
        // Step 2 with g = 1 on x: m = 0.9·0.05 + 0.1 = 0.145, v = 0.999·0.00025 + 0.001 = 0.00124975,
        // m̂ = 0.145/0.19, v̂ = 0.00124975/0.001999, x -= 0.1·m̂/√v̂.
        grads[0] = [1, 0, 0]
        adam.update(&cloud, gradients: grads, learningRates: [lr, lr, lr, lr, lr, lr], threadCount: 1)
        let mHat = 0.145 / 0.19, vHat = 0.00124975 / (1 - 0.999 * 0.999)
        let expected = 0.9 - 0.1 * mHat / vHat.squareRoot()
        #expect(abs(Double(cloud.means[0]) - expected) < 1e-6)
        #expect(cloud.rotations == [1, 0, 0, 0])  // zero gradient, zero moments: unchanged
    }

    @Test func quadraticConvergesToItsMinimum() {
        var cloud = GaussianCloud(count: 500, maxSHDegree: 1)
        var rng = SplatRandom(seed: 4)
        let targets = ParameterGroup.allCases.map { g in (0..<cloud[keyPath: g.keyPath].count).map { _ in Float(rng.nextGaussian()) } }
        var adam = AdamOptimizer(like: cloud)
        for _ in 0..<600 {
            // L = ½ Σ c_g (p − target)², with different curvature per group.
            let grads = ParameterGroup.allCases.map { g in
                zip(cloud[keyPath: g.keyPath], targets[g.rawValue]).map { Float(g.rawValue + 1) * ($0 - $1) }
            }
            adam.update(&cloud, gradients: grads, learningRates: [Float](repeating: 0.02, count: 6), threadCount: 2)
        }
        for g in ParameterGroup.allCases {
            let err = zip(cloud[keyPath: g.keyPath], targets[g.rawValue]).map { abs($0 - $1) }.max() ?? 0
            #expect(err < 1e-2, "group \(g.name) max error \(err)")
        }
        #expect(adam.step == 600)
    }

    @Test func filterRemovesTheSameRowsFromMoments() {
        var cloud = GaussianCloud(count: 4, maxSHDegree: 1)
        var adam = AdamOptimizer(like: cloud)
        for g in ParameterGroup.allCases {
            let w = g.width(restCount: cloud.restCount)
            adam.firstMoments[g.rawValue] = (0..<(4 * w)).map { Float($0 / w) }   // row index
            adam.secondMoments[g.rawValue] = (0..<(4 * w)).map { Float(10 + $0 / w) }
        }
        let keep = [true, false, false, true]
        cloud.filter(keep: keep)
        adam.filter(keep: keep, restCount: cloud.restCount)
        for g in ParameterGroup.allCases {
            let w = g.width(restCount: cloud.restCount)
            #expect(adam.firstMoments[g.rawValue] == [Float](repeating: 0, count: w) + [Float](repeating: 3, count: w))
            #expect(adam.secondMoments[g.rawValue] == [Float](repeating: 10, count: w) + [Float](repeating: 13, count: w))
            #expect(adam.firstMoments[g.rawValue].count == cloud[keyPath: g.keyPath].count)
        }
    }

    @Test func skippingInactiveSHCoefficientsChangesNoBit() {
        var rng = SplatRandom(seed: 12)
        var cloud = GaussianCloud(count: 37, maxSHDegree: 3)
        for g in ParameterGroup.allCases { cloud[keyPath: g.keyPath] = cloud[keyPath: g.keyPath].map { _ in Float(rng.nextGaussian()) } }
        var full = AdamOptimizer(like: cloud), partial = full
        var a = cloud, b = cloud
        for step in 0..<6 {
            let activeDegree = step / 2   // 0, 0, 1, 1, 2, 2
            let active = GaussianCloud.restCount(forDegree: activeDegree)
            var grads = ParameterGroup.allCases.map { g in (0..<cloud[keyPath: g.keyPath].count).map { _ in Float(rng.nextGaussian()) } }
            for i in 0..<cloud.count { for k in active..<15 { for c in 0..<3 { grads[5][(i * 15 + k) * 3 + c] = 0 } } }
            let lr: [Float] = [0.1, 0.1, 0.1, 0.1, 0.1, 0.1]
            full.update(&a, gradients: grads, learningRates: lr, threadCount: 2)
            partial.update(&b, gradients: grads, learningRates: lr, activeSHRest: active, threadCount: 2)
        }
        #expect(a == b && full == partial)
        #expect(a.shRest != cloud.shRest)
    }
}
