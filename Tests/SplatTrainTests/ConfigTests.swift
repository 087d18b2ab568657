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

    @Test func effectiveYAMLRoundTrips() throws {
        var c = TrainConfig()
        c.scene = "/a b/scene"; c.output = "/o"; c.iterations = 12; c.whiteBackground = false; c.lambdaDSSIM = 0.25
        let back = try ConfigLoader.parse(c.yaml(), file: "config.yaml", baseDirectory: "/")
        #expect(back == c)
        #expect(try ConfigLoader.parse(TrainConfig().yaml(), file: "c", baseDirectory: "/").whiteBackground == nil)
    }
}
