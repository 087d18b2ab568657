import Foundation
import SplatCore

/// A rough figure for how many Gaussians cover an average pixel (where α ≥ 1/255), so that a
/// benchmark scene can be compared with real captures (a few dozen): the sum over Gaussians in
/// front of the camera of their α ≥ 1/255 footprint area, π·2ln(255·o)·σu·σv, over the image area.
/// σu·σv uses the two largest axes (a flattened Gaussian seen face-on), so it is an upper bound.
enum OverlapEstimate {
    static func meanPerPixel(_ cloud: GaussianCloud, camera: Camera) -> Double {
        let k = camera.intrinsics
        var area = 0.0
        for i in 0..<cloud.count {
            let m = SIMD3<Double>(Double(cloud.means[i * 3]), Double(cloud.means[i * 3 + 1]), Double(cloud.means[i * 3 + 2]))
            let p = camera.pose.apply(m)
            guard p.z > 0.2, let px = camera.project(m),
                  px.x >= 0, px.y >= 0, px.x < Double(k.width), px.y < Double(k.height) else { continue }
            let s = (0..<3).map { exp(Double(cloud.logScales[i * 3 + $0])) }.sorted()
            let su = s[2] * k.fx / p.z, sv = s[1] * k.fy / p.z
            let o = 1 / (1 + exp(-Double(cloud.opacityLogits[i])))
            let k2 = 2 * log(255 * o)
            guard k2 > 0 else { continue }
            area += Double.pi * k2 * (su * su + 0.3).squareRoot() * (sv * sv + 0.3).squareRoot()
        }
        return area / Double(k.width * k.height)
    }
}
