import Hummingbird

/// Headers that keep the page to its own files (no inline code from elsewhere, no framing,
/// no type sniffing), and, when listening on loopback, a Host check: a web page elsewhere that
/// points its own host name at 127.0.0.1 (DNS rebinding) must not read the model.
struct SecurityHeaders<Context: RequestContext>: RouterMiddleware {
    let loopbackOnly: Bool

    init(host: String) {
        loopbackOnly = ["127.0.0.1", "localhost", "::1"].contains(host)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if loopbackOnly, let authority = request.head.authority, !Self.isLoopback(authority) {
            return Response(status: .forbidden, headers: [.contentType: "text/plain; charset=utf-8"],
                            body: .init(byteBuffer: .init(string: "host \(authority.prefix(100)) is not this viewer\n")))
        }
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] = "default-src 'self'; img-src 'self' data:; worker-src 'self'; frame-ancestors 'none'"
        response.headers[.xContentTypeOptions] = "nosniff"
        return response
    }

    /// `127.0.0.1[:port]`, `localhost[:port]` or `[::1][:port]`.
    static func isLoopback(_ authority: String) -> Bool {
        var host = Substring(authority)
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return false }
            host = host[host.index(after: host.startIndex)..<close]
        } else if let colon = host.lastIndex(of: ":") {
            host = host[..<colon]
        }
        return ["127.0.0.1", "localhost", "::1"].contains(host.lowercased())
    }
}
