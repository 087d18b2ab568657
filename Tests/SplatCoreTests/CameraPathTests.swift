import Foundation
import Testing
@testable import SplatCore

private let intrinsics = CameraIntrinsics(fx: 100, fy: 100, cx: 40, cy: 30, width: 80, height: 60)

/// Cameras on a tilted ring around `center`, looking at it, with world up `up`.
private func ring(count: Int, center: SIMD3<Double>, up: SIMD3<Double>, radius: Double, height: Double) -> [Camera] {
    let (e1, e2) = CameraPath.planeBasis(up: up, towards: SIMD3(1, 0.3, 0))
    return (0..<count).map { i in
        let a = 2 * Double.pi * Double(i) / Double(count) + 0.1 * sin(Double(i))
        let eye = center + up * height + (e1 * cos(a) + e2 * sin(a)) * radius
        return Camera(name: "\(i + 1).jpg", imagePath: nil, intrinsics: intrinsics,
                      pose: CameraPath.lookAt(eye: eye, target: center, up: up))
    }
}

/// Sine of the angle between the camera's optical axis and the ray to `point` (the cross
/// product stays precise near zero where acos does not); infinite if the point is behind.
private func aimError(_ camera: Camera, _ point: SIMD3<Double>) -> Double {
    let forward = camera.pose.rotation.rows.2, ray = (point - camera.center).normalized
    return forward.dot(ray) > 0 ? forward.cross(ray).length : .infinity
}

private func isFinite(_ c: Camera) -> Bool {
    c.pose.rotation.isFinite && c.center.x.isFinite && c.center.y.isFinite && c.center.z.isFinite
}

@Suite struct CameraPathTests {
    let center = SIMD3<Double>(1, -2, 0.5)
    let up = SIMD3<Double>(0.2, -0.1, 1).normalized

    @Test func lookAtPutsTargetAtPrincipalPointWithUpPointingUpInTheImage() {
        let pose = CameraPath.lookAt(eye: SIMD3(3, 1, 2), target: center, up: up)
        let cam = Camera(name: "a", imagePath: nil, intrinsics: intrinsics, pose: pose)
        let p = cam.project(center)!
        #expect(abs(p.x - 40) < 1e-9 && abs(p.y - 30) < 1e-9)
        let above = cam.project(center + up * 0.1)!
        #expect(above.y < 30 && abs(above.x - 40) < 1e-9)  // image y grows downwards
        #expect(abs(pose.rotation.determinant - 1) < 1e-12)
    }

    @Test func frameOfARingRecoversCentreUpAndRadius() {
        let cams = ring(count: 20, center: center, up: up, radius: 4, height: 1.5)
        let f = CameraPath.frame(of: cams)
        #expect((f.center - center).length < 1e-9)
        #expect(f.up.dot(up) > 1 - 1e-12)  // the ring's normal
        #expect(abs(f.radius - (16 + 2.25).squareRoot()) < 1e-9)
    }

    @Test func upOfARingShotWithTheCameraTurned90DegreesIsTheRingNormal() {
        // Each camera rolled 90° about its optical axis: image-up is horizontal, tangent to the ring.
        let cams = ring(count: 16, center: center, up: up, radius: 4, height: 1.5).map { cam -> Camera in
            var c = cam
            let r = cam.pose.rotation
            c.pose = CameraFromWorld(worldFromCameraRotation: Matrix3(rows: r.rows.1, -r.rows.0, r.rows.2).transposed, center: cam.center)
            return c
        }
        #expect(CameraPath.meanUp(cams).dot(up) < 0.5)  // the naive estimate is off
        #expect(CameraPath.up(of: cams).dot(up) > 1 - 1e-12)
    }

