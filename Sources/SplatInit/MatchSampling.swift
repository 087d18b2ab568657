import Foundation
import SplatCore

/// Aggregation and sampling of a reference's matches (docs/how-edgs-works.md §1, docs/init.md).
public enum MatchSampling {
    /// Per cell, the highest certainty over all neighbours, with values above
    /// `sampleThreshold` clamped to 1 (as the reference does with RoMa's certainty).
    public static func aggregate(_ matches: ReferenceMatches, sampleThreshold: Float) -> [Float] {
        var best = [Float](repeating: 0, count: matches.cellCount)
        for pair in matches.pairs {
            for i in 0..<matches.cellCount where pair.certainty[i] > best[i] { best[i] = pair.certainty[i] }
        }
        for i in best.indices where best[i] > sampleThreshold { best[i] = 1 }
        return best
    }

    /// Draws up to `count` distinct cells with probability proportional to `weights`, without
    /// replacement (Efraimidis–Spirakis: keep the largest keys log(u) / w). Cells of weight 0 are
    /// never drawn. Returned in ascending cell order; the same seed gives the same cells.
    public static func sample(weights: [Float], count: Int, seed: UInt64) -> [Int] {
        var rng = SplatRandom(seed: seed)
        var keyed = [(key: Double, cell: Int)]()
        keyed.reserveCapacity(weights.count)
        for (i, w) in weights.enumerated() {
            let u = max(rng.nextDouble(), 1e-300)  // one draw per cell keeps streams aligned
            if w > 0 && w.isFinite { keyed.append((log(u) / Double(w), i)) }
        }
        if keyed.count <= count { return keyed.map(\.cell) }
        keyed.sort { $0.key != $1.key ? $0.key > $1.key : $0.cell < $1.cell }
        return keyed.prefix(count).map(\.cell).sorted()
    }
}
