import Foundation

/// Memory a command will need, estimated before its big allocations, and memory this process
/// may still use. A command whose estimate exceeds what is available refuses at once with a
/// one-line error instead of being killed by the OOM killer half-way (docs/reliability.md).
public struct MemoryEstimate: Sendable, Equatable {
    /// Named parts, bytes, in the order they are reported.
    public var parts: [Part]
    public struct Part: Sendable, Equatable {
        public var name: String
        public var bytes: Int
    }
    public var total: Int { parts.reduce(0) { $0 &+ $1.bytes } }

    /// Runtime, code and allocator slack of any `splat` process.
    public static let baseBytes = 64 << 20
    /// Tile-Gaussian pairs per Gaussian assumed for the rasterizer's pair buffers (measured
    /// runs: 2–5 on the example and cup360; the estimate errs high).
    public static let pairsPerGaussian = 6

    /// Floats of one Gaussian at SH degree `d`: mean 3, log-scale 3, rotation 4, opacity 1,
    /// DC 3 and 3 per higher-order coefficient.
    public static func floatsPerGaussian(shDegree d: Int) -> Int { 14 + 3 * ((d + 1) * (d + 1) - 1) }

    /// Rasterizer scratch per Gaussian: projected splat (12 floats), tile rectangle (16 B),
    /// counts and offsets (16 B), flags (1 B); `backward` adds the 2D gradient (9 floats).
    static func rasterizerBytes(gaussians: Int, backward: Bool) -> Int {
        let perGaussian = 48 + 16 + 16 + 1 + (backward ? 36 : 0)
        // Per pair: sort keys and values twice (24 B), the splat copied into list order (48 B),
        // and in backward its gradient (36 B).
        let perPair = 24 + 48 + (backward ? 36 : 0)
        return gaussians &* (perGaussian + pairsPerGaussian * perPair)
    }

    /// `splat optimize`: parameters, gradients and two Adam moments (plus the checkpoint's
    /// encoded copy of parameters and moments), rasterizer scratch, the 8-bit image cache of
    /// every train and test view, and per-pixel buffers (render, loss and SSIM maps,
    /// rasterizer per-pixel state) of the largest view.
    public static func training(gaussians: Int, shDegree: Int, cachedImagePixels: Int, largestViewPixels: Int) -> MemoryEstimate {
        let params = gaussians &* floatsPerGaussian(shDegree: shDegree) &* 4
        return MemoryEstimate(parts: [
            Part(name: "runtime", bytes: baseBytes),
            Part(name: "Gaussians (parameters, gradients, Adam moments, checkpoint copy)", bytes: params &* 7 &+ gaussians &* 8),
            Part(name: "rasterizer scratch", bytes: rasterizerBytes(gaussians: gaussians, backward: true)),
            Part(name: "image cache", bytes: cachedImagePixels &* 3),
            Part(name: "per-pixel buffers", bytes: largestViewPixels &* 160),
        ])
    }

    /// `splat render` / `eval`: the model, forward rasterizer scratch and one image (float
    /// render, 8-bit copy, depth and alpha, per-pixel state).
    public static func rendering(gaussians: Int, shDegree: Int, pixels: Int) -> MemoryEstimate {
        MemoryEstimate(parts: [
            Part(name: "runtime", bytes: baseBytes),
            Part(name: "model", bytes: gaussians &* floatsPerGaussian(shDegree: shDegree) &* 4),
            Part(name: "rasterizer scratch", bytes: rasterizerBytes(gaussians: gaussians, backward: false)),
            Part(name: "image", bytes: pixels &* 40),
        ])
    }

    /// `splat init`: the RGB images of the views involved, the matcher's gray images, cost
    /// volumes of the sweeps running at once (`depthSamples` planes × matcher pixels) and the
    /// dense matches of one reference, and the sampled points as Gaussians (SH degree 3).
    public static func initialization(loadedImagePixels: Int, loadedViews: Int, matchPixels: Int, depthSamples: Int,
                                      concurrentSweeps: Int, neighbours: Int, points: Int) -> MemoryEstimate {
        MemoryEstimate(parts: [
            Part(name: "runtime", bytes: baseBytes),
            Part(name: "images", bytes: loadedImagePixels &* 3 &+ loadedViews &* matchPixels &* 4),
            Part(name: "matcher buffers", bytes: concurrentSweeps &* matchPixels &* (depthSamples &+ 24) &* 4
                                                &+ neighbours &* matchPixels &* 5 &* 4),
            Part(name: "sampled points", bytes: points &* (floatsPerGaussian(shDegree: 3) &* 4 &+ 64)),
        ])
    }
}

