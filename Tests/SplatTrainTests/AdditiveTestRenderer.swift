import Foundation
import SplatCore
@testable import SplatTrain

/// A deliberately simple differentiable renderer for testing the training loop on its own:
/// isotropic Gaussians (scale = exp(logScales[0])) splatted additively, no occlusion, colour
/// from SH degree 0. Image = bg + Σ opacity·colour·exp(−d²/2σ²), σ = scale·fx/z in pixels.
final class AdditiveTestRenderer: TrainingRenderer {
    /// When set, backward returns NaN for means at this call count (1-based).
    var poisonBackwardCall: Int?
    private(set) var backwardCalls = 0
    /// The SH degree of every `render` call, in order.
    private(set) var renderedDegrees: [Int] = []

    func render(_ cloud: GaussianCloud, camera: Camera, shDegree: Int, background: SIMD3<Float>) -> [Float] {
        renderedDegrees.append(shDegree)
        var img = [Float](repeating: 0, count: camera.width * camera.height * 3)
        for p in 0..<(camera.width * camera.height) { for c in 0..<3 { img[p * 3 + c] = background[c] } }
        for i in 0..<cloud.count {
            guard let g = project(cloud, i, camera) else { continue }
            for y in 0..<camera.height {
                for x in 0..<camera.width {
                    let dx = Float(x) + 0.5 - g.u, dy = Float(y) + 0.5 - g.v
                    let w = g.o * expf(-(dx * dx + dy * dy) / (2 * g.s * g.s))
                    for c in 0..<3 { img[(y * camera.width + x) * 3 + c] += w * g.color[c] }
                }
            }
        }
        return img
    }

    func backward(_ cloud: GaussianCloud, camera: Camera, shDegree: Int, background: SIMD3<Float>,
                  dLdImage: UnsafeBufferPointer<Float>, into gradients: inout [[Float]]) {
        backwardCalls += 1
        gradients = ParameterGroup.allCases.map { [Float](repeating: 0, count: cloud[keyPath: $0.keyPath].count) }
        let r = camera.pose.rotation
        for i in 0..<cloud.count {
            guard let g = project(cloud, i, camera) else { continue }
            var dColor = SIMD3<Float>.zero, dO: Float = 0, dU: Float = 0, dV: Float = 0, dS: Float = 0
            for y in 0..<camera.height {
                for x in 0..<camera.width {
                    let dx = Float(x) + 0.5 - g.u, dy = Float(y) + 0.5 - g.v, d2 = dx * dx + dy * dy
                    let gauss = expf(-d2 / (2 * g.s * g.s))
                    let p = (y * camera.width + x) * 3
                    let gp = SIMD3(dLdImage[p], dLdImage[p + 1], dLdImage[p + 2])
                    dColor += gp * g.o * gauss
                    let dGauss = g.o * (gp * g.color).sum()
                    dO += (gp * g.color).sum() * gauss
                    dU += dGauss * gauss * dx / (g.s * g.s)
                    dV += dGauss * gauss * dy / (g.s * g.s)
                    dS += dGauss * gauss * d2 / (g.s * g.s * g.s)
                }
            }
            for c in 0..<3 { gradients[ParameterGroup.shDC.rawValue][i * 3 + c] = dColor[c] * Float(SH.c0) }
            gradients[ParameterGroup.opacityLogits.rawValue][i] = dO * g.o * (1 - g.o)
            gradients[ParameterGroup.logScales.rawValue][i * 3] = dS * g.s
            // Camera-space gradient: u = fx·X/Z + cx, v = fy·Y/Z + cy, σ = scale·fx/Z.
            let fx = Float(camera.intrinsics.fx), fy = Float(camera.intrinsics.fy)
            let z = g.cam.z
            let dCam = SIMD3<Float>(dU * fx / z, dV * fy / z,
                                    -dU * fx * g.cam.x / (z * z) - dV * fy * g.cam.y / (z * z) - dS * g.s / z)
            for k in 0..<3 {  // world gradient = Rᵀ · camera gradient
                var acc: Float = 0
                for j in 0..<3 { acc += Float(r[j, k]) * dCam[j] }
                gradients[ParameterGroup.means.rawValue][i * 3 + k] = acc
            }
        }
        if backwardCalls == poisonBackwardCall, !gradients[0].isEmpty { gradients[0][0] = .nan }
    }

    private func project(_ cloud: GaussianCloud, _ i: Int, _ camera: Camera)
        -> (u: Float, v: Float, s: Float, o: Float, color: SIMD3<Float>, cam: SIMD3<Float>)? {
        let m = cloud.mean(i)
        let pc = camera.pose.apply(SIMD3<Double>(Double(m.x), Double(m.y), Double(m.z)))
        guard pc.z > 0.2 else { return nil }
        let cam = SIMD3<Float>(Float(pc.x), Float(pc.y), Float(pc.z))
        let k = camera.intrinsics
        let u = Float(k.fx) * cam.x / cam.z + Float(k.cx), v = Float(k.fy) * cam.y / cam.z + Float(k.cy)
        let s = expf(cloud.logScales[i * 3]) * Float(k.fx) / cam.z
        return (u, v, s, cloud.opacity(i), cloud.baseColor(i), cam)
    }
}

/// Small cameras on a plane z = −4 looking along +z at the origin region.
func testCameras(count: Int, width: Int = 24, height: Int = 18) -> [Camera] {
    (0..<count).map { i in
        let angle = Double(i) * 2 * Double.pi / Double(count)
        let t = SIMD3<Double>(0.6 * cos(angle), 0.6 * sin(angle), 4)
        return Camera(name: "v\(i)", imagePath: nil,
                      intrinsics: CameraIntrinsics(fx: 30, fy: 30, cx: Double(width) / 2, cy: Double(height) / 2,
                                                   width: width, height: height),
                      pose: CameraFromWorld(rotation: Matrix3.identity, translation: t))
    }
}

/// A few well-separated coloured Gaussians near the origin.
func targetCloud() -> GaussianCloud {
    var c = GaussianCloud(count: 4, maxSHDegree: 1)
    c.means = [-0.3, -0.2, 0, 0.3, -0.2, 0.1, 0, 0.25, -0.1, 0.05, 0, 0.2]
    c.logScales = [Float](repeating: logf(0.12), count: 12)
    c.opacityLogits = [1, 0.5, 2, 0]
    c.shDC = [1, -1, 0.5, -0.5, 1, 0, 0, 0, 1.2, 0.8, 0.8, -0.8]
    return c
}

/// Views whose images are renders of `truth` (8-bit), with every 4th camera held out.
func renderedViews(truth: GaussianCloud, cameras: [Camera], background: SIMD3<Float> = .zero) -> TrainingViews {
    let r = AdditiveTestRenderer()
    let images = cameras.map { cam in
        ImageF(width: cam.width, height: cam.height, pixels: r.render(truth, camera: cam, shDegree: 0, background: background)).toImage8()
    }
    let test = Set(stride(from: 0, to: cameras.count, by: 4))
    let tr = cameras.indices.filter { !test.contains($0) }, te = cameras.indices.filter { test.contains($0) }
    return TrainingViews(trainCameras: tr.map { cameras[$0] }, trainImages: tr.map { images[$0] },
                         testCameras: te.map { cameras[$0] }, testImages: te.map { images[$0] },
                         background: background, sceneRadius: 1)
}
