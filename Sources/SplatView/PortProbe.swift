import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Whether a TCP port can be bound on an address, tried with a socket that is closed again.
/// (The server's own bind error is also turned into a clear message; this only lets the default
/// port move on to the next one.)
enum PortProbe {
    static func isFree(host: String, port: Int) -> Bool {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else { return true }
        defer { freeaddrinfo(list) }
        let fd = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard fd >= 0 else { return true }
        defer { close(fd) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))  // as NIO binds
        return bind(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0
    }
}
