import CZlib
import Foundation

/// gzip compression through the system zlib, as the legacy SPZ container needs it.
/// `deflateInit2`/`inflateInit2` are C macros Swift cannot see, so the underscored functions
/// they expand to are called with the library's version string and the z_stream size.
enum SPZGzip {
    /// windowBits 15 + 16: write/expect a gzip (not zlib) wrapper.
    static let gzipWindowBits: Int32 = 31
    /// deflate cannot shrink data by more than about 1032:1; a header claiming more output than
    /// that is lying, so the reader refuses before allocating.
    static let maxInflateRatio = 1032

    static func compress(_ input: Data) -> Data? {
        var stream = z_stream()
        guard deflateInit2_(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, gzipWindowBits, 9, Z_DEFAULT_STRATEGY,
                            zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { deflateEnd(&stream) }
        var output = Data(count: Int(deflateBound(&stream, uLong(input.count))) + 32)
        let status: Int32 = input.withUnsafeBytes { src in
            output.withUnsafeMutableBytes { dst in
                stream.next_in = UnsafeMutablePointer(mutating: src.bindMemory(to: Bytef.self).baseAddress)
                stream.avail_in = uInt(src.count)
                stream.next_out = dst.bindMemory(to: Bytef.self).baseAddress
                stream.avail_out = uInt(dst.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { return nil }
        output.count = Int(stream.total_out)
        return output
    }

    /// Incremental gzip reader: `read(count)` returns exactly that many decompressed bytes or
    /// throws, so a header can be checked before the body is allocated.
    final class Reader {
        private var stream = z_stream()
        private let input: Data
        private let path: String
        private var finished = false

        init(_ input: Data, path: String) throws {
            self.input = input; self.path = path
            guard inflateInit2_(&stream, SPZGzip.gzipWindowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                throw InputError(path, "zlib could not start decompressing")
            }
        }

        deinit { inflateEnd(&stream) }

        func read(_ count: Int) throws -> Data {
            var output = Data(count: count)
            var produced = 0
            try input.withUnsafeBytes { src in
                try output.withUnsafeMutableBytes { dst in
                    let base = dst.bindMemory(to: Bytef.self).baseAddress
                    while produced < count {
                        guard !finished else { throw InputError(path, "SPZ data ends early (truncated file?)") }
                        let consumed = Int(stream.total_in)
                        stream.next_in = UnsafeMutablePointer(mutating: src.bindMemory(to: Bytef.self).baseAddress! + consumed)
                        stream.avail_in = uInt(src.count - consumed)
                        stream.next_out = base.map { $0 + produced }
                        stream.avail_out = uInt(count - produced)
                        let before = stream.avail_out
                        let status = inflate(&stream, Z_NO_FLUSH)
                        produced += Int(before - stream.avail_out)
                        switch status {
                        case Z_STREAM_END: finished = true
                        case Z_OK: continue
                        case Z_BUF_ERROR where stream.avail_in == 0:
                            throw InputError(path, "SPZ data ends early (truncated file?)")
                        default:
                            throw InputError(path, "corrupt gzip data (\(stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"))")
                        }
                    }
                }
            }
            return output
        }

        /// Checks that nothing but the gzip trailer follows (it verifies the CRC).
        func finish() throws {
            if finished { return }
            var scratch = [UInt8](repeating: 0, count: 1)
            let extra = try scratchRead(&scratch)
            guard !extra else { throw InputError(path, "SPZ data is longer than its header says") }
        }

        private func scratchRead(_ scratch: inout [UInt8]) throws -> Bool {
            try input.withUnsafeBytes { src in
                try scratch.withUnsafeMutableBufferPointer { dst in
                    let consumed = Int(stream.total_in)
                    stream.next_in = UnsafeMutablePointer(mutating: src.bindMemory(to: Bytef.self).baseAddress! + consumed)
                    stream.avail_in = uInt(src.count - consumed)
                    stream.next_out = dst.baseAddress
                    stream.avail_out = 1
                    let status = inflate(&stream, Z_FINISH)
                    switch status {
                    case Z_STREAM_END: finished = true; return stream.avail_out == 0
                    case Z_OK: return true
                    case Z_BUF_ERROR:
                        if stream.avail_out == 0 { return true }
                        throw InputError(path, "SPZ data ends early (truncated file?)")
                    default:
                        throw InputError(path, "corrupt gzip data (\(stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"))")
                    }
                }
            }
        }
    }
}
