import Foundation
import SplatCore

/// A reference view and the views it is matched against (indices into `Scene.cameras`).
public struct ReferenceSelection: Equatable, Sendable, Codable {
    public var reference: Int
    public var neighbours: [Int]
    /// Per neighbour: SfM points both views observe (0 without tracks) and the angle, degrees,
    /// between their rays to the scene (median over shared points, else at the proxy point).
    public var sharedPoints: [Int] = []
    public var angles: [Double] = []
}

/// View selection (docs/how-edgs-works.md §1, docs/init.md): EDGS's seeded k-means on the flattened
/// 4x4 world-to-view matrices of the train cameras picks the references (the member nearest
/// each centre). Neighbours, unlike EDGS, are chosen by what the views share: with SfM tracks,
/// Σ over covisible points of a weight of their triangulation angle (MVSNet's view score);
/// without, that weight at one proxy point on the reference's optical axis, if the other view
/// sees it. Flattened matrices mix rotation with translation in scene units, so on a 360°
/// capture their nearest views need not be the ones that overlap.
public enum ViewSelection {
    /// Triangulation angle (degrees) weighted highest, and the spreads below and above it
    /// (MVSNet's θ0 = 5°, σ1 = 1°, σ2 = 10°): very small angles give poor depth, large ones
    /// poor matches.
    static let bestAngle = 5.0, spreadBelow = 1.0, spreadAbove = 10.0

    /// - Parameters:
    ///   - cameras: all scene cameras; only `trainIndices` are ever used.
    ///   - numRefs: clamped to the number of train views.
    ///   - nnsPerRef: clamped to (train views − 1).
    ///   - points, observedPoints: the scene's SfM points and, per camera, the ones it observes
    ///     (`Scene.observedPoints`); either may be empty.
    /// References are returned in ascending camera index, neighbours best first.
    public static func select(cameras: [Camera], trainIndices: [Int], numRefs: Int, nnsPerRef: Int,
                              seed: UInt64, points: [SIMD3<Float>] = [], observedPoints: [[Int32]] = []) -> [ReferenceSelection] {
        let n = trainIndices.count
        guard n >= 2, numRefs >= 1, nnsPerRef >= 1 else { return [] }
        let vectors = trainIndices.map { cameras[$0].pose.flattened4x4 }
        let k = min(numRefs, n)
        let refs = kMeansRepresentatives(vectors, k: k, seed: seed)
        let nns = min(nnsPerRef, n - 1)
        let tracks = observedPoints.count == cameras.count && !points.isEmpty ? observedPoints : []
        let centre = axesCentre(trainIndices.map { cameras[$0] })
        return refs.sorted().map { r in
            let ref = trainIndices[r]
            let others = trainIndices.filter { $0 != ref }
            let scores = others.map { score(cameras, ref, $0, points: points, tracks: tracks, centre: centre) }
            var order = Array(others.indices)
            if scores.allSatisfy({ $0.value <= 0 }) {
                // Nothing shared that we can see: the nearest camera centres.
                order.sort { let da = (cameras[others[$0]].center - cameras[ref].center).length,
                                 db = (cameras[others[$1]].center - cameras[ref].center).length
                             return da != db ? da < db : $0 < $1 }
            } else {
                order.sort { scores[$0].value != scores[$1].value ? scores[$0].value > scores[$1].value : $0 < $1 }
            }
            let chosen = order.prefix(nns)
            return ReferenceSelection(reference: ref, neighbours: chosen.map { others[$0] },
                                      sharedPoints: chosen.map { scores[$0].shared }, angles: chosen.map { scores[$0].angle })
        }
    }

    /// MVSNet's weight of a triangulation angle (degrees): 1 at `bestAngle`, Gaussian falloff.
    static func angleWeight(_ degrees: Double) -> Double {
        let s = degrees <= bestAngle ? spreadBelow : spreadAbove
        let d = degrees - bestAngle
        return exp(-d * d / (2 * s * s))
    }

    /// Angle in degrees between the rays from two camera centres to `x`.
    static func rayAngle(_ x: SIMD3<Double>, _ a: SIMD3<Double>, _ b: SIMD3<Double>) -> Double {
        let u = (x - a).normalized, v = (x - b).normalized
        return acos(max(-1, min(1, u.dot(v)))) * 180 / .pi
    }

