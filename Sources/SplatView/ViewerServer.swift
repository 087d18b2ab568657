import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// The HTTP server of `splat view` (Hummingbird): the page's files, `/api/info`,
/// `/api/model`, `/api/metrics` and `/api/events` (server-sent events for a training in
/// progress). Nothing else is routed; everything else is 404. Stops on SIGINT/SIGTERM.
public struct ViewerServer: Sendable {
    public let source: ViewerSource
    public let title: String
    public let host: String
    /// nil: 8080, or the next free port up to 8099 when it is taken.
    public let port: Int?
    /// Called once with the URL when the server listens.
    public var onListening: @Sendable (String) -> Void = { print($0) }
    /// Called with a note, e.g. that the default port was busy.
    public var onNote: @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }

    public static let defaultPort = 8080

    public init(source: ViewerSource, title: String, host: String, port: Int?) {
        self.source = source; self.title = title; self.host = host; self.port = port
    }

    /// Serves until SIGINT or SIGTERM; blocks the calling thread (the CLI is synchronous).
    public func runBlocking() throws {
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do { try await self.run() } catch { outcome.set(error) }
            done.signal()
        }
        done.wait()
        if let error = outcome.error { throw error }
    }

    public func run() async throws {
        let assets = try PageAssets.load()
        let chosen = try choosePort()
        let router = Router()
        router.middlewares.add(SecurityHeaders(host: host))
        let cache = ModelCache(source: source)
        let source = self.source, title = self.title
        for (name, asset) in assets.files {
            router.get(RouterPath(name == "index.html" ? "/" : "/" + name)) { _, _ -> Response in
                Self.bytes(asset.data, type: asset.contentType)
            }
        }
        router.get("/api/info") { _, _ -> Response in
            Self.bytes(ViewerInfo.json(source, title: title), type: "application/json")
        }
        router.get("/api/metrics") { _, _ -> Response in
            Self.bytes(ViewerInfo.metrics(source), type: "application/json")
        }
        router.get("/api/model") { _, _ -> Response in
            do {
                let entry = try await cache.current()
                return Self.bytes(entry.payload, type: "application/octet-stream")
            } catch {
                return Response(status: .notFound, headers: [.contentType: "text/plain; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(string: "\(error)\n")))
            }
        }
        router.get("/api/events") { _, _ -> Response in
            Response(status: .ok,
                     headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                     body: ResponseBody { writer in
                         try await RunEvents(source: source).stream(to: &writer)
                         try await writer.finish(nil)
                     })
        }
        var logger = Logger(label: "splat-view")
        logger.logLevel = .error
        let onListening = self.onListening, host = self.host
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: chosen), serverName: "splat"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? chosen
                let shown = host.contains(":") ? "[\(host)]" : host
                onListening("http://\(shown):\(port)/")
            },
            logger: logger)
        do {
            try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw ViewerError(path: "\(host):\(chosen)", reason: "port \(chosen) is in use (choose another with --port, or --port 0 for any free port)")
        } catch let error as IOError {
            throw ViewerError(path: host, reason: "cannot listen on \(host):\(chosen) (\(error.description))")
        }
    }

    /// The port to bind: the one given (checked, so a busy port is a clear error), or the default
    /// and, if it is taken, the next free one up to 8099 (said so).
    func choosePort() throws -> Int {
        if let port {
            if port != 0 && !PortProbe.isFree(host: host, port: port) {
                throw ViewerError(path: "\(host):\(port)", reason: "port \(port) is in use (choose another with --port, or --port 0 for any free port)")
            }
            return port
        }
        for candidate in Self.defaultPort...(Self.defaultPort + 19) where PortProbe.isFree(host: host, port: candidate) {
            if candidate != Self.defaultPort { onNote("port \(Self.defaultPort) is in use; using \(candidate)") }
            return candidate
        }
        throw ViewerError(path: host, reason: "ports \(Self.defaultPort)-\(Self.defaultPort + 19) are all in use (choose one with --port, or --port 0 for any free port)")
    }

    static func bytes(_ data: Data, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Set once by the server task, read after it finished.
private final class Outcome: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: (any Error)?
    func set(_ e: any Error) { lock.lock(); stored = e; lock.unlock() }
    var error: (any Error)? { lock.lock(); defer { lock.unlock() }; return stored }
}