    @Test func symmetricEigenDecomposesAKnownMatrix() {
        let q = Quaternion(w: 0.9, x: 0.2, y: -0.3, z: 0.1).rotationMatrix
        let d = Matrix3(rows: [5, 0, 0], [0, 0.5, 0], [0, 0, 2])
        let (values, vectors) = CameraPath.symmetricEigen(q * d * q.transposed)
        #expect(zip(values, [0.5, 2, 5]).allSatisfy { abs($0 - $1) < 1e-12 })
        let columns = [SIMD3(q[0, 1], q[1, 1], q[2, 1]), SIMD3(q[0, 2], q[1, 2], q[2, 2]), SIMD3(q[0, 0], q[1, 0], q[2, 0])]
        for (v, c) in zip(vectors, columns) { #expect(abs(abs(v.dot(c)) - 1) < 1e-12) }
    }

    @Test func parallelCamerasFallBackToMeanOfSparsePoints() {
        let cams = (0..<5).map { i in
            Camera(name: "\(i)", imagePath: nil, intrinsics: intrinsics,
                   pose: CameraPath.lookAt(eye: SIMD3(Double(i), 0, 0), target: SIMD3(Double(i), 0, 10), up: SIMD3(0, -1, 0)))
        }
        #expect(CameraPath.focusPoint(cams) == nil)
        let points: [SIMD3<Float>] = [SIMD3(0, 0, 8), SIMD3(2, 1, 12)]
        #expect(CameraPath.center(of: cams, points: points) == SIMD3(1, 0.5, 10))
        // Without points: ahead of the mean camera along the mean viewing direction.
        let c = CameraPath.center(of: cams)
        #expect(c.x == 2 && c.y == 0 && c.z > 0)
    }

    @Test(arguments: [1, 7, 60])
    func everyOrbitCameraLooksAtTheCentre(frames: Int) {
        let cams = ring(count: 12, center: center, up: up, radius: 3, height: 1)
        let path = CameraPath.orbit(around: cams, frames: frames, intrinsics: intrinsics)
        #expect(path.count == frames)
        #expect(path.map(\.name).first == "frame_0000")
        for cam in path {
            #expect(isFinite(cam))
            #expect(aimError(cam, center) < 1e-9)
            #expect(abs((cam.center - center).length - (9.0 + 1).squareRoot()) < 1e-9)
            #expect(cam.intrinsics == intrinsics && cam.imagePath == nil)
            #expect(-cam.pose.rotation.rows.1.dot(up) > 0)  // image up is world up
        }
        // Frames are distinct positions around the full circle.
        if frames > 1 { #expect((path[0].center - path[frames / 2].center).length > 1) }
    }

    @Test func spiralStaysFiniteAndLooksAtTheCentre() {
        let cams = (0..<6).map { i in
            let eye = SIMD3<Double>(Double(i % 3) * 0.3, Double(i / 3) * 0.2, 0)
            return Camera(name: "\(i)", imagePath: nil, intrinsics: intrinsics,
                          pose: CameraPath.lookAt(eye: eye, target: SIMD3(0.3, 0.1, 5), up: SIMD3(0, -1, 0)))
        }
        let points: [SIMD3<Float>] = [SIMD3(0.3, 0.1, 5)]
        let path = CameraPath.spiral(around: cams, points: points, frames: 30, intrinsics: intrinsics)
        #expect(path.count == 30)
        let c = CameraPath.center(of: cams, points: points)
        for cam in path {
            #expect(isFinite(cam))
            #expect(aimError(cam, c) < 1e-9)
        }
    }

    @Test func interpolationPassesThroughTheCamerasInNaturalNameOrder() {
        var cams = ring(count: 5, center: center, up: up, radius: 3, height: 1)
        cams.swapAt(0, 4)  // input order does not matter; names "1.jpg" ... "5.jpg" do
        cams[2].name = "10.jpg"  // sorts after "5.jpg" numerically
        let keys = cams.sorted { $0.name.compare($1.name, options: .numeric) == .orderedAscending }
        #expect(keys.last?.name == "10.jpg")
        let path = CameraPath.interpolate(through: cams, frames: 17, intrinsics: intrinsics)  // 4 frames per segment
        #expect(path.count == 17)
        for (k, key) in keys.enumerated() {
            let frame = path[k * 4]
            #expect((frame.center - key.center).length < 1e-9)
            #expect(frame.pose.quaternion.slerp(to: key.pose.quaternion, t: 0).rotationMatrix.isFinite)
            #expect(abs(frame.pose.quaternion.w * key.pose.quaternion.w + frame.pose.quaternion.x * key.pose.quaternion.x
                        + frame.pose.quaternion.y * key.pose.quaternion.y + frame.pose.quaternion.z * key.pose.quaternion.z) > 1 - 1e-12)
        }
        for cam in path { #expect(isFinite(cam)) }
        // In between, positions move smoothly: no step longer than twice the mean step.
        let steps = zip(path, path.dropFirst()).map { ($1.center - $0.center).length }
        let meanStep = steps.reduce(0, +) / Double(steps.count)
        #expect(steps.allSatisfy { $0 < 2 * meanStep })
        #expect(CameraPath.interpolate(through: [cams[0]], frames: 3, intrinsics: intrinsics).allSatisfy { $0.pose == cams[0].pose })
    }
}
