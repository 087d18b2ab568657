import Foundation
import Testing
import SplatCore
import SplatIO

/// `splat view` as an HTTP server: only its own files and the model it was given, 404 for
/// everything else, several clients at once, a clean stop on SIGINT/SIGTERM.
@Suite struct ServerTests {
    /// A small synthetic model file (no training needed for server behaviour).
    static let model: String = {
        let dir = try! TempDir.make("splat-view-model")
        var cloud = GaussianCloud(count: 50, maxSHDegree: 1)
        var rng = SplatRandom(seed: 3)
        for i in 0..<cloud.count {
            for k in 0..<3 { cloud.means[i * 3 + k] = Float(rng.nextDouble() * 2 - 1); cloud.logScales[i * 3 + k] = -3 }
            cloud.opacityLogits[i] = 1
        }
        let path = dir.appendingPathComponent("model.ply").path
        try! GaussianPLY.write(cloud, to: path)
        return path
    }()

    @Test func servesThePageAndTheModel() throws {
        let viewer = try ViewerProcess([Self.model])
        defer { viewer.stop() }
        #expect(viewer.url.hasPrefix("http://127.0.0.1:"))
        let page = try RawHTTP.get("/", port: viewer.port)
        #expect(page.status == 200)
        #expect(String(decoding: page.body, as: UTF8.self).contains("viewer.js"))
        #expect(page.head.lowercased().contains("content-security-policy: default-src 'self'"))
        for asset in ["/viewer.js", "/renderer.js", "/sort-worker.js", "/style.css"] {
            #expect(try RawHTTP.get(asset, port: viewer.port).status == 200, "\(asset)")
        }
        let model = try RawHTTP.get("/api/model", port: viewer.port)
        #expect(model.status == 200)
        let body = [UInt8](model.body)
        #expect(body.count == 28 + 50 * (3 + 6 + 1 + 3 + 9) * 4)
        #expect(Array(body[0..<4]) == Array("SPLV".utf8))
        #expect(body[24] == 0, "the model records no antialiasing")
    }

    /// The payload's flag follows the model: the PLY comment of an antialiased model, and for an
    /// output folder's .splat preview (which cannot record it) the trainer's preview.json.
    @Test func payloadCarriesTheAntialiasingMode() throws {
        let dir = try TempDir.make("splat-view-aa")
        defer { try? FileManager.default.removeItem(at: dir) }
        let cloud = try GaussianPLY.read(path: Self.model)
        let marked = dir.appendingPathComponent("marked.ply").path
        try GaussianPLY.write(cloud, to: marked, antialiased: true)
        let run = dir.appendingPathComponent("run").path
        try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
        try SplatFile.write(cloud, to: run + "/preview.splat")
        try #"{"step": 2, "gaussians": 50, "elapsed_s": 1.00, "antialiasing": true}"#.write(toFile: run + "/preview.json", atomically: true, encoding: .utf8)
        for (target, expected) in [(Self.model, UInt8(0)), (marked, 1), (run, 1)] {
            let viewer = try ViewerProcess([target])
            defer { viewer.stop() }
            let body = [UInt8](try RawHTTP.get("/api/model", port: viewer.port).body)
            try #require(body.count > 28)
            #expect(body[24] == expected, "\(target)")
        }
    }

    @Test func noPathReachesTheFileSystem() throws {
        let viewer = try ViewerProcess([Self.model])
        defer { viewer.stop() }
        let modelDir = (Self.model as NSString).deletingLastPathComponent
        let targets = [
            "/../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
            "/..%2f..%2f..%2fetc%2fpasswd", "//etc/passwd", "/etc/passwd", "/api/../../etc/passwd",
            "/index.html/../../../etc/passwd", "/viewer.js/..", "http://127.0.0.1/../../etc/passwd",
            "/%c0%ae%c0%ae/etc/passwd", "/....//....//etc/passwd", "/model.ply", "/\(modelDir)/model.ply",
            modelDir + "/model.ply", "/Page/viewer.js", "/api/model/../../../etc/passwd", "/%00", "/viewer.js%00.html",
            "/api/info%2f..%2f..%2fetc%2fpasswd", "/./viewer.js/../../etc/passwd", "/\\..\\..\\etc\\passwd",
        ]
        for target in targets {
            let reply = try RawHTTP.get(target, port: viewer.port)
            let text = String(decoding: reply.raw, as: UTF8.self)
            #expect(reply.status == 404 || reply.status == 400 || reply.status == nil, "\(target): \(reply.head)")
            #expect(!text.contains("root:"), "\(target) returned /etc/passwd")
            #expect(!text.contains("ply\nformat"), "\(target) returned the model file")
        }
        #expect(try RawHTTP.get("/", port: viewer.port).status == 200, "server still up")
    }

