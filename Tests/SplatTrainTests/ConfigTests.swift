import Foundation
import Testing
@testable import SplatTrain

@Suite struct ConfigTests {
    func parse(_ yaml: String) throws -> TrainConfig {
        try ConfigLoader.parse(yaml, file: "run.yaml", baseDirectory: "/data/runs")
    }

    func message(_ yaml: String) -> String {
        do { _ = try parse(yaml); return "" } catch { return "\(error)" }
    }

    @Test func emptyFileGivesDefaults() throws {
        #expect(try parse("") == TrainConfig())
    }

    @Test func keysAreParsedAndRelativePathsResolveAgainstTheFile() throws {
        let c = try parse("""
            scene: ../scenes/cup
            output: out/a
            init: random:1000
            iterations: 30
            position_lr_init: 1e-4
            feature_lr: 1
            white_background: true
            """)
        #expect(c.scene == "/data/scenes/cup" && c.output == "/data/runs/out/a")
        #expect(c.initialization == "random:1000" && c.iterations == 30)
        #expect(c.positionLRInit == 1e-4 && c.featureLR == 1 && c.whiteBackground == true)
    }

    @Test func unknownKeyNamesKeyFileAndNearestValidKey() {
        let m = message("scene: x\nposition_lr_intt: 0.1\n")
        #expect(m.hasPrefix("run.yaml: line 2: unknown key 'position_lr_intt'"))
        #expect(m.contains("did you mean 'position_lr_init'?"))
        #expect(!message("completely_unrelated_thing: 1").contains("did you mean"))
    }

    @Test func wrongTypesAndRangesAreRejectedWithTheKey() {
        #expect(message("iterations: lots") == "run.yaml: line 1: key 'iterations' must be an integer, got 'lots'")
        #expect(message("lambda_dssim: 2").contains("key 'lambda_dssim' must be a number in 0.0...1.0"))
        #expect(message("white_background: maybe").contains("key 'white_background' must be true, false or null"))
        #expect(message("sh_degree: 4").contains("sh_degree"))
        #expect(message("scene: [a, b]").contains("key 'scene' must be a path"))
        #expect(message("- a\n- b").contains("expected a mapping"))
        #expect(message("seed: 1\nseed: 2").contains("'seed'"))
    }

    @Test func aRunLengthNamedInOneUnitIsExactlyThatLength() throws {
        func parsed(_ text: String) throws -> TrainConfig { try ConfigLoader.parse(text, file: "run.yaml", baseDirectory: "/") }
        let defaults = try parsed("seed: 1")
        #expect(defaults.iterations == 20000 && defaults.timeBudget == 20 && defaults.stepLimit == 20000)
        let steps = try parsed("iterations: 500")
        #expect(steps.iterations == 500 && steps.timeBudget == 0)
        let minutes = try parsed("time_budget: 5")
        #expect(minutes.timeBudget == 5 && minutes.stepLimit == nil)
        let both = try parsed("iterations: 500\ntime_budget: 5")
        #expect(both.stepLimit == 500 && both.timeBudget == 5)
        var flags = both
        flags.setRunLength(iterations: 40, minutes: nil)
        #expect(flags.stepLimit == 40 && flags.timeBudget == 0)
        flags.setRunLength(iterations: nil, minutes: 2)
        #expect(flags.stepLimit == nil && flags.timeBudget == 2)
    }

    @Test func effectiveYAMLRoundTrips() throws {
        var c = TrainConfig()
        c.scene = "/a b/scene"; c.output = "/o"; c.iterations = 12; c.whiteBackground = false; c.lambdaDSSIM = 0.25
        c.antialiasing = true
        let back = try ConfigLoader.parse(c.yaml(), file: "config.yaml", baseDirectory: "/")
        #expect(back == c)
        #expect(c.yaml().contains("\nantialiasing: true\n") && !TrainConfig().antialiasing)
        #expect(try ConfigLoader.parse(TrainConfig().yaml(), file: "c", baseDirectory: "/").whiteBackground == nil)
    }

    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func everyKeyIsDocumentedWithItsDefault() throws {
        let doc = try String(contentsOf: Self.repoRoot.appendingPathComponent("docs/config.md"), encoding: .utf8)
        let defaults = TrainConfig().yaml()
        for key in TrainConfig.keys {
            #expect(doc.contains("| `\(key)` |"), "docs/config.md lacks \(key)")
            // The default written in the table must be the code's default.
            if let line = defaults.split(separator: "\n").first(where: { $0.hasPrefix("\(key): ") }) {
                let value = line.dropFirst(key.count + 2).replacingOccurrences(of: "\"", with: "")
                let row = doc.split(separator: "\n").first { $0.hasPrefix("| `\(key)` |") } ?? ""
                let documented = row.split(separator: "|").dropFirst().first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
                let asNumber = Double(documented.replacingOccurrences(of: "`", with: "")), codeNumber = Double(value)
                #expect(documented == "`\(value)`" || (asNumber != nil && asNumber == codeNumber), "\(key): doc \(documented) vs \(value)")
            }
        }
    }

    @Test func exampleConfigFixtureParses() throws {
        let c = try ConfigLoader.load(path: Self.repoRoot.appendingPathComponent("Fixtures/configs/example.yaml").path)
        #expect(c.iterations == 3000 && c.downscale == 2 && c.initialization == "sfm")
    }
}
