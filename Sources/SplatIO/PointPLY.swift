import Foundation
import SplatCore

/// Plain coloured point clouds such as the 3DGS `points3D.ply` (x, y, z, nx, ny, nz float and
/// red, green, blue uchar) or any PLY whose `vertex` element has x, y, z.
///
/// Colours: integer types up to 8 bits are taken as they are, 16-bit ones scaled by 255/65535,
/// wider integers clamped to [0, 255]; float/double colours are read as [0, 1] and scaled by 255
/// (rounded, clamped). Without red/green/blue every point is mid-grey (128).
public enum PointPLY {
    public static func read(path: String) throws -> (points: [SIMD3<Float>], colors: [SIMD3<UInt8>]) {
        let data = try PLYFile.contents(of: path)
        return try data.withUnsafeBytes { bytes in
            let header = try PLYHeader.parse(bytes, path: path)
            let vertex = try PLYElementData(header, element: "vertex", bytes: bytes, path: path)
            let e = vertex.element
            func scalarIndex(_ name: String) -> Int? {
                guard let i = e.propertyIndex(name), e.properties[i].listCountType == nil else { return nil }
                return i
            }
            let xyz = ["x", "y", "z"].map(scalarIndex)
            guard xyz.allSatisfy({ $0 != nil }) else {
                throw InputError(path, "point PLY: vertex element lacks x, y or z")
            }
            let n = vertex.count
            var coords = [Float](repeating: 0, count: n * 3)
            if n > 0 {
                coords.withUnsafeMutableBufferPointer { buf in
                    for k in 0..<3 { vertex.copyColumn(xyz[k]!, to: buf.baseAddress! + k, stride: 3) }
                }
            }
            let points = (0..<n).map { SIMD3(coords[$0 * 3], coords[$0 * 3 + 1], coords[$0 * 3 + 2]) }

            let rgb = ["red", "green", "blue"].map(scalarIndex)
            guard rgb.allSatisfy({ $0 != nil }), n > 0 else {
                return (points, [SIMD3<UInt8>](repeating: SIMD3(repeating: 128), count: n))
            }
            var values = [Float](repeating: 0, count: n * 3)
            var rgb8 = [UInt8](repeating: 0, count: n * 3)
            values.withUnsafeMutableBufferPointer { buf in
                for k in 0..<3 { vertex.copyColumn(rgb[k]!, to: buf.baseAddress! + k, stride: 3) }
            }
            for k in 0..<3 {
                let scale: Float
                switch e.properties[rgb[k]!].type {
                case .float32, .float64: scale = 255
                case .int16, .uint16: scale = 255.0 / 65535.0
                default: scale = 1
                }
                for i in 0..<n {
                    let v = values[i * 3 + k] * scale
                    rgb8[i * 3 + k] = v.isNaN ? 0 : UInt8(min(max(v, 0), 255).rounded())
                }
            }
            let colors = (0..<n).map { SIMD3(rgb8[$0 * 3], rgb8[$0 * 3 + 1], rgb8[$0 * 3 + 2]) }
            return (points, colors)
        }
    }
}
