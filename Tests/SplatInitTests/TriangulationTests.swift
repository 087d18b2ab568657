import CEigenShim
import SplatCore
import Testing
@testable import SplatInit

@Suite struct TriangulationTests {
    let a = SyntheticScene.lookAt(name: "a", centre: [0, 0.5, 4], width: 200, height: 150, focal: 180)
    let b = SyntheticScene.lookAt(name: "b", centre: [1.2, 0.4, 3.8], width: 200, height: 150, focal: 180)

    @Test func eigenShimIsLinked() {
        #expect(splat_eigen_version() == 3)
    }

    @Test func exactProjectionsRecoverPointsToOneMillionth() {
        var rng = SplatRandom(seed: 7)
        var pts = [SIMD3<Double>](), pa = [Double](), pb = [Double]()
        for _ in 0..<200 {
            let x = SIMD3(rng.nextDouble() - 0.5, rng.nextDouble() - 0.5, rng.nextDouble() - 0.5) * 1.6
            pts.append(x)
            let qa = a.project(x)!, qb = b.project(x)!
            pa += [qa.x, qa.y]; pb += [qb.x, qb.y]
        }
        let res = Triangulation.triangulate(ref: a, nbr: b, refPixels: pa, nbrPixels: pb)
        for (r, x) in zip(res, pts) {
            #expect(r.isValid)
            #expect((r.position - x).length <= 1e-6 * x.length + 1e-9)
            #expect(r.error < 1e-6)
        }
    }

    @Test func noisyPixelsGiveReprojectionErrorOfTheNoiseSize() {
        let x = SIMD3<Double>(0.1, -0.2, 0.3)
        let qa = a.project(x)!, qb = b.project(x)!
        let r = Triangulation.triangulate(ref: a, nbr: b, refPixels: [qa.x, qa.y + 0.5], nbrPixels: [qb.x, qb.y])[0]
        #expect(r.isValid)
        #expect(r.error > 0.05 && r.error < 1.0)
    }

    @Test func pointBehindACameraIsRejected() {
        // P is behind a but in front of c; a's pixel for it is that of its mirror through a's centre.
        let c = SyntheticScene.lookAt(name: "c", centre: [3, 0.5, 8], width: 200, height: 150, focal: 180)
        let p = SIMD3<Double>(0.3, 0.4, 5)
        let pa = a.project(2 * a.center - p)!, pc = c.project(p)!
        let r = Triangulation.triangulate(ref: a, nbr: c, refPixels: [pa.x, pa.y], nbrPixels: [pc.x, pc.y])[0]
        #expect(!r.isValid)
        // The same rays with the point in front of both cameras are accepted.
        let q = SIMD3<Double>(0.3, 0.4, 1)
        let qa = a.project(q)!, qc = c.project(q)!
        #expect(Triangulation.triangulate(ref: a, nbr: c, refPixels: [qa.x, qa.y], nbrPixels: [qc.x, qc.y])[0].isValid)
    }

    @Test func nearParallelRaysAreRejected() {
        let c = SyntheticScene.lookAt(name: "c", centre: [0.001, 0.5, 4], width: 200, height: 150, focal: 180)
        let x = SIMD3<Double>(0.1, 0.1, 0.1)
        let pa = a.project(x)!, pc = c.project(x)!
        let r = Triangulation.triangulate(ref: a, nbr: c, refPixels: [pa.x, pa.y], nbrPixels: [pc.x, pc.y],
                                          minRayAngleDegrees: 0.5)[0]
        #expect(!r.isValid)
    }

    @Test func nullSpaceOfRankDeficientMatrixIsItsKernel() {
        // Rows orthogonal to (1, 2, -1, 0.5).
        let m: [Double] = [2, -1, 0, 0, 1, 0, 1, 0, 0, 0, 1, 2, 0, 1, 2, 0, 1, 1, 3, 0]
        var v = [Double](repeating: 0, count: 4), s = [Double](repeating: 0, count: 4)
        #expect(splat_eigen_nullspace(5, 4, m, &v, &s) == 0)
        let k = [1.0, 2, -1, 0.5]
        let norm = k.map { $0 * $0 }.reduce(0, +).squareRoot()
        let dot = zip(v, k).map { $0 * $1 }.reduce(0, +) / norm
        #expect(abs(abs(dot) - 1) < 1e-9)
        #expect(s[3] < 1e-9)
    }

    @Test func leastSquaresSolvesAnOverdeterminedLine() {
        // y = 2x + 1 sampled exactly at 4 points.
        let a: [Double] = [0, 1, 1, 1, 2, 1, 3, 1], b: [Double] = [1, 3, 5, 7]
        var x = [Double](repeating: 0, count: 2)
        #expect(splat_eigen_least_squares(4, 2, a, b, &x) == 0)
        #expect(abs(x[0] - 2) < 1e-12 && abs(x[1] - 1) < 1e-12)
    }

    @Test func badArgumentsReturnAnErrorCode() {
        var v = [Double](repeating: 0, count: 4)
        #expect(splat_eigen_nullspace(2, 4, [1, 2, 3, 4, 5, 6, 7, 8], &v, nil) < 0)
    }
}
