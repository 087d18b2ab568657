import Foundation
import SplatCore

/// Niantic SPZ, legacy gzip container (docs/formats-output.md): a gzip stream holding a 16-byte header
/// and then per-attribute arrays (positions, alphas, colors, scales, rotations, sh).
///
/// - Writer: version 3 by default (smallest-three rotations, 32 bits each), version 2 on request
///   (x, y, z bytes) for older viewers; 12 fractional position bits; flags 0, or 0x1 (the
///   format's "antialiased" flag) for a model trained with the Mip-Splatting 2D filter.
/// - Reader: versions 2 and 3 (v1's float16 positions, v4's ZSTD streams and extension records
///   are refused with a message).
/// - Axes: SPZ is defined in RUB (OpenGL); our clouds are RDF (COLMAP). Both directions negate
///   position y, z, quaternion y, z and the SH coefficients odd in (y, z), so files open upright
///   in SPZ viewers and read → write round trips.
/// - Quantisation is computed in Double from the Float parameters; rounding is half away from
///   zero (C `round`, as the Niantic library). Values outside a field's range are clamped:
///   positions to ±2048 (24-bit at 12 fractional bits), log-scales to [-10, 5.9375].
public enum SPZ {
    static let magic: UInt32 = 0x5053_474E  // "NGSP"
    static let fractionalBits = 12
    static let colorScale = 0.15
    /// Rest-SH coefficient indices (0-based, degree 1 first) whose basis is odd in (y, z).
    static let flippedRestCoefficients: Set<Int> = [0, 1, 3, 6, 8, 10, 11, 13]
    /// Alpha bytes 0 and 255 would decode to ±inf; clamp the probability to stay finite.
    static let alphaEpsilon = 1e-6

    static func recordBytes(version: Int, restCount: Int) -> Int {
        9 + 1 + 3 + 3 + (version >= 3 ? 4 : 3) + restCount * 3
    }

    /// The header flag of a model trained with antialiasing.
    static let antialiasedFlag: UInt8 = 0x1

    public static func encode(_ cloud: GaussianCloud, version: Int = 3, antialiased: Bool = false) -> Data {
        guard let gz = SPZGzip.compress(payload(cloud, version: version, antialiased: antialiased)) else {
            preconditionFailure("zlib deflate failed on in-memory data")
        }
        return gz
    }

    /// The uncompressed SPZ stream: header and attribute arrays.
    static func payload(_ cloud: GaussianCloud, version: Int, antialiased: Bool = false) -> Data {
        precondition(version == 2 || version == 3, "SPZ writer supports versions 2 and 3")
        let n = cloud.count, m = cloud.restCount
        var payload = Data(count: 16 + n * recordBytes(version: version, restCount: m))
        payload.withUnsafeMutableBytes { raw in
            let b = raw.bindMemory(to: UInt8.self)
            func u32(_ v: UInt32, at o: Int) { for k in 0..<4 { b[o + k] = UInt8(truncatingIfNeeded: v >> (8 * k)) } }
            u32(magic, at: 0); u32(UInt32(version), at: 4); u32(UInt32(n), at: 8)
            b[12] = UInt8(cloud.maxSHDegree); b[13] = UInt8(fractionalBits); b[14] = antialiased ? antialiasedFlag : 0; b[15] = 0
            let positions = 16, alphas = positions + 9 * n, colors = alphas + n, scales = colors + 3 * n
            let rotations = scales + 3 * n, rotationBytes = version >= 3 ? 4 : 3
            let sh = rotations + rotationBytes * n
            let flipAxis: [Double] = [1, -1, -1]
            let shSign = (0..<m).map { flippedRestCoefficients.contains($0) ? -1.0 : 1.0 }  // no Set lookup per value
            let fixedScale = Double(1 << fractionalBits), fixedLimit = Double(1 << 23)
            for i in 0..<n {
                for k in 0..<3 {
                    let fixed = (Double(cloud.means[i * 3 + k]) * flipAxis[k] * fixedScale).rounded()
                    let v = Int32(fixed.isNaN ? 0 : min(max(fixed, -fixedLimit), fixedLimit - 1))
                    for byte in 0..<3 { b[positions + i * 9 + k * 3 + byte] = UInt8(truncatingIfNeeded: v >> (8 * byte)) }
                    b[colors + i * 3 + k] = byteClamped(Double(cloud.shDC[i * 3 + k]) * colorScale * 255 + 127.5)
                    b[scales + i * 3 + k] = byteClamped((Double(cloud.logScales[i * 3 + k]) + 10) * 16)
                }
                b[alphas + i] = byteClamped(sigmoidD(Double(cloud.opacityLogits[i])) * 255)
                let q = rdfToRUB(normalizedXYZW(cloud, i))
                if version >= 3 {
                    u32(packSmallestThree(q), at: rotations + i * 4)
                } else {
                    let s: Double = q[3] < 0 ? -1 : 1
                    for k in 0..<3 { b[rotations + i * 3 + k] = byteClamped(s * q[k] * 127.5 + 127.5) }
                }
                for k in 0..<m {
                    let bucket = k < 3 ? 8 : 16  // 5 bits for degree 1, 4 bits above
                    let sign = shSign[k]
                    for c in 0..<3 {
                        let x = Double(cloud.shRest[(i * m + k) * 3 + c]) * sign
                        var q = Int(x.isNaN ? 0 : min(max(x * 128, -1024), 1024).rounded()) + 128
                        q = (q + bucket / 2) / bucket * bucket
                        b[sh + (i * m + k) * 3 + c] = UInt8(min(max(q, 0), 255))
                    }
                }
            }
        }
        return payload
    }

