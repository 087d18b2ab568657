import Testing
@testable import SplatCore

@Suite struct CameraTests {
    let pose = CameraFromWorld(quaternion: Quaternion(w: 0.9, x: 0.1, y: -0.3, z: 0.2), translation: [0.3, -0.2, 4])

    @Test func quaternionMatrixRoundTrip() {
        let q = Quaternion(w: 0.9, x: 0.1, y: -0.3, z: 0.2).normalized
        let back = Quaternion(rotationMatrix: q.rotationMatrix)
        #expect(abs(back.w - q.w) < 1e-12 && abs(back.x - q.x) < 1e-12 && abs(back.y - q.y) < 1e-12 && abs(back.z - q.z) < 1e-12)
        #expect(abs(q.rotationMatrix.determinant - 1) < 1e-12)
    }

    @Test func centreProjectsBehindAndPointsInFrontProject() {
        let cam = Camera(name: "a", imagePath: nil,
                         intrinsics: CameraIntrinsics(fx: 500, fy: 500, cx: 320, cy: 240, width: 640, height: 480),
                         pose: pose)
        // A point on the optical axis projects to the principal point.
        let onAxis = pose.rotation.transposed * (SIMD3<Double>(0, 0, 2) - pose.translation)
        let p = cam.project(onAxis)!
        #expect(abs(p.x - 320) < 1e-9 && abs(p.y - 240) < 1e-9)
        #expect(cam.project(cam.center) == nil)
        // The projection matrix agrees with project().
        let x = SIMD3<Double>(0.4, -0.7, 1.2)
        let P = cam.projectionMatrix
        let h = SIMD3<Double>((0..<3).map { r in P[r * 4] * x.x + P[r * 4 + 1] * x.y + P[r * 4 + 2] * x.z + P[r * 4 + 3] })
        let q = cam.project(x)!
        #expect(abs(h.x / h.z - q.x) < 1e-9 && abs(h.y / h.z - q.y) < 1e-9)
    }

    @Test func downscalingKeepsFieldOfView() {
        let k = CameraIntrinsics(fx: 600, fy: 610, cx: 400, cy: 300, width: 800, height: 600).downscaled(by: 4)
        #expect(k.width == 200 && k.height == 150 && k.fx == 150 && k.cx == 100)
    }

    /// Scene extent from the train cameras only: a far-away held-out view must not change it.
    @Test func sceneRadiusIgnoresHeldOutViews() {
        let k = CameraIntrinsics(fx: 100, fy: 100, cx: 50, cy: 50, width: 100, height: 100)
        func cam(_ name: String, _ c: SIMD3<Double>) -> Camera {
            Camera(name: name, imagePath: nil, intrinsics: k, pose: CameraFromWorld(worldFromCameraRotation: .identity, center: c))
        }
        let cams = [cam("far", [100, 0, 0]), cam("a", [1, 0, 0]), cam("b", [-1, 0, 0]), cam("c", [0, 2, 0])]
        let s = Scene(source: "", format: "", cameras: cams, trainIndices: [1, 2, 3], testIndices: [0])
        // Train centroid (0, 2/3, 0); farthest train camera c at distance 4/3.
        #expect(abs(s.radius - 1.1 * 4.0 / 3.0) < 1e-12)
        let all = Scene(source: "", format: "", cameras: cams, trainIndices: [0, 1, 2, 3], testIndices: [])
        #expect(all.radius > 80)
    }

    @Test func splitHoldsOutEveryEighth() {
        let s = Scene.everyEighthSplit(count: 17)
        #expect(s.test == [0, 8, 16])
        #expect(s.train.count == 14)
    }

    @Test func rngIsReproducible() {
        var a = SplatRandom(seed: 42), b = SplatRandom(seed: 42)
        for _ in 0..<100 { #expect(a.next() == b.next()) }
        let f = a.nextFloat()
        #expect(f >= 0 && f < 1)
    }

    @Test func filterKeepsOrder() {
        var c = GaussianCloud(count: 4, maxSHDegree: 1)
        for i in 0..<4 { c.opacityLogits[i] = Float(i); c.means[i * 3] = Float(i) }
        c.filter(keep: [true, false, true, false])
        #expect(c.count == 2 && c.opacityLogits == [0, 2] && c.means == [0, 0, 0, 2, 0, 0])
        #expect(c.shRest.count == 2 * 3 * 3)
    }
}
