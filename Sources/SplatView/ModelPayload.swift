import Foundation
import SplatCore

/// The binary model the page downloads (`/api/model`), little-endian:
/// header `SPLV`, version 2, count N, SH degree D, kind (0 model file, 1 final model of an output
/// folder, 2 training preview), training step (−1: unknown), flags (bit 0: antialiased, render
/// with the Mip-Splatting compensation) (u32/i32 each), then f32 arrays
/// means[3N], covariance[6N] (xx xy xz yy yz zz), opacity[N], sh DC[3N] and
/// sh rest[N·((D+1)²−1)·3] in GaussianCloud's layout.
/// Activations are applied here exactly as SplatRender does (docs/rasterizer.md), so the page
/// only projects; Gaussians with a non-finite parameter are dropped, as the rasterizer skips them.
enum ModelPayload {
    static let magic: UInt32 = 0x564C_5053  // "SPLV"

    static let version: UInt32 = 2
    static let antialiasedFlag: UInt32 = 1

    static func encode(_ cloud: GaussianCloud, kind: String, step: Int?, antialiased: Bool = false) -> Data {
        let degree = cloud.maxSHDegree, rc = cloud.restCount
        var keep: [Int] = []
        keep.reserveCapacity(cloud.count)
        for i in 0..<cloud.count where isFinite(cloud, i) { keep.append(i) }
        let n = keep.count
        var out = [Float](repeating: 0, count: n * (3 + 6 + 1 + 3 + rc * 3))
        let covBase = 3 * n, opBase = 9 * n, dcBase = 10 * n, restBase = 13 * n
        for (j, i) in keep.enumerated() {
            for k in 0..<3 { out[j * 3 + k] = cloud.means[i * 3 + k] }
            let s = covariance(cloud, i)
            for k in 0..<6 { out[covBase + j * 6 + k] = s[k] }
            out[opBase + j] = 1 / (1 + expf(-cloud.opacityLogits[i]))
            for k in 0..<3 { out[dcBase + j * 3 + k] = cloud.shDC[i * 3 + k] }
            for k in 0..<(rc * 3) { out[restBase + j * rc * 3 + k] = cloud.shRest[i * rc * 3 + k] }
        }
        var data = Data(capacity: 28 + out.count * 4)
        let kindCode: UInt32 = kind == "final" ? 1 : (kind == "preview" ? 2 : 0)
        let stepCode = UInt32(bitPattern: Int32(clamping: step ?? -1))
        for v in [magic, version, UInt32(n), UInt32(degree), kindCode, stepCode, antialiased ? antialiasedFlag : 0] {
            withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) }
        }
        out.withUnsafeBytes { data.append(contentsOf: $0) }  // x86-64 and arm64 are little-endian
        return data
    }

    static func isFinite(_ c: GaussianCloud, _ i: Int) -> Bool {
        var probe: Float = c.opacityLogits[i] * 0
        for k in 0..<3 { probe += c.means[i * 3 + k] * 0 + c.logScales[i * 3 + k] * 0 + c.shDC[i * 3 + k] * 0 }
        for k in 0..<4 { probe += c.rotations[i * 4 + k] * 0 }
        for k in 0..<(c.restCount * 3) { probe += c.shRest[i * c.restCount * 3 + k] * 0 }
        let q = (0..<4).reduce(Float(0)) { $0 + c.rotations[i * 4 + $1] * c.rotations[i * 4 + $1] }
        return probe == 0 && q > 0
    }

    /// Σ = R(q)·diag(s)²·R(q)ᵀ in Float, the same arithmetic as SplatRender's Covariance3D.
    static func covariance(_ c: GaussianCloud, _ i: Int) -> [Float] {
        let scale = SIMD3(expf(c.logScales[i * 3]), expf(c.logScales[i * 3 + 1]), expf(c.logScales[i * 3 + 2]))
        let raw = SIMD4(c.rotations[i * 4], c.rotations[i * 4 + 1], c.rotations[i * 4 + 2], c.rotations[i * 4 + 3])
        let q = raw / (raw * raw).sum().squareRoot()
        let (w, x, y, z) = (q[0], q[1], q[2], q[3])
        let r0 = SIMD3(1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y))
        let r1 = SIMD3(2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x))
        let r2 = SIMD3(2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y))
        let m0 = r0 * scale, m1 = r1 * scale, m2 = r2 * scale
        return [(m0 * m0).sum(), (m0 * m1).sum(), (m0 * m2).sum(), (m1 * m1).sum(), (m1 * m2).sum(), (m2 * m2).sum()]
    }
}