    public static func write(_ cloud: GaussianCloud, to path: String, version: Int = 3, antialiased: Bool = false) throws {
        try AtomicFile.write(encode(cloud, version: version, antialiased: antialiased), to: path)
    }

    /// Whether the header's antialiased flag is set (only the 16-byte header is inflated).
    public static func isAntialiased(path: String) throws -> Bool {
        let reader = try SPZGzip.Reader(try PLYFile.contents(of: path), path: path)
        let header = try reader.read(16)
        return header[header.startIndex + 14] & antialiasedFlag != 0
    }

    public static func read(path: String) throws -> GaussianCloud {
        let data = try PLYFile.contents(of: path)
        return try decode(data, path: path)
    }

    static func decode(_ data: Data, path: String) throws -> GaussianCloud {
        guard data.count >= 2, data[data.startIndex] == 0x1F, data[data.startIndex + 1] == 0x8B else {
            if data.count >= 4, data.prefix(4) == Data([0x4E, 0x47, 0x53, 0x50]) {
                throw InputError(path, "SPZ version 4 (ZSTD streams) is not supported; only gzip versions 2 and 3")
            }
            throw InputError(path, "not an SPZ file (no gzip signature 1F 8B)")
        }
        let reader = try SPZGzip.Reader(data, path: path)
        let header = try reader.read(16)
        func u32(_ o: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(header[header.startIndex + o + $1]) << (8 * $1) } }
        guard u32(0) == magic else { throw InputError(path, String(format: "bad SPZ magic 0x%08X (expected 0x5053474E 'NGSP')", u32(0))) }
        let version = Int(u32(4)), n = Int(u32(8))
        let degree = Int(header[header.startIndex + 12]), fb = Int(header[header.startIndex + 13])
        let flags = header[header.startIndex + 14]
        guard version == 2 || version == 3 else { throw InputError(path, "SPZ version \(version) is not supported (only 2 and 3)") }
        guard degree <= 3 else { throw InputError(path, "SPZ SH degree \(degree) is not supported (0-3)") }
        guard flags & 0x2 == 0 else { throw InputError(path, "SPZ extension records are not supported") }
        guard fb <= 23 else { throw InputError(path, "SPZ fractional bits \(fb) out of range") }
        let m = GaussianCloud.restCount(forDegree: degree)
        let bodyBytes = n.multipliedReportingOverflow(by: recordBytes(version: version, restCount: m))
        guard !bodyBytes.overflow, bodyBytes.partialValue <= data.count * SPZGzip.maxInflateRatio else {
            throw InputError(path, "SPZ header claims \(n) points, far more than \(data.count) compressed bytes can hold")
        }
        let body = try reader.read(bodyBytes.partialValue)
        try reader.finish()