    struct Score { var value: Double; var shared: Int; var angle: Double }

    static func score(_ cameras: [Camera], _ r: Int, _ j: Int, points: [SIMD3<Float>], tracks: [[Int32]],
                      centre: SIMD3<Double>?) -> Score {
        let cr = cameras[r].center, cj = cameras[j].center
        if !tracks.isEmpty {
            var value = 0.0, angles = [Double](), a = tracks[r], b = tracks[j], i = 0, k = 0
            while i < a.count && k < b.count {
                if a[i] < b[k] { i += 1 } else if a[i] > b[k] { k += 1 } else {
                    let p = points[Int(a[i])]
                    let angle = rayAngle(SIMD3(Double(p.x), Double(p.y), Double(p.z)), cr, cj)
                    value += angleWeight(angle); angles.append(angle)
                    i += 1; k += 1
                }
            }
            angles.sort()
            return Score(value: value, shared: angles.count, angle: angles.isEmpty ? 0 : angles[angles.count / 2])
        }
        // No tracks: one proxy point where the reference looks at the scene.
        guard let x = proxyPoint(cameras[r], points: points, centre: centre) else { return Score(value: 0, shared: 0, angle: 0) }
        let angle = rayAngle(x, cr, cj)
        let axisR = cameras[r].pose.rotation.transposed * SIMD3(0, 0, 1), axisJ = cameras[j].pose.rotation.transposed * SIMD3(0, 0, 1)
        let facing = axisR.dot(axisJ)
        guard facing > 0, let q = cameras[j].project(x), cameras[j].pose.apply(x).z > 0,
              q.x >= 0, q.y >= 0, q.x < Double(cameras[j].width), q.y < Double(cameras[j].height) else {
            return Score(value: 0, shared: 0, angle: angle)
        }
        return Score(value: angleWeight(angle) * facing, shared: 0, angle: angle)
    }

    /// A point the reference sees: at the median depth of the SfM points in its view, else where
    /// its optical axis passes closest to `centre` (the point nearest all train cameras' axes).
    static func proxyPoint(_ c: Camera, points: [SIMD3<Float>], centre: SIMD3<Double>?) -> SIMD3<Double>? {
        let axis = c.pose.rotation.transposed * SIMD3(0, 0, 1)
        var depths = [Double]()
        for p in points {
            let w = SIMD3(Double(p.x), Double(p.y), Double(p.z))
            let z = c.pose.apply(w).z
            guard z > 1e-9, let q = c.project(w), q.x >= 0, q.y >= 0, q.x < Double(c.width), q.y < Double(c.height) else { continue }
            depths.append(z)
        }
        if depths.count >= 5 {
            depths.sort()
            return c.center + depths[depths.count / 2] * axis
        }
        guard let centre else { return nil }
        let d = (centre - c.center).dot(axis)
        return d > 0 ? c.center + d * axis : nil
    }

    /// Least-squares point nearest to every camera's optical axis; nil when the axes are
    /// (nearly) parallel, as in a forward-facing capture.
    static func axesCentre(_ cameras: [Camera]) -> SIMD3<Double>? {
        var a = [[Double]](repeating: [0, 0, 0], count: 3), b = [0.0, 0, 0]
        for c in cameras {
            let d = c.pose.rotation.transposed * SIMD3(0, 0, 1), o = c.center
            for i in 0..<3 {
                for j in 0..<3 {
                    let m = (i == j ? 1 : 0) - d[i] * d[j]
                    a[i][j] += m; b[i] += m * o[j]
                }
            }
        }
        let r0 = SIMD3(a[0][0], a[0][1], a[0][2]), r1 = SIMD3(a[1][0], a[1][1], a[1][2]), r2 = SIMD3(a[2][0], a[2][1], a[2][2])
        let det = r0.dot(r1.cross(r2))
        // Parallel axes make the system rank 2: relative to its scale, det ~ 0.
        guard det.isFinite, abs(det) > 1e-3 * pow(Double(cameras.count), 3) else { return nil }
        // Cramer: the inverse's columns are the rows' pairwise cross products over det.
        return (r1.cross(r2) * b[0] + r2.cross(r0) * b[1] + r0.cross(r1) * b[2]) / det
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
