import Foundation

/// `splat-fuzz` has two builds:
/// - scripts/fuzz.sh builds it with `-sanitize=fuzzer,address -DSPLAT_LIBFUZZER`; `main` then
///   hands control to libFuzzer, which calls `fuzzOneInput` for every input of the target named
///   by $SPLAT_FUZZ_TARGET.
/// - the normal build is a reproducer: `splat-fuzz <target> <file>...` runs the target on each
///   file and prints what the reader said, so a crash found by the fuzzer can be replayed in a
///   debugger or a plain build.
nonisolated(unsafe) var activeTarget: FuzzTarget?
nonisolated(unsafe) var activeWorkspace: FuzzWorkspace?

/// The repository's Fixtures folder: $SPLAT_FIXTURES, else found from this source file.
func fixturesDirectory() -> String {
    if let env = ProcessInfo.processInfo.environment["SPLAT_FIXTURES"] { return env }
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures").path
}

/// Runs the active target on one input. Thrown errors are the expected outcome for bad input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    guard let target = activeTarget, let ws = activeWorkspace else { return 0 }
    let data = bytes.map { Data(bytes: $0, count: count) } ?? Data()
    _ = try? target.run(data, ws)
    return 0
}

func usage() -> String {
    "usage: splat-fuzz <target> <file>...   (targets: \(FuzzTargets.all.map(\.name).joined(separator: ", ")))"
}

#if SPLAT_LIBFUZZER
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32
#endif

@main
struct FuzzMain {
    static func main() {
        #if SPLAT_LIBFUZZER
        let name = ProcessInfo.processInfo.environment["SPLAT_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTargets.named(name) else {
            FileHandle.standardError.write(Data("splat-fuzz: set SPLAT_FUZZ_TARGET; \(usage())\n".utf8))
            exit(2)
        }
        activeTarget = target
        activeWorkspace = open()
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        let status = LLVMFuzzerRunDriver(&argc, &argv) { fuzzOneInput($0, $1) }
        activeWorkspace?.remove()
        exit(status)
        #else
        let args = CommandLine.arguments.dropFirst()
        guard let name = args.first, let target = FuzzTargets.named(name), args.count >= 2 else {
            print(usage()); exit(2)
        }
        let ws = open()
        defer { ws.remove() }
        for file in args.dropFirst() {
            guard let data = FileManager.default.contents(atPath: file) else { print("\(file): cannot read"); continue }
            do { try target.run(data, ws); print("\(file): accepted") } catch { print("\(file): rejected: \(error)") }
        }
        #endif
    }

    static func open() -> FuzzWorkspace {
        do { return try FuzzWorkspace(fixtures: fixturesDirectory()) } catch {
            FileHandle.standardError.write(Data("splat-fuzz: cannot prepare a scratch directory: \(error)\n".utf8))
            exit(2)
        }
    }
}
