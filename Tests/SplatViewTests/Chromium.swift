import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Headless Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`:
/// commands in on fd 3, replies out on fd 4, NUL-separated JSON), with software WebGL
/// (SwiftShader). Collects console errors and uncaught exceptions of the page.
final class Chromium: @unchecked Sendable {
    static let candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
    static var path: String? { candidates.first { FileManager.default.isExecutableFile(atPath: $0) } }
    static var isAvailable: Bool { path != nil }

    private var pid: pid_t = 0
    private let toBrowser: Int32, fromBrowser: Int32
    private let profile: URL
    private let lock = NSCondition()
    private var replies: [Int: [String: Any]] = [:]
    private var nextID = 1
    private var closed = false
    private(set) var errors: [String] = []
    private var session = ""

    init(width: Int, height: Int) throws {
        guard let path = Self.path else { throw ViewerTestError("chromium not installed") }
        profile = try TempDir.make("splat-view-chromium")
        var commandPipe: [Int32] = [0, 0], replyPipe: [Int32] = [0, 0]
        guard pipe(&commandPipe) == 0, pipe(&replyPipe) == 0 else { throw ViewerTestError("pipe failed") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, commandPipe[0], 3)
        posix_spawn_file_actions_adddup2(&actions, replyPipe[1], 4)
        let log = profile.appendingPathComponent("chromium.log").path
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let args = [path, "--headless", "--remote-debugging-pipe", "--no-sandbox", "--no-first-run",
                    "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
                    "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist",
                    "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio",
                    "--window-size=\(width),\(height)", "--user-data-dir=\(profile.path)", "about:blank"]
        let cArgs = args.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        let status = posix_spawn(&pid, path, &actions, nil, cArgs, environ)
        close(commandPipe[0]); close(replyPipe[1])
        guard status == 0 else { throw ViewerTestError("cannot start \(path): \(status)") }
        toBrowser = commandPipe[1]; fromBrowser = replyPipe[0]
        let thread = Thread { [unowned self] in self.readLoop() }
        thread.start()
        let target = try call("Target.createTarget", ["url": "about:blank"], browserLevel: true)
        guard let targetID = target["targetId"] as? String else { throw ViewerTestError("no target: \(target)") }
        let attached = try call("Target.attachToTarget", ["targetId": targetID, "flatten": true], browserLevel: true)
        guard let s = attached["sessionId"] as? String else { throw ViewerTestError("no session: \(attached)") }
        session = s
        _ = try call("Runtime.enable")
        _ = try call("Log.enable")
        _ = try call("Page.enable")
        _ = try call("Emulation.setDeviceMetricsOverride", ["width": width, "height": height, "deviceScaleFactor": 1, "mobile": false])
    }

    deinit { quit() }

    func quit() {
        guard pid != 0 else { return }
        _ = try? call("Browser.close", browserLevel: true, timeout: 5)
        var status: Int32 = 0
        for _ in 0..<50 where waitpid(pid, &status, WNOHANG) == 0 { Thread.sleep(forTimeInterval: 0.1) }
        if waitpid(pid, &status, WNOHANG) == 0 { kill(pid, SIGKILL); waitpid(pid, &status, 0) }
        pid = 0
        close(toBrowser)
        try? FileManager.default.removeItem(at: profile)
    }

    private func readLoop() {
        var pending = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = read(fromBrowser, &buffer, buffer.count)
            if n <= 0 { break }
            pending.append(contentsOf: buffer[0..<n])
            while let end = pending.firstIndex(of: 0) {
                let message = pending[pending.startIndex..<end]
                pending = Data(pending[(end + 1)...])
                guard let object = try? JSONSerialization.jsonObject(with: message) as? [String: Any] else { continue }
                lock.lock()
                if let id = object["id"] as? Int { replies[id] = object } else { noteEvent(object) }
                lock.broadcast()
                lock.unlock()
            }
        }
        close(fromBrowser)
        lock.lock(); closed = true; lock.broadcast(); lock.unlock()
    }

    /// Console errors, uncaught exceptions and error log entries of the page (lock held).
    private func noteEvent(_ e: [String: Any]) {
        let params = e["params"] as? [String: Any] ?? [:]
        switch e["method"] as? String {
        case "Runtime.consoleAPICalled":
            guard ["error", "assert"].contains(params["type"] as? String ?? "") else { return }
            let args = (params["args"] as? [[String: Any]] ?? []).map { "\($0["value"] ?? $0["description"] ?? "")" }
            errors.append("console.error: " + args.joined(separator: " "))
        case "Runtime.exceptionThrown":
            let d = params["exceptionDetails"] as? [String: Any] ?? [:]
            let ex = d["exception"] as? [String: Any] ?? [:]
            errors.append("exception: \(ex["description"] ?? d["text"] ?? "")")
        case "Log.entryAdded":
            let entry = params["entry"] as? [String: Any] ?? [:]
            if entry["level"] as? String == "error" { errors.append("log: \(entry["text"] ?? "") \(entry["url"] ?? "")") }
        default: break
        }
    }

    var collectedErrors: [String] { lock.lock(); defer { lock.unlock() }; return errors }

    /// Sends one command and waits for its reply's `result`.
    @discardableResult
    func call(_ method: String, _ params: [String: Any] = [:], browserLevel: Bool = false, timeout: Double = 60) throws -> [String: Any] {
        lock.lock()
        let id = nextID; nextID += 1
        lock.unlock()
        var message: [String: Any] = ["id": id, "method": method, "params": params]
        if !browserLevel && !session.isEmpty { message["sessionId"] = session }
        var data = try JSONSerialization.data(withJSONObject: message)
        data.append(0)
        let written = data.withUnsafeBytes { write(toBrowser, $0.baseAddress, data.count) }
        guard written == data.count else { throw ViewerTestError("write to chromium failed") }
        let deadline = Date().addingTimeInterval(timeout)
        lock.lock()
        defer { lock.unlock() }
        while replies[id] == nil && !closed {
            if !lock.wait(until: deadline) { throw ViewerTestError("\(method): no reply in \(timeout) s") }
        }
        guard let reply = replies.removeValue(forKey: id) else { throw ViewerTestError("\(method): chromium exited") }
        if let error = reply["error"] { throw ViewerTestError("\(method): \(error)") }
        return reply["result"] as? [String: Any] ?? [:]
    }

    func navigate(_ url: String) throws { try call("Page.navigate", ["url": url]) }

    /// Evaluates an expression in the page (promises awaited) and returns its JSON value.
    func evaluate(_ expression: String, timeout: Double = 60) throws -> Any? {
        let r = try call("Runtime.evaluate", ["expression": expression, "awaitPromise": true, "returnByValue": true], timeout: timeout)
        if let ex = r["exceptionDetails"] as? [String: Any] {
            let e = ex["exception"] as? [String: Any] ?? [:]
            throw ViewerTestError("page: \(e["description"] ?? ex["text"] ?? "exception")")
        }
        return (r["result"] as? [String: Any])?["value"]
    }

    /// Waits until `expression` is true in the page.
    func waitFor(_ expression: String, timeout: Double = 60) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (try? evaluate("Boolean(\(expression))", timeout: 10)) as? Bool == true { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw ViewerTestError("timed out after \(timeout) s waiting for \(expression); page errors: \(collectedErrors)")
    }

    func screenshotPNG() throws -> Data {
        let r = try call("Page.captureScreenshot", ["format": "png"])
        guard let b64 = r["data"] as? String, let data = Data(base64Encoded: b64) else { throw ViewerTestError("no screenshot") }
        return data
    }
}