        var cloud = GaussianCloud(count: n, maxSHDegree: degree)
        body.withUnsafeBytes { raw in
            let b = raw.bindMemory(to: UInt8.self)
            let positions = 0, alphas = 9 * n, colors = alphas + n, scales = colors + 3 * n
            let rotations = scales + 3 * n, sh = rotations + (version >= 3 ? 4 : 3) * n
            let flipAxis: [Float] = [1, -1, -1]
            let shSign = (0..<m).map { flippedRestCoefficients.contains($0) ? Float(-1) : 1 }
            let unit = 1 / Double(1 << fb)
            for i in 0..<n {
                for k in 0..<3 {
                    let o = positions + i * 9 + k * 3
                    var v = Int32(b[o]) | Int32(b[o + 1]) << 8 | Int32(b[o + 2]) << 16
                    if v & 0x80_0000 != 0 { v |= ~0xFF_FFFF }  // sign-extend 24 bits
                    cloud.means[i * 3 + k] = Float(Double(v) * unit) * flipAxis[k]
                    cloud.shDC[i * 3 + k] = Float((Double(b[colors + i * 3 + k]) / 255 - 0.5) / colorScale)
                    cloud.logScales[i * 3 + k] = Float(Double(b[scales + i * 3 + k]) / 16 - 10)
                }
                let p = min(max(Double(b[alphas + i]) / 255, alphaEpsilon), 1 - alphaEpsilon)
                cloud.opacityLogits[i] = Float(Foundation.log(p / (1 - p)))
                var q: SIMD4<Double>  // x, y, z, w in RUB
                if version >= 3 {
                    let o = rotations + i * 4
                    q = unpackSmallestThree(UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24)
                } else {
                    let o = rotations + i * 3
                    let xyz = SIMD3(Double(b[o]), Double(b[o + 1]), Double(b[o + 2])) / 127.5 - 1
                    q = SIMD4(xyz, max(0, 1 - (xyz * xyz).sum()).squareRoot())
                }
                q = rdfToRUB(q)  // the flip is its own inverse
                cloud.rotations[i * 4] = Float(q[3])
                for k in 0..<3 { cloud.rotations[i * 4 + 1 + k] = Float(q[k]) }
                for k in 0..<m {
                    let sign = shSign[k]
                    for c in 0..<3 {
                        let j = (i * m + k) * 3 + c
                        cloud.shRest[j] = (Float(b[sh + j]) - 128) / 128 * sign
                    }
                }
            }
        }
        return cloud
    }

    static func byteClamped(_ v: Double) -> UInt8 { v.isNaN ? 0 : UInt8(min(max(v, 0), 255).rounded()) }
    static func sigmoidD(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }

    /// Gaussian i's rotation normalised, in SPZ's (x, y, z, w) order; identity if degenerate.
    static func normalizedXYZW(_ cloud: GaussianCloud, _ i: Int) -> SIMD4<Double> {
        let r = cloud.rotations
        let q = SIMD4(Double(r[i * 4 + 1]), Double(r[i * 4 + 2]), Double(r[i * 4 + 3]), Double(r[i * 4]))
        let norm = (q * q).sum().squareRoot()
        guard norm > 0, norm.isFinite else { return SIMD4(0, 0, 0, 1) }
        return q / norm
    }

    static func rdfToRUB(_ q: SIMD4<Double>) -> SIMD4<Double> { SIMD4(q.x, -q.y, -q.z, q.w) }

    /// "Smallest three": 2 bits index of the largest |component| (made positive), then the other
    /// three in ascending index order, each a sign bit and 9 bits of round(511·|q|/√½).
    static func packSmallestThree(_ q: SIMD4<Double>) -> UInt32 {
        var largest = 0
        for k in 1..<4 where abs(q[k]) > abs(q[largest]) { largest = k }
        let negate = q[largest] < 0
        var word = UInt32(largest)
        for k in 0..<4 where k != largest {
            let sign: UInt32 = (q[k] < 0) != negate ? 1 : 0
            let magnitude = UInt32(min(511, (511 * abs(q[k]) / 0.5.squareRoot()).rounded()))
            word = word << 10 | sign << 9 | magnitude
        }
        return word
    }

    static func unpackSmallestThree(_ word: UInt32) -> SIMD4<Double> {
        let largest = Int(word >> 30)
        var q = SIMD4<Double>.zero, rest = word, sumSquares = 0.0
        for k in stride(from: 3, through: 0, by: -1) where k != largest {
            let magnitude = Double(rest & 511) / 511 * 0.5.squareRoot()
            q[k] = rest & 512 != 0 ? -magnitude : magnitude
            sumSquares += q[k] * q[k]
            rest >>= 10
        }
        q[largest] = max(0, 1 - sumSquares).squareRoot()
        return q
    }
}
