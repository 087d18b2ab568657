import Foundation

/// Little-endian cursor over a whole file that refuses to read past its end. Readers use
/// `require(count:each:)` before allocating anything sized by a count read from the file.
struct ByteReader {
    let bytes: [UInt8]
    let file: String
    private(set) var offset = 0

    init(_ data: Data, file: String) {
        self.bytes = [UInt8](data); self.file = file
    }

    var remaining: Int { bytes.count - offset }
    var isAtEnd: Bool { offset == bytes.count }

    /// Throws unless `count` records of at least `each` bytes can still follow.
    func require(count: UInt64, each: Int, what: String) throws {
        let (total, overflow) = count.multipliedReportingOverflow(by: UInt64(each))
        if overflow || total > UInt64(remaining) {
            throw InputError(file, "\(what) count \(count) needs at least \(overflow ? "more than 2^64" : String(total)) bytes but only \(remaining) remain (truncated or corrupt file)")
        }
    }

    private mutating func take(_ n: Int, _ what: String) throws -> Int {
        guard n <= remaining else {
            throw InputError(file, "truncated at byte \(offset) while reading \(what)")
        }
        defer { offset += n }
        return offset
    }

    mutating func u8(_ what: String) throws -> UInt8 { bytes[try take(1, what)] }

    mutating func u32(_ what: String) throws -> UInt32 {
        let o = try take(4, what)
        return bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: o, as: UInt32.self) }.littleEndian
    }

    mutating func i32(_ what: String) throws -> Int32 { Int32(bitPattern: try u32(what)) }

    mutating func u64(_ what: String) throws -> UInt64 {
        let o = try take(8, what)
        return bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: o, as: UInt64.self) }.littleEndian
    }

    mutating func f64(_ what: String) throws -> Double { Double(bitPattern: try u64(what)) }

    /// A NUL-terminated UTF-8 string of at most `maxLength` bytes.
    mutating func cString(_ what: String, maxLength: Int = 4096) throws -> String {
        let start = offset
        let end = min(bytes.count, start + maxLength + 1)
        guard let nul = bytes[start..<end].firstIndex(of: 0) else {
            throw InputError(file, "\(what) at byte \(start) has no terminating NUL within \(maxLength) bytes (truncated or corrupt file)")
        }
        offset = nul + 1
        return String(decoding: bytes[start..<nul], as: UTF8.self)
    }

    mutating func skip(_ n: Int, _ what: String) throws { _ = try take(n, what) }
}
