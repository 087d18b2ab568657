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

    /// Yams' `Node.int` reads YAML 1.1 base-60 integers ("48:88:8:…") and trapped on overflow;
    /// the config loader parses numbers itself (found by the yaml fuzz target, session 2).
    @Test func configWithAHugeBase60IntegerIsRejected() throws {
        let path = Self.file("yaml-sexagesimal-overflow.yaml")
        Self.expectOneLine(Self.errorText { _ = try ConfigLoader.load(path: path) }, startsWith: path,
                           mentioning: "key 'iterations' must be an integer")
        // Ordinary numbers still parse, in every spelling the docs allow.
        let ok = try ConfigLoader.parse("iterations: 0x10\nseed: +7\nlambda_dssim: .25\nfeature_lr: 2.5e-3\nopacity_lr: 1\n",
                                        file: "run.yaml", baseDirectory: "/")
        #expect(ok.iterations == 16 && ok.seed == 7 && ok.lambdaDSSIM == 0.25 && ok.featureLR == 0.0025 && ok.opacityLR == 1)
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
            "yaml": { _ = try ConfigLoader.load(path: $0) },
        ]
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.regressions).sorted()
        #expect(!names.isEmpty)
        for name in names {
            guard let prefix = name.split(separator: "-").first, let read = readers[String(prefix)] else { continue }
            let text = Self.errorText { try read(Self.file(name)) }
            #expect(text.hasPrefix(Self.file(name)) && !text.contains("\n"), "\(name): \(text)")
        }
    }

    /// Every prefix of a valid file (a cut at every byte, hence at every section boundary) is
    /// either read or rejected with a one-line error naming the file; none may crash.
    @Test(arguments: [
        ("ply/gaussians_deg1.ply", "ply"), ("ply/gaussians_deg2_be_shuffled.ply", "ply"),
        ("ply/gaussians_deg2_ascii_shuffled.ply", "ply"), ("ply/points3D.ply", "pointply"),
        ("export/expected_v3.spz", "spz"), ("export/expected_v2.spz", "spz"), ("export/expected.splat", "splat"),
        ("fuzz/checkpoint/deg1_n1.ckpt", "checkpoint"), ("fuzz/npy/warp_f32.npy", "npy"),
        ("images/rgb8.png", "png"), ("images/baseline.jpg", "jpeg"),
    ])
    func everyTruncationOfAValidFileIsHandled(fixture: String, reader: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: FixturePaths.path(fixture)))
        let dir = try FixturePaths.makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/cut." + (fixture as NSString).pathExtension
        var rejected = 0
        for cut in 0..<data.count {
            try data.prefix(cut).write(to: URL(fileURLWithPath: path))
            do {
                switch reader {
                case "ply": _ = try GaussianPLY.read(path: path)
                case "pointply": _ = try PointPLY.read(path: path)
                case "spz": _ = try SPZ.read(path: path)
                case "splat": _ = try SplatFile.read(path: path)
                case "checkpoint": _ = try Checkpoint.read(path: path)
                case "npy": _ = try NpyReader.read(path: path)
                default: _ = try ImageCodec.decode(path: path)
                }
            } catch {
                rejected += 1
                let text = "\(error)"
                #expect(text.hasPrefix(path + ": ") && !text.contains("\n"), "cut at \(cut): \(text)")
            }
        }
        // Valid prefixes exist only for .splat (whole 32-byte records) and ASCII PLY (the last
        // number cut short, e.g. "0.125" -> "0.12"); every other cut must be refused.
        if reader == "splat" {
            #expect(rejected == data.count - data.count / 32)
        } else if fixture.contains("ascii") {
            let lastToken = data.reversed().drop { $0 == 0x0A }.prefix { $0 != 0x20 }.count
            #expect(rejected == data.count - lastToken, "\(fixture)")
        } else {
            #expect(rejected == data.count, "\(fixture)")
        }
    }
}
