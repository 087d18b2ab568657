import SplatCore

/// Depth range a view's plane sweep searches.
public enum DepthRange {
    /// From the sparse points that project into the view (2nd–98th percentile of depth, widened
    /// by 0.8x / 1.25x) when at least 20 do; otherwise from the camera geometry: the depth d0 at
    /// which the optical axis passes closest to the partner view's axis, searched over
    /// [d0 / 4, 4 d0] (or, if the axes diverge, up to 100x the baseline).
    public static func estimate(camera: Camera, points: [SIMD3<Float>], partner: Camera) -> ClosedRange<Double> {
        var depths = [Double]()
        for p in points {
            let w = SIMD3<Double>(Double(p.x), Double(p.y), Double(p.z))
            let c = camera.pose.apply(w)
            guard c.z > 1e-9, let q = camera.project(w) else { continue }
            if q.x >= 0, q.y >= 0, q.x < Double(camera.width), q.y < Double(camera.height) { depths.append(c.z) }
        }
        if depths.count >= 20 {
            depths.sort()
            let lo = depths[Int(0.02 * Double(depths.count - 1))], hi = depths[Int(0.98 * Double(depths.count - 1))]
            return (lo * 0.8)...(max(hi * 1.25, lo * 0.8 * 1.01))
        }
        let c1 = camera.center, c2 = partner.center
        let baseline = max((c2 - c1).length, 1e-9)
        let a1 = camera.pose.rotation.transposed * SIMD3(0, 0, 1), a2 = partner.pose.rotation.transposed * SIMD3(0, 0, 1)
        // Closest approach of c1 + s a1 and c2 + u a2.
        let w0 = c1 - c2
        let b = a1.dot(a2), d = a1.dot(w0), e = a2.dot(w0)
        let den = 1 - b * b
        if den > 1e-9 {
            let s = (b * e - d) / den
            if s > 1e-6 * baseline { return (s / 4)...(s * 4) }
        }
        return (baseline * 0.5)...(baseline * 100)
    }
}
