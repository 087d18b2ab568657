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

    @Test func badArgumentsReturnAnErrorCode() {
        var points = [Double](repeating: 0, count: 3), status: [Int32] = [0]
        let p = [Double](repeating: 0, count: 12), x: [Double] = [0, 0]
        #expect(splat_eigen_triangulate_dlt(-1, p, p, 0, x, x, &points, &status) < 0)
        #expect(splat_eigen_triangulate_dlt(1, p, p, -12, x, x, &points, &status) < 0)
    }
}
