import Foundation

/// One benchmark mode of splat-bench (raster, and others added in their own files).
protocol BenchMode {
    static var name: String { get }
    static var usage: String { get }
    static func run(_ args: BenchArguments) throws
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
}

/// `--key value` options; every key must be consumed by the mode, so typos are errors.
struct BenchArguments {
    private var values: [String: String] = [:]

    init(_ args: [String]) throws {
        var i = 0
        while i < args.count {
            let key = args[i]
            guard key.hasPrefix("--"), i + 1 < args.count else {
                throw BenchError(description: "expected --option value, got '\(key)'")
            }
            values[String(key.dropFirst(2))] = args[i + 1]
            i += 2
        }
    }

    mutating func string(_ key: String) -> String? { values.removeValue(forKey: key) }

    mutating func int(_ key: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let s = values.removeValue(forKey: key) else { return value }
        guard let v = Int(s), range.contains(v) else {
            throw BenchError(description: "--\(key) must be an integer in \(range.lowerBound)...\(range.upperBound), got '\(s)'")
        }
        return v
    }

    /// Fails on any option nobody asked for.
    func finish() throws {
        if let extra = values.keys.sorted().first { throw BenchError(description: "unknown option --\(extra)") }
    }
}

enum BenchClock {
    /// Milliseconds taken by `body` (monotonic clock).
    static func milliseconds(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
    }

    /// Wall and process-CPU milliseconds taken by `body`. CPU time counts every thread and is not
    /// inflated by other processes competing for the cores, so it is the figure to compare on a
    /// shared machine.
    static func wallAndCPU(_ body: () -> Void) -> (wall: Double, cpu: Double) {
        let cpu0 = processCPUSeconds()
        let wall = milliseconds(body)
        return (wall, (processCPUSeconds() - cpu0) * 1000)
    }

    static func processCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2])
    }

    /// Peak resident set size of this process in MiB (getrusage reports KiB on Linux).
    static func peakRSSMiB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}
