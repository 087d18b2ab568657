import Foundation
import SplatCore
import Testing
@testable import SplatTrain

@Suite struct ScaleRatioPenaltyTests {
    /// The penalty written out in Double, the obvious way: scales, their ratio, the hinge.
    static func plainPenalty(_ l: [Double], against: ScaleRatioPenalty.Against, maxRatio: Double, weight: Double) -> Double {
        let n = l.count / 3
        var sum = 0.0
        for i in 0..<n {
            let s = (0..<3).map { exp(l[3 * i + $0]) }.sorted()
            sum += max(s[2] / (against == .middle ? s[1] : s[0]) - maxRatio, 0)
        }
        return weight * sum / Double(n)
    }

    /// Log scales of `n` Gaussians with ratios from ~1 to ~60, away from the hinge and from ties.
    static func logScales(_ n: Int, seed: UInt64) -> [Float] {
        var rng = SplatRandom(seed: seed)
        var out: [Float] = []
        for _ in 0..<n {
            let base = Float(rng.nextGaussian()) - 3
            let spread = 4.2 * rng.nextFloat()   // e^4.2 ≈ 67
            out += [base, base + spread * (0.2 + 0.6 * rng.nextFloat()), base + spread]
        }
        return out
    }

    @Test(arguments: ScaleRatioPenalty.Against.allCases)
    func gradientMatchesCentralDifferencesOfThePlainPenalty(against: ScaleRatioPenalty.Against) {
        let l = Self.logScales(40, seed: 3)
        let maxRatio: Float = against == .middle ? 3 : 10, weight: Float = 0.1
        var g = [Float](repeating: 0, count: l.count)
        let value = ScaleRatioPenalty.addGradient(logScales: l, against: against, maxRatio: maxRatio, weight: weight, into: &g)
        let ld = l.map(Double.init)
        let plain = Self.plainPenalty(ld, against: against, maxRatio: Double(maxRatio), weight: Double(weight))
        #expect(abs(value - plain) <= 1e-6 * plain, "\(value) vs \(plain)")
        #expect(plain > 0 && g.contains { $0 != 0 } && g.contains { $0 == 0 }, "both sides of the hinge occur")
        let h = 1e-4
        for k in ld.indices {
            var up = ld, down = ld
            up[k] += h; down[k] -= h
            let numeric = (Self.plainPenalty(up, against: against, maxRatio: Double(maxRatio), weight: 0.1)
                - Self.plainPenalty(down, against: against, maxRatio: Double(maxRatio), weight: 0.1)) / (2 * h)
            #expect(abs(Double(g[k]) - numeric) <= 1e-4 * max(abs(numeric), 1e-3), "axis \(k): \(g[k]) vs \(numeric)")
        }
    }

    @Test func addsToTheGradientAndTouchesOnlyGaussiansBeyondTheRatio() {
        // Ratios 2, 10 (exactly at the hinge: no push) and 50.
        let l: [Float] = [0, logf(2), 0.3, -1, -1 + logf(10), -1, logf(50), 0, 0.5]
        let before: [Float] = [1, 2, 3, 4, 5, 6, 7, 8, 9]
        var g = before
        ScaleRatioPenalty.addGradient(logScales: l, maxRatio: 10, weight: 0.3, into: &g)
        #expect(Array(g[0..<6]) == Array(before[0..<6]))
        let push = 0.3 / 3 * expf(logf(50))   // weight / N · ratio
        #expect(abs(g[6] - (7 + push)) < 1e-5 && abs(g[7] - (8 - push)) < 1e-5 && g[8] == 9, "\(g[6...])")
        var none = before
        #expect(ScaleRatioPenalty.addGradient(logScales: l, maxRatio: 10, weight: 0, into: &none) == 0 && none == before)
    }

    @Test func againstTheMiddleAxisLeavesFlatDiscsAlone() {
        // A disc (50 : 50 : 1), a needle (50 : 1 : 1) and a needle with its axes in another order.
        let l: [Float] = [logf(50), logf(50), 0, 0, logf(50), 0, 0, 0.1, logf(40)]
        var g = [Float](repeating: 0, count: 9)
        ScaleRatioPenalty.addGradient(logScales: l, against: .middle, maxRatio: 10, weight: 0.3, into: &g)
        #expect(Array(g[0..<3]) == [0, 0, 0], "the disc is not pushed: \(g)")
        #expect(g[4] > 0 && g[3] + g[5] < 0 && (g[3] == 0 || g[5] == 0), "the needle's long axis against one of its short ones: \(g)")
        #expect(g[8] > 0 && g[7] < 0 && g[6] == 0, "the middle axis is 0.1, not the shortest: \(g)")
        var shortest = [Float](repeating: 0, count: 9)
        ScaleRatioPenalty.addGradient(logScales: l, against: .shortest, maxRatio: 10, weight: 0.3, into: &shortest)
        #expect(shortest[0] > 0 && shortest[2] < 0, "against the shortest axis the disc is pushed: \(shortest)")
    }

    @Test func gradientBitsDoNotDependOnTheThreadCount() {
        let l = Self.logScales(1001, seed: 9)
        let one: [Float] = { var g = [Float](repeating: 0, count: l.count); ScaleRatioPenalty.addGradient(logScales: l, maxRatio: 10, weight: 0.1, into: &g, threads: 1); return g }()
        for threads in 2...3 {
            var g = [Float](repeating: 0, count: l.count)
            ScaleRatioPenalty.addGradient(logScales: l, maxRatio: 10, weight: 0.1, into: &g, threads: threads)
            #expect(g == one, "\(threads) threads")
        }
    }

    /// In training the penalty shortens a needle that the photos do not ask for; a run without
    /// it (weight 0, the default) leaves the needle as the photos leave it.
    @Test func trainingWithThePenaltyShortensANeedle() throws {
        let views = renderedViews(truth: targetCloud(), cameras: testCameras(count: 8))
        func ratioAfterTraining(weight: Double) throws -> Float {
            var config = smallConfig(output: "/unused", iterations: 0)
            config.scaleRatioWeight = weight
            config.scalingLR = 0.02   // Adam moves a log scale by about this per step
            var cloud = perturbed(targetCloud())
            // Ratio 60 on the two axes the isotropic test renderer ignores (it reads axis 0).
            cloud.logScales[3..<6] = [logf(0.12), logf(0.6), logf(0.01)]
            let trainer = Trainer(config: config, views: views,
                                  state: TrainingState(cloud: cloud, seed: 1, trainViewCount: views.trainCameras.count),
                                  renderer: AdditiveTestRenderer())
            for _ in 0..<60 { try trainer.step() }
            let l = trainer.state.cloud.logScales[3..<6]
            return expf(l.max()! - l.min()!)
        }
        let without = try ratioAfterTraining(weight: 0), with = try ratioAfterTraining(weight: 0.1)
        #expect(without > 55, "\(without)")
        #expect(with < 20, "\(with) vs \(without)")
    }
}
