import Foundation
import SplatCore
import SplatIO

/// Depth and alpha files of `splat render` (docs/commands.md, "Depth"). The rasterizer's depth
/// is alpha-normalised: Σ wᵢ·zᵢ / Σ wᵢ over the Gaussians blended into a pixel (wᵢ their blend
/// weights, zᵢ their view-space depth), i.e. the expected depth of what the pixel shows, in
/// scene units along the camera's +Z axis, and 0 where nothing was blended.
enum DepthImage {
    static func byte(_ v: Float) -> UInt8 { v.isNaN ? 0 : UInt8((min(max(v, 0), 1) * 255).rounded()) }

    /// `<stem>.npy` (metric, float32) and `<stem>.png` (the 8-bit preview).
    static func write(_ depth: [Float], width: Int, height: Int, stem: String) throws {
        try AtomicFile.write(NpyFile.float32(depth, rows: height, columns: width), to: stem + ".npy")
        try ImageCodec.writePNG(visualize(depth, width: width, height: height), to: stem + ".png")
    }

    /// Near = 255, far = 1 (linear in depth between the image's nearest and farthest drawn
    /// pixel), 0 where nothing was drawn (depth 0).
    static func visualize(_ depth: [Float], width: Int, height: Int) -> Image8 {
        let drawn = depth.filter { $0 > 0 && $0.isFinite }
        let near = drawn.min() ?? 0, far = drawn.max() ?? 1
        let span = max(far - near, 1e-12)
        let pixels = depth.map { d -> UInt8 in
            guard d > 0, d.isFinite else { return 0 }
            return 1 + UInt8((254 * (far - d) / span).rounded())
        }
        return Image8(width: width, height: height, channels: 1, pixels: pixels)
    }
}

/// NumPy's .npy format, version 1.0: magic, header length, a Python dict literal padded with
/// spaces to a multiple of 64 bytes and ended by a newline, then the raw little-endian data in
/// C (row-major) order.
enum NpyFile {
    static func float32(_ values: [Float], rows: Int, columns: Int) -> Data {
        precondition(values.count == rows * columns)
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(rows), \(columns)), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var d = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(header.utf8.count)
        d.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        d.append(contentsOf: Array(header.utf8))
        #if _endian(little)
        values.withUnsafeBytes { d.append(contentsOf: $0) }
        #else
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { d.append(contentsOf: $0) } }
        #endif
        return d
    }
}
