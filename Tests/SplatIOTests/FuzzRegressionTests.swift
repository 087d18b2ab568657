import Foundation
import SplatCore
import SplatInit
import SplatIO
import SplatTrain
import Testing

/// Inputs found by scripts/fuzz.sh that crashed a reader (Fixtures/fuzz/regressions/, named
/// `<fuzz target>-<what>.<ext>`). Each must now give a clear one-line error instead.
@Suite struct FuzzRegressionTests {
    static let regressions = FixturePaths.path("fuzz/regressions")

    static func file(_ name: String) -> String { regressions + "/" + name }

    /// Runs `read` and returns the error's description; records an issue if nothing was thrown.
    static func errorText(_ read: () throws -> Void) -> String {
        do { try read() } catch { return "\(error)" }
        Issue.record("the reader accepted a corrupt input")
        return ""
    }

    static func expectOneLine(_ text: String, startsWith path: String, mentioning needle: String) {
        #expect(text.hasPrefix(path + ": "), "\(text)")
        #expect(!text.contains("\n"), "\(text)")
        #expect(text.contains(needle), "\(text)")
    }

    /// Steps and view counts are u64 in the file; 2^63 and above used to trap in Int(_:).
    @Test func checkpointWithAStepBeyondIntMaxIsRejected() throws {
        let path = Self.file("checkpoint-huge-step.ckpt")
        Self.expectOneLine(Self.errorText { _ = try Checkpoint.read(path: path) }, startsWith: path, mentioning: "out of range")
    }

    /// Every regression file, through the reader its name says, throws (never traps).
    @Test func everyRegressionInputIsRejectedByItsReader() throws {
        let readers: [String: (String) throws -> Void] = [
            "checkpoint": { _ = try Checkpoint.read(path: $0) },
            "ply": { _ = try GaussianPLY.read(path: $0) },
            "pointply": { _ = try PointPLY.read(path: $0) },
            "spz": { _ = try SPZ.read(path: $0) },
            "splat": { _ = try SplatFile.read(path: $0) },
            "npy": { _ = try NpyReader.read(path: $0) },
            "png": { _ = try ImageCodec.decode(path: $0) },
            "jpeg": { _ = try ImageCodec.decode(path: $0) },
        ]
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.regressions).sorted()
        #expect(!names.isEmpty)
        for name in names {
            guard let prefix = name.split(separator: "-").first, let read = readers[String(prefix)] else { continue }
            let text = Self.errorText { try read(Self.file(name)) }
            #expect(text.hasPrefix(Self.file(name)) && !text.contains("\n"), "\(name): \(text)")
        }
    }
}