/// The memory this process may still allocate.
public enum MemoryBudget {
    /// Environment variable that replaces the measured figure, in MiB (tests, or a user who
    /// wants a command to stay under a limit of their own).
    public static let overrideVariable = "SPLAT_MEMORY_LIMIT_MB"

    /// The override if set (an error if it is not a whole number), else the smallest of
    /// /proc/meminfo's MemAvailable, cgroup v2 memory.max − memory.current and cgroup v1
    /// limit − usage; nil when none of them can be read.
    public static func available(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Int? {
        if let text = environment[overrideVariable] {
            guard let mb = Int(text.trimmingCharacters(in: .whitespaces)), mb >= 0, mb <= Int.max >> 20 else {
                throw MemoryShortage(subject: overrideVariable, message: "must be a whole number of MiB (got '\(text)')")
            }
            return mb << 20
        }
        var limits = [Int]()
        if let text = read("/proc/meminfo"), let v = memAvailable(meminfo: text) { limits.append(v) }
        let own = ownCgroups(read("/proc/self/cgroup") ?? "")
        // Every level from the process's own cgroup up to the root can carry a limit.
        for dir in levels(root: "/sys/fs/cgroup", path: own.v2) {
            if let v = remaining(limit: read(dir + "/memory.max"), usage: read(dir + "/memory.current")) { limits.append(v) }
        }
        for dir in levels(root: "/sys/fs/cgroup/memory", path: own.v1) {
            if let v = remaining(limit: read(dir + "/memory.limit_in_bytes"), usage: read(dir + "/memory.usage_in_bytes")) {
                limits.append(v)
            }
        }
        return limits.min()
    }

    /// The process's cgroup paths from /proc/self/cgroup: v2 ("0::<path>") and the v1 memory
    /// controller ("<n>:memory:<path>" or a list containing memory).
    public static func ownCgroups(_ text: String) -> (v2: String, v1: String) {
        var v2 = "/", v1 = "/"
        for line in text.split(separator: "\n") {
            let f = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard f.count == 3 else { continue }
            if f[0] == "0" && f[1].isEmpty { v2 = String(f[2]) }
            if f[1].split(separator: ",").contains("memory") { v1 = String(f[2]) }
        }
        return (v2, v1)
    }

    /// `root + path` and each ancestor up to `root` ("..": ignored, only the root is used).
    public static func levels(root: String, path: String) -> [String] {
        let parts = path.split(separator: "/")
        guard !parts.contains("..") else { return [root] }
        return (0...parts.count).reversed().map { n in ([root] + parts.prefix(n).map(String.init)).joined(separator: "/") }
    }

    /// MemAvailable from /proc/meminfo text, bytes.
    public static func memAvailable(meminfo: String) -> Int? {
        for line in meminfo.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
            let fields = line.split(separator: " ")
            guard fields.count >= 2, let kb = Int(fields[1]), kb >= 0, kb <= Int.max >> 10 else { return nil }
            return kb << 10
        }
        return nil
    }

    /// limit − usage for cgroup files; nil for "max", a missing file or an "unlimited" v1 limit
    /// (v1 reports a number near 2^63).
    public static func remaining(limit: String?, usage: String?) -> Int? {
        guard let l = limit.flatMap({ Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }), l < 1 << 60 else { return nil }
        let u = usage.flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
        return max(0, l - u)
    }

    static func read(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }

    /// Throws `MemoryShortage` when `estimate` exceeds what is available (never when the
    /// available memory cannot be measured).
    public static func require(_ estimate: MemoryEstimate, for subject: String, advice: String,
                               environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard let free = try available(environment: environment), estimate.total > free else { return }
        throw MemoryShortage(subject: subject, message:
            "needs about \(format(estimate.total)) but only \(format(free)) is available; \(advice) (or set \(overrideVariable))")
    }

    /// "1.25 GiB", or "310 MiB" below 1 GiB.
    public static func format(_ bytes: Int) -> String {
        bytes >= 1 << 30 ? String(format: "%.2f GiB", Double(bytes) / Double(1 << 30)) : "\(bytes >> 20) MiB"
    }
}

/// A command that would need more memory than is available: `<file or scene>: needs about …`.
public struct MemoryShortage: Error, CustomStringConvertible {
    public let subject: String
    public let message: String
    public init(subject: String, message: String) { self.subject = subject; self.message = message }
    public var description: String { "\(subject): \(message)" }
}
