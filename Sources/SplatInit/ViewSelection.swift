import SplatCore

/// A reference view and the views it is matched against (indices into `Scene.cameras`).
public struct ReferenceSelection: Equatable, Sendable, Codable {
    public var reference: Int
    public var neighbours: [Int]
}

/// EDGS view selection (method.md §2.1–2.2): seeded k-means on the flattened 4x4 world-to-view
/// matrices of the train cameras; the member nearest each centre is a reference; its neighbours
/// are the nearest other train views by Euclidean distance of the flattened matrices.
public enum ViewSelection {
    /// - Parameters:
    ///   - cameras: all scene cameras; only `trainIndices` are ever used.
    ///   - numRefs: clamped to the number of train views.
    ///   - nnsPerRef: clamped to (train views − 1).
    /// References are returned in ascending camera index, neighbours nearest first.
    public static func select(cameras: [Camera], trainIndices: [Int], numRefs: Int, nnsPerRef: Int,
                              seed: UInt64) -> [ReferenceSelection] {
        let n = trainIndices.count
        guard n >= 2, numRefs >= 1, nnsPerRef >= 1 else { return [] }
        let vectors = trainIndices.map { cameras[$0].pose.flattened4x4 }
        let k = min(numRefs, n)
        let refs = kMeansRepresentatives(vectors, k: k, seed: seed)
        let nns = min(nnsPerRef, n - 1)
        return refs.sorted().map { r in
            let order = (0..<n).filter { $0 != r }.sorted {
                let da = distance2(vectors[$0], vectors[r]), db = distance2(vectors[$1], vectors[r])
                return da != db ? da < db : $0 < $1
            }
            return ReferenceSelection(reference: trainIndices[r], neighbours: order.prefix(nns).map { trainIndices[$0] })
        }
    }

    /// k-means++ seeding and Lloyd iterations; returns for each non-empty cluster the index of
    /// the member nearest its centre (distinct indices, at most k).
    static func kMeansRepresentatives(_ x: [[Double]], k: Int, seed: UInt64, iterations: Int = 100) -> [Int] {
        let n = x.count
        if k >= n { return Array(0..<n) }
        var rng = SplatRandom(seed: seed)
        var centres = [x[Int(rng.next() % UInt64(n))]]
        var nearest = x.map { distance2($0, centres[0]) }
        while centres.count < k {
            let total = nearest.reduce(0, +)
            var pick = n - 1
            if total > 0 {
                var t = rng.nextDouble() * total
                for i in 0..<n { t -= nearest[i]; if t < 0 { pick = i; break } }
            } else {
                pick = Int(rng.next() % UInt64(n))
            }
            centres.append(x[pick])
            for i in 0..<n { nearest[i] = min(nearest[i], distance2(x[i], x[pick])) }
        }
        var assign = [Int](repeating: -1, count: n)
        for _ in 0..<iterations {
            var changed = false
            for i in 0..<n {
                var best = 0, bestD = Double.infinity
                for c in 0..<k { let d = distance2(x[i], centres[c]); if d < bestD { bestD = d; best = c } }
                if assign[i] != best { assign[i] = best; changed = true }
            }
            if !changed { break }
            for c in 0..<k {
                let members = (0..<n).filter { assign[$0] == c }
                guard !members.isEmpty else { continue }  // an empty cluster keeps its centre
                var m = [Double](repeating: 0, count: x[0].count)
                for i in members { for j in m.indices { m[j] += x[i][j] } }
                centres[c] = m.map { $0 / Double(members.count) }
            }
        }
        var reps = Set<Int>()
        for c in 0..<k {
            let members = (0..<n).filter { assign[$0] == c }
            if let best = members.min(by: { distance2(x[$0], centres[c]) < distance2(x[$1], centres[c]) }) {
                reps.insert(best)
            }
        }
        return reps.sorted()
    }

    static func distance2(_ a: [Double], _ b: [Double]) -> Double {
        var s = 0.0
        for i in a.indices { let d = a[i] - b[i]; s += d * d }
        return s
    }
}
