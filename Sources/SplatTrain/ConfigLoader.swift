import Foundation
import Yams

/// Reads run.yaml into a `TrainConfig`. Every key must be known and of the right type; a
/// misspelt key is reported with the nearest valid key. Relative paths in the file are resolved
/// against the file's directory, so a run.yaml works from any working directory.
public enum ConfigLoader {
    public static func load(path: String) throws -> TrainConfig {
        try loadNamingKeys(path: path).config
    }

    /// The config and the keys the file names (every other key has its default).
    public static func loadNamingKeys(path: String) throws -> (config: TrainConfig, keys: Set<String>) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TrainError.config(file: path, message: "cannot read file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw TrainError.config(file: path, message: "not UTF-8 text")
        }
        let baseDir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try parseNamingKeys(text, file: path, baseDirectory: baseDir)
    }

    public static func parse(_ text: String, file: String, baseDirectory: String) throws -> TrainConfig {
        try parseNamingKeys(text, file: file, baseDirectory: baseDirectory).config
    }

    static func parseNamingKeys(_ text: String, file: String, baseDirectory: String) throws
        -> (config: TrainConfig, keys: Set<String>) {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch {
            throw TrainError.config(file: file, message: "invalid YAML (\(oneLine("\(error)")))")
        }
        var config = TrainConfig()
        guard let root else { return (config, []) }   // empty file: all defaults
        guard let mapping = root.mapping else {
            throw TrainError.config(file: file, message: "expected a mapping of key: value at the top level")
        }
        var seen = Set<String>()
        for (keyNode, value) in mapping {
            let line = keyNode.mark.map { "line \($0.line): " } ?? ""
            guard let key = keyNode.string else {
                throw TrainError.config(file: file, message: "\(line)keys must be plain strings")
            }
            guard let field = TrainConfig.fields.first(where: { $0.key == key })?.field else {
                let hint = nearestKey(to: key).map { " (did you mean '\($0)'?)" } ?? ""
                throw TrainError.config(file: file, message: "\(line)unknown key '\(key)'\(hint)")
            }
            guard seen.insert(key).inserted else {
                throw TrainError.config(file: file, message: "\(line)key '\(key)' given twice")
            }
            try apply(value, to: field, key: key, config: &config, file: file, line: line, baseDirectory: baseDirectory)
        }
        // A file that names the run length in one unit only gets exactly that length.
        config.setRunLength(iterations: seen.contains("iterations") ? config.iterations : nil,
                            minutes: seen.contains("time_budget") ? config.timeBudget : nil)
        return (config, seen)
    }

    static func apply(_ value: Node, to field: TrainConfig.Field, key: String, config: inout TrainConfig,
                      file: String, line: String, baseDirectory: String) throws {
        let shown = value.scalar?.string ?? "a \(value.mapping != nil ? "mapping" : "list")"
        func wrong(_ expected: String) -> TrainError {
            .config(file: file, message: "\(line)key '\(key)' must be \(expected), got '\(shown)'")
        }
        let isNull = value.scalar != nil && value.null != nil
        switch field {
        case let .int(kp, range):
            guard let v = integer(value) else { throw wrong("an integer") }
            guard range.contains(v) else { throw wrong("an integer in \(range.lowerBound)...\(range.upperBound)") }
            config[keyPath: kp] = v
        case let .double(kp, range):
            guard let v = number(value), v.isFinite else { throw wrong("a number") }
            guard range.contains(v) else { throw wrong("a number in \(range.lowerBound)...\(range.upperBound)") }
            config[keyPath: kp] = v
        case let .optionalBool(kp):
            if isNull { config[keyPath: kp] = nil; return }
            guard let v = value.bool else { throw wrong("true, false or null") }
            config[keyPath: kp] = v
        case let .bool(kp):
            guard !isNull, let v = value.bool else { throw wrong("true or false") }
            config[keyPath: kp] = v
        case let .choice(kp, words):
            guard let s = value.scalar?.string, words.contains(s) else { throw wrong("one of " + words.joined(separator: ", ")) }
            config[keyPath: kp] = s
        case let .path(kp):
            guard let s = value.scalar?.string, !isNull, !s.isEmpty else { throw wrong("a path") }
            config[keyPath: kp] = resolve(s, against: baseDirectory)
        case let .initialization(kp):
            guard let s = value.scalar?.string, !isNull, !s.isEmpty else { throw wrong("sfm, random:N or a PLY path") }
            if s.hasPrefix("random:") {
                guard let n = Int(s.dropFirst(7)), n > 0 else { throw wrong("random:N with N a positive integer") }
                config[keyPath: kp] = "random:\(n)"
            } else {
                config[keyPath: kp] = s == "sfm" ? s : resolve(s, against: baseDirectory)
            }
        }
    }

    /// A scalar's integer: decimal with an optional sign, or 0x hex / 0o octal (YAML 1.2).
    /// Not Yams' `Node.int`, which also reads YAML 1.1 base-60 ("48:88:8") and traps on overflow
    /// (found by the yaml fuzz target).
    static func integer(_ node: Node) -> Int? {
        guard let s = node.scalar?.string else { return nil }
        if s.hasPrefix("0x") { return Int(s.dropFirst(2), radix: 16) }
        if s.hasPrefix("0o") { return Int(s.dropFirst(2), radix: 8) }
        return Int(s)
    }

    /// A scalar's number: an integer as above or a decimal/exponent float ("1e-3", ".5").
    static func number(_ node: Node) -> Double? {
        if let i = integer(node) { return Double(i) }
        guard let s = node.scalar?.string, s.first.map({ $0.isNumber || $0 == "." || $0 == "-" || $0 == "+" }) == true else { return nil }
        return Double(s)
    }

    /// Makes `path` absolute: `~` expands, relative paths start at `base`.
    public static func resolve(_ path: String, against base: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        if expanded.hasPrefix("/") { return URL(fileURLWithPath: expanded).standardized.path }
        return URL(fileURLWithPath: base).appendingPathComponent(expanded).standardized.path
    }

    /// The valid key with the smallest edit distance, if it is close enough to be a typo.
    public static func nearestKey(to key: String) -> String? {
        let scored = TrainConfig.keys.map { ($0, editDistance(key, $0)) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        return best.1 <= max(2, key.count / 3) ? best.0 : nil
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8), b = Array(b.utf8)
        if a.isEmpty { return b.count }
        var prev = Array(0...b.count), cur = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            cur[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&prev, &cur)
        }
        return prev[b.count]
    }

    static func oneLine(_ s: String) -> String {
        s.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }
}
