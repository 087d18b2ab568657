import Foundation
import SplatCore
import Testing
@testable import SplatTrain

@Suite struct InitialCloudTests {
    @Test func gridNearestNeighboursMatchBruteForce() {
        var rng = SplatRandom(seed: 5)
        // Clustered and spread points, including duplicates.
        var pts = (0..<700).map { _ in SIMD3<Float>(rng.nextFloat(), rng.nextFloat(), rng.nextFloat() * 0.1) }
        pts += (0..<50).map { _ in SIMD3<Float>(rng.nextFloat() * 20, -rng.nextFloat() * 5, 3) }
        pts.append(pts[3])
        let fast = NearestNeighbors.meanSquaredDistanceToThreeNearest(pts, threadCount: 2)
        for i in stride(from: 0, to: pts.count, by: 3) {
            let d = pts.indices.filter { $0 != i }.map { j -> Float in let v = pts[j] - pts[i]; return (v * v).sum() }.sorted()
            let expected = max((d[0] + d[1] + d[2]) / 3, 1e-7)
            #expect(abs(fast[i] - expected) <= 1e-5 * expected + 1e-9, "point \(i): \(fast[i]) vs \(expected)")
        }
    }

    @Test func sfmInitSeedsLike3DGS() throws {
        let scene = Scene(source: "s", format: "test", cameras: [], trainIndices: [], testIndices: [],
                          points: [SIMD3(0, 0, 0), SIMD3(1, 0, 0), SIMD3(0, 2, 0), SIMD3(0, 0, 3)],
                          pointColors: [SIMD3(255, 0, 128), SIMD3(0, 0, 0), SIMD3(0, 0, 0), SIMD3(0, 0, 0)])
        let c = try InitialCloud.sfm(scene, shDegree: 2, threadCount: 1)
        #expect(c.count == 4 && c.maxSHDegree == 2 && c.shRest.allSatisfy { $0 == 0 })
        #expect(abs(c.opacity(0) - 0.1) < 1e-6)
        #expect(abs(expf(c.logScales[0]) - ((1 + 4 + 9) / 3 as Float).squareRoot()) < 1e-5)
        #expect(abs(c.baseColor(0).x - 1) < 1e-6 && abs(c.baseColor(0).y) < 1e-6)
        #expect(Array(c.rotations[0..<4]) == [1, 0, 0, 0])
        let empty = Scene(source: "s", format: "test", cameras: [], trainIndices: [], testIndices: [])
        #expect(throws: TrainError.self) { try InitialCloud.sfm(empty, shDegree: 3, threadCount: 1) }
    }

    @Test func randomInitIsSeededAndInsideTheBox() {
        let scene = Scene(source: "s", format: "test", cameras: [], trainIndices: [], testIndices: [])
        let a = InitialCloud.random(count: 200, scene: scene, shDegree: 3, seed: 7, threadCount: 2)
        #expect(a == InitialCloud.random(count: 200, scene: scene, shDegree: 3, seed: 7, threadCount: 2))
        #expect(a != InitialCloud.random(count: 200, scene: scene, shDegree: 3, seed: 8, threadCount: 2))
        #expect(a.means.allSatisfy { abs($0) <= 1.3 })
    }
}
