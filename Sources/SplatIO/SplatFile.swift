import Foundation
import SplatCore

/// The antimatter15 `.splat` web-viewer format (docs/formats-output.md): no header, 32-byte records
/// (f32 x y z, f32 exp(scale) ×3, u8 RGBA, u8 rotation w x y z), degree-0 colour only.
///
/// Records are sorted by exp(s0 + s1 + s2) · sigmoid(o), largest first, ties in cloud order.
/// Bytes are computed in Double and **rounded to nearest, halves away from zero** (as the web
/// converter's Math.round for these non-negative values), then clamped to [0, 255]:
/// RGB = (0.5 + C0·f_dc)·255, A = sigmoid(o)·255, rotation = q/‖q‖·128 + 128.
/// Positions are stored unconverted (COLMAP/RDF axes, as 3DGS PLY → .splat converters do).
public enum SplatFile {
    public static let recordSize = 32

    /// Order in which `encode` writes the Gaussians: decreasing volume × opacity.
    public static func order(_ cloud: GaussianCloud) -> [Int] {
        let keys = (0..<cloud.count).map { i -> Double in
            let s = Double(cloud.logScales[i * 3]) + Double(cloud.logScales[i * 3 + 1]) + Double(cloud.logScales[i * 3 + 2])
            return Foundation.exp(s) * SPZ.sigmoidD(Double(cloud.opacityLogits[i]))
        }
        // NaN keys go last; ties keep cloud order so the output is deterministic.
        return (0..<cloud.count).sorted { a, b in
            let ka = keys[a].isNaN ? -Double.infinity : keys[a], kb = keys[b].isNaN ? -Double.infinity : keys[b]
            return ka != kb ? ka > kb : a < b
        }
    }

    public static func encode(_ cloud: GaussianCloud) -> Data {
        var data = Data(count: cloud.count * recordSize)
        data.withUnsafeMutableBytes { raw in
            let base = raw.baseAddress!
            for (slot, i) in order(cloud).enumerated() {
                let o = slot * recordSize
                for k in 0..<3 {
                    base.storeBytes(of: cloud.means[i * 3 + k].bitPattern.littleEndian, toByteOffset: o + 4 * k, as: UInt32.self)
                    let scale = Float(Foundation.exp(Double(cloud.logScales[i * 3 + k])))
                    base.storeBytes(of: scale.bitPattern.littleEndian, toByteOffset: o + 12 + 4 * k, as: UInt32.self)
                    let color = (0.5 + SH.c0 * Double(cloud.shDC[i * 3 + k])) * 255
                    base.storeBytes(of: SPZ.byteClamped(color), toByteOffset: o + 24 + k, as: UInt8.self)
                }
                let alpha = SPZ.sigmoidD(Double(cloud.opacityLogits[i])) * 255
                base.storeBytes(of: SPZ.byteClamped(alpha), toByteOffset: o + 27, as: UInt8.self)
                let q = SPZ.normalizedXYZW(cloud, i)
                let wxyz = [q.w, q.x, q.y, q.z]
                for k in 0..<4 {
                    base.storeBytes(of: SPZ.byteClamped(wxyz[k] * 128 + 128), toByteOffset: o + 28 + k, as: UInt8.self)
                }
            }
        }
        return data
    }

    public static func write(_ cloud: GaussianCloud, to path: String) throws {
        try AtomicFile.write(encode(cloud), to: path)
    }

    /// Reads a `.splat` back into a degree-0 cloud (in file order). Opacity bytes 0 and 255
    /// decode to finite logits (probability clamped to [1e-6, 1 − 1e-6]).
    public static func read(path: String) throws -> GaussianCloud {
        let data = try PLYFile.contents(of: path)
        guard data.count % recordSize == 0 else {
            throw InputError(path, "size \(data.count) is not a multiple of the 32-byte .splat record")
        }
        let n = data.count / recordSize
        var cloud = GaussianCloud(count: n, maxSHDegree: 0)
        data.withUnsafeBytes { raw in
            for i in 0..<n {
                let o = i * recordSize
                func f32(_ at: Int) -> Float { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: o + at, as: UInt32.self))) }
                func u8(_ at: Int) -> Double { Double(raw[o + at]) }
                for k in 0..<3 {
                    cloud.means[i * 3 + k] = f32(4 * k)
                    cloud.logScales[i * 3 + k] = logf(f32(12 + 4 * k))
                    cloud.shDC[i * 3 + k] = Float((u8(24 + k) / 255 - 0.5) / SH.c0)
                }
                let p = min(max(u8(27) / 255, SPZ.alphaEpsilon), 1 - SPZ.alphaEpsilon)
                cloud.opacityLogits[i] = Float(Foundation.log(p / (1 - p)))
                for k in 0..<4 { cloud.rotations[i * 4 + k] = Float((u8(28 + k) - 128) / 128) }
            }
        }
        return cloud
    }
}