    @Test func unknownPathsAre404() throws {
        let viewer = try ViewerProcess([Self.model])
        defer { viewer.stop() }
        for target in ["/nope", "/api", "/api/", "/api/models", "/index.htm", "/favicon.ico", "/viewer.js.map", "/api/info/x"] {
            #expect(try RawHTTP.get(target, port: viewer.port).status == 404, "\(target)")
        }
        let post = try RawHTTP.send(Data("POST /api/model HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8), port: viewer.port)
        #expect(post.status == 404 || post.status == 405)
    }

    @Test func longAndMalformedRequestsLeaveTheServerUp() throws {
        let viewer = try ViewerProcess([Self.model])
        defer { viewer.stop() }
        let long = "/" + String(repeating: "a", count: 200_000)
        let reply = try RawHTTP.get(long, port: viewer.port)
        #expect(reply.status != 200)
        let junk: [Data] = [
            Data("GARBAGE\r\n\r\n".utf8), Data("GET\r\n\r\n".utf8), Data("GET / HTTP/9.9\r\n\r\n".utf8),
            Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) }),
            Data("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n".utf8) + Data(String(repeating: "X-A: b\r\n", count: 20_000).utf8) + Data("\r\n".utf8),
            Data("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -5\r\n\r\n".utf8),
        ]
        for request in junk {
            let r = try RawHTTP.send(request, port: viewer.port, timeout: 5)
            #expect(r.status != 200 || request.starts(with: Data("GET / HTTP/1.1".utf8)))
        }
        #expect(try RawHTTP.get("/", port: viewer.port).status == 200, "server still up")
        #expect(viewer.process.isRunning)
    }

    @Test func foreignHostNamesAreRefused() throws {
        let viewer = try ViewerProcess([Self.model])
        defer { viewer.stop() }
        #expect(try RawHTTP.get("/api/model", port: viewer.port, host: "attacker.example:\(viewer.port)").status == 403)
        #expect(try RawHTTP.get("/", port: viewer.port, host: "localhost:\(viewer.port)").status == 200)
    }

    @Test func concurrentClients() throws {
        let viewer = try ViewerProcess([Self.model])
        defer { viewer.stop() }
        let expected = try RawHTTP.get("/api/model", port: viewer.port).body
        let results = Results()
        DispatchQueue.concurrentPerform(iterations: 24) { i in
            let target = ["/api/model", "/", "/api/info", "/renderer.js"][i % 4]
            let r = try? RawHTTP.get(target, port: viewer.port)
            results.add(target, r?.status, target == "/api/model" ? r?.body == expected : true)
        }
        #expect(results.all.count == 24)
        for (target, status, same) in results.all {
            #expect(status == 200, "\(target)")
            #expect(same, "\(target) body differs")
        }
    }

    @Test(arguments: [SIGINT, SIGTERM])
    func stopsCleanlyOnSignal(_ signal: Int32) throws {
        let viewer = try ViewerProcess([Self.model])
        // An open event stream must not keep the server from stopping.
        let stream = Thread {
            _ = try? RawHTTP.send(Data("GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8), port: viewer.port, timeout: 20)
        }
        stream.start()
        Thread.sleep(forTimeInterval: 0.5)
        let status = viewer.stop(signal: signal, timeout: 15)
        #expect(status == 0, "exit status \(String(describing: status)); stderr: \(viewer.stderr)")
        #expect(viewer.stderr.contains("stopped"))
        #expect((try? RawHTTP.get("/", port: viewer.port)) == nil || (try? RawHTTP.get("/", port: viewer.port))?.status == nil)
    }

    @Test func busyPortIsAClearError() throws {
        let first = try ViewerProcess([Self.model])
        defer { first.stop() }
        let second = try SplatCLI.run(["view", Self.model, "--port", String(first.port)])
        #expect(second.status == 1)
        #expect(second.stderr.contains("port \(first.port) is in use"), "\(second.stderr)")
        #expect(second.stderr.split(separator: "\n").count == 1)
    }

    @Test func badInputIsOneLineError() throws {
        let dir = try TempDir.make("splat-view-bad")
        let bad = dir.appendingPathComponent("bad.ply").path
        try Data("ply\nformat nonsense\n".utf8).write(to: URL(fileURLWithPath: bad))
        let r = try SplatCLI.run(["view", bad, "--port", "0"])
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("error: \(bad):"), "\(r.stderr)")
        let empty = try SplatCLI.run(["view", dir.path, "--port", "0"])
        #expect(empty.status == 1)
        #expect(empty.stderr.contains("not an output folder"), "\(empty.stderr)")
    }
}

final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var all: [(String, Int?, Bool)] = []
    func add(_ t: String, _ s: Int?, _ same: Bool) { lock.lock(); all.append((t, s, same)); lock.unlock() }
}
