import Foundation

/// A float32 array read from a NumPy `.npy` file (C order).
public struct NpyArray: Equatable, Sendable {
    public var shape: [Int]
    public var values: [Float]
}

/// Minimal reader for `.npy` files holding little-endian float32 (`'<f4'`) in C order, as
/// numpy.save writes them: magic, version, header length, a Python-dict header, then data.
/// Everything read from the file is checked against its length before anything is allocated.
public enum NpyReader {
    static let maxHeaderLength = 1 << 16

    public static func read(path: String) throws -> NpyArray {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InitError(path, "cannot read file")
        }
        return try parse(data, path: path)
    }

    public static func parse(_ data: Data, path: String) throws -> NpyArray {
        let bytes = [UInt8](data)
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1...5]) == Array("NUMPY".utf8) else {
            throw InitError(path, "not a .npy file (bad magic)")
        }
        let major = bytes[6]
        let headerLength: Int, headerStart: Int
        switch major {
        case 1: headerLength = Int(bytes[8]) | Int(bytes[9]) << 8; headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw InitError(path, "truncated .npy header") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default: throw InitError(path, "unsupported .npy version \(major)")
        }
        guard headerLength <= maxHeaderLength, headerStart + headerLength <= bytes.count else {
            throw InitError(path, "truncated .npy header (\(headerLength) bytes declared)")
        }
        guard let header = String(bytes: bytes[headerStart..<(headerStart + headerLength)], encoding: .utf8) else {
            throw InitError(path, ".npy header is not text")
        }
        guard let descr = field("descr", in: header), let order = field("fortran_order", in: header),
              let shapeText = field("shape", in: header) else {
            throw InitError(path, ".npy header lacks descr, fortran_order or shape: \(header.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        guard descr == "'<f4'" else { throw InitError(path, "dtype \(descr) is not little-endian float32 '<f4'") }
        guard order == "False" else { throw InitError(path, "Fortran-ordered arrays are not supported") }
        let shape = try parseShape(shapeText, path: path)
        var count = 1
        for d in shape {
            let (m, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow, m <= Int(Int32.max) else { throw InitError(path, "shape \(shape) is too large") }
            count = m
        }
        let dataStart = headerStart + headerLength
        guard bytes.count - dataStart == count * 4 else {
            throw InitError(path, "shape \(shape) needs \(count * 4) data bytes, file has \(bytes.count - dataStart)")
        }
        var values = [Float](repeating: 0, count: count)
        values.withUnsafeMutableBytes { dst in
            bytes.withUnsafeBytes { src in dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[dataStart...])) }
        }
        #if _endian(big)
        values = values.map { Float(bitPattern: $0.bitPattern.byteSwapped) }
        #endif
        return NpyArray(shape: shape, values: values)
    }

    /// The text of `'key': value` in the header dict, value up to the next top-level comma.
    static func field(_ key: String, in header: String) -> String? {
        guard let r = header.range(of: "'\(key)':") else { return nil }
        var depth = 0, out = ""
        for ch in header[r.upperBound...] {
            if ch == "(" { depth += 1 }
            if ch == ")" { depth -= 1; if depth == 0 { out.append(ch); break } }
            if depth == 0 && (ch == "," || ch == "}") { break }
            out.append(ch)
        }
        return out.trimmingCharacters(in: .whitespaces)
    }

    static func parseShape(_ text: String, path: String) throws -> [Int] {
        guard text.hasPrefix("("), text.hasSuffix(")") else { throw InitError(path, "bad .npy shape \(text)") }
        let inner = text.dropFirst().dropLast()
        var dims = [Int]()
        for part in inner.split(separator: ",") {
            let t = part.trimmingCharacters(in: .whitespaces)
            if t.isEmpty { continue }
            guard let d = Int(t), d >= 0 else { throw InitError(path, "bad .npy shape \(text)") }
            dims.append(d)
        }
        return dims
    }
}
