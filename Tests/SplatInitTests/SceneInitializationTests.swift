import Foundation
import SplatCore
import SplatInit
import SplatIO
import Testing

/// The init that `splat init` and `splat run` share: images read from the scene's files, the
/// COLMAP report carried into init.json, and exactly init.ply and init.json written.
@Suite struct SceneInitializationTests {
    @Test func writesTheInitializersCloudAndReportAndNothingElse() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("splat-scene-init-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir + "/images", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let synth = EDGSInitializerTests.synth
        var scene = synth.scene()
        for i in scene.cameras.indices {
            let path = dir + "/images/\(scene.cameras[i].name)"
            try ImageCodec.writePNG(synth.images[i], to: path)   // lossless: the same pixels as in memory
            scene.cameras[i].imagePath = path
        }
        let colmap = try JSONDecoder().decode(ColmapReport.self, from: Data("""
            {"settings": {"matcher": "exhaustive", "sharedCamera": true, "cameraModel": "PINHOLE", "maxImageSize": 96,
                          "cameraReason": "test"},
             "images": 5, "registered": 5, "leftOut": [], "meanReprojectionErrorPx": 0.5, "points": 200, "models": [5],
             "chosenModel": 0, "seconds": {}}
            """.utf8))

        let initialization = try SceneInitialization(scene: scene, options: EDGSInitializerTests.options, colmap: colmap,
                                                     progress: { _ in }, shouldStop: { false })
        let out = dir + "/out"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let ply = try initialization.write(into: out)

        #expect(ply == out + "/init.ply")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted() == ["init.json", "init.ply"])
        let direct = try EDGSInitializer.run(scene: scene, options: EDGSInitializerTests.options,
                                             loadImage: EDGSInitializerTests.loader(synth))
        #expect(try Data(contentsOf: URL(fileURLWithPath: ply)) == GaussianPLY.encode(direct.cloud))
        var written = try JSONDecoder().decode(InitReport.self, from: Data(contentsOf: URL(fileURLWithPath: out + "/init.json")))
        #expect(written.colmap == colmap)
        var expected = direct.report
        expected.colmap = colmap
        written.seconds = expected.seconds   // wall times differ between the runs
        #expect(written == expected)
    }
}
