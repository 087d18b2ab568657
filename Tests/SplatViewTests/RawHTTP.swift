import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A bare TCP client that sends request bytes exactly as given (no URL normalisation, so
/// `..`, `%2e%2e` and malformed request lines reach the server as written) and reads the reply
/// until the server closes or `timeout` passes.
enum RawHTTP {
    struct Reply {
        var raw: Data
        var status: Int? {
            guard let text = String(data: raw.prefix(64), encoding: .isoLatin1), text.hasPrefix("HTTP/1.") else { return nil }
            let parts = text.split(separator: " ")
            return parts.count > 1 ? Int(parts[1]) : nil
        }
        var body: Data {
            guard let r = raw.range(of: Data("\r\n\r\n".utf8)) else { return Data() }
            return raw[r.upperBound...]
        }
        var head: String { String(data: raw.prefix(upTo: raw.range(of: Data("\r\n\r\n".utf8))?.lowerBound ?? raw.endIndex), encoding: .isoLatin1) ?? "" }
    }

    static func send(_ request: Data, port: Int, timeout: Double = 10) throws -> Reply {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ViewerTestError("socket failed") }
        defer { close(fd) }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard ok == 0 else { throw ViewerTestError("connect to port \(port) failed") }
        _ = request.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, request.count, Int32(MSG_NOSIGNAL)) }
        var out = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            out.append(contentsOf: buffer[0..<n])
        }
        return Reply(raw: out)
    }

    /// GET `target` (sent verbatim) with Connection: close.
    static func get(_ target: String, port: Int, host: String? = nil) throws -> Reply {
        let h = host ?? "127.0.0.1:\(port)"
        return try send(Data("GET \(target) HTTP/1.1\r\nHost: \(h)\r\nConnection: close\r\n\r\n".utf8), port: port)
    }
}
