import Foundation
import SplatCore
import Testing
@testable import SplatInit

@Suite struct CorrespondenceFilesTests {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func tempDir() throws -> String {
        let p = FileManager.default.temporaryDirectory.appendingPathComponent("splat-init-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
        return p
    }

    /// The scene JSON scripts/make_correspondences.py reads.
    static func sceneJSON(_ cams: [Camera], pairs: [(Int, Int)]) -> String {
        let cj = cams.map { c -> String in
            let r = c.pose.rotation, t = c.pose.translation
            let k = c.intrinsics
            return """
            {"name": "\(c.name)", "width": \(c.width), "height": \(c.height), "fx": \(k.fx), "fy": \(k.fy), "cx": \(k.cx), "cy": \(k.cy),
             "R": [[\(r[0, 0]), \(r[0, 1]), \(r[0, 2])], [\(r[1, 0]), \(r[1, 1]), \(r[1, 2])], [\(r[2, 0]), \(r[2, 1]), \(r[2, 2])]],
             "t": [\(t.x), \(t.y), \(t.z)]}
            """
        }
        let pj = pairs.map { "[\"\(cams[$0.0].name)\", \"\(cams[$0.1].name)\"]" }
        return "{\"cube_half\": \(SyntheticScene.cubeHalf), \"wall_z\": \(SyntheticScene.wallZ), \"cameras\": [\(cj.joined(separator: ","))], \"pairs\": [\(pj.joined(separator: ","))]}"
    }

    static func runScript(_ args: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", repoRoot.appendingPathComponent("scripts/make_correspondences.py").path] + args
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "make_correspondences.py failed (needs python3 with numpy)")
    }

    /// Writes a v1 .npy of float32 values.
    static func writeNpy(_ path: String, shape: [Int], values: [Float], descr: String = "<f4") throws {
        let dims = shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? "," : "")
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': (\(dims)), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var d = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xff), UInt8(header.utf8.count >> 8)])
        d += Data(header.utf8)
        values.withUnsafeBytes { d += Data($0) }
        try d.write(to: URL(fileURLWithPath: path))
    }

    @Test func scriptOutputLoadsToTheSameMatchesInBothFormats() throws {
        let synth = SyntheticScene(width: 48, height: 36, focal: 45, angles: [0, 8, -9])
        let scene = synth.scene()
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.sceneJSON(synth.cameras, pairs: [(0, 1), (0, 2)]).write(toFile: dir + "/scene.json", atomically: true, encoding: .utf8)
        try Self.runScript([dir + "/scene.json", dir + "/dense", "--format", "dense"])
        try Self.runScript([dir + "/scene.json", dir + "/list", "--format", "list"])
        let dense = try CorrespondenceFiles.load(directory: dir + "/dense", scene: scene)
        let list = try CorrespondenceFiles.load(directory: dir + "/list", scene: scene)
        #expect(dense.count == 1 && list.count == 1)
        #expect(dense[0].reference == 0 && dense[0].pairs.map(\.neighbour) == [1, 2])
        #expect(list[0].pairs.map(\.neighbour) == [1, 2])
        #expect(dense[0].cellCount == 48 * 36 && list[0].cellCount == 48 * 36)
        for (d, l) in zip(dense[0].pairs, list[0].pairs) {
            #expect(d.certainty == l.certainty)
            #expect(d.certainty.contains { $0 == 1 } && d.certainty.contains { $0 == 0 })
            for i in 0..<d.cellCount where d.certainty[i] > 0 {
                for k in 0..<2 {
                    #expect(abs(d.refXY[i * 2 + k] - l.refXY[i * 2 + k]) < 1e-3)
                    #expect(abs(d.nbrXY[i * 2 + k] - l.nbrXY[i * 2 + k]) < 1e-3)
                }
                // And both agree with the Swift-side ground truth.
                let x = SyntheticScene.surfacePoint(synth.cameras[0], Double(d.refXY[i * 2]), Double(d.refXY[i * 2 + 1]))!
                let q = synth.cameras[d.neighbour].project(x)!
                #expect(abs(Double(d.nbrXY[i * 2]) - q.x) < 1e-3 && abs(Double(d.nbrXY[i * 2 + 1]) - q.y) < 1e-3)
            }
        }
    }

    @Test func npyReaderReadsShapeAndValuesInCOrder() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.writeNpy(dir + "/a.npy", shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let a = try NpyReader.read(path: dir + "/a.npy")
        #expect(a.shape == [2, 3] && a.values == [1, 2, 3, 4, 5, 6])
    }

    @Test func npyReaderRejectsWrongDtypeAndTruncatedData() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.writeNpy(dir + "/f8.npy", shape: [2], values: [1, 2, 3, 4], descr: "<f8")
        #expect(throws: InitError.self) { try NpyReader.read(path: dir + "/f8.npy") }
        try Self.writeNpy(dir + "/short.npy", shape: [1000, 1000], values: [1, 2])
        let e = #expect(throws: InitError.self) { try NpyReader.read(path: dir + "/short.npy") }
        #expect(e?.description.hasPrefix(dir + "/short.npy: shape [1000, 1000] needs 4000000 data bytes") == true)
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: dir + "/junk.npy"))
        #expect(throws: InitError.self) { try NpyReader.read(path: dir + "/junk.npy") }
    }

    /// Two train cameras and a manifest with one dense pair written by the test.
    func denseFixture(certainty: [Float], certaintyShape: [Int]) throws -> (String, Scene) {
        let synth = SyntheticScene(width: 8, height: 6, focal: 8, angles: [0, 8])
        let dir = try Self.tempDir()
        try Self.writeNpy(dir + "/w.npy", shape: [3, 4, 4], values: [Float](repeating: 0.1, count: 48))
        try Self.writeNpy(dir + "/c.npy", shape: certaintyShape, values: certainty)
        try "v0.png v1.png w.npy c.npy\n".write(toFile: dir + "/pairs.txt", atomically: true, encoding: .utf8)
        return (dir, synth.scene())
    }

    @Test func nanCertaintyIsAClearError() throws {
        var c = [Float](repeating: 0.5, count: 12); c[5] = .nan
        let (dir, scene) = try denseFixture(certainty: c, certaintyShape: [3, 4])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let e = #expect(throws: InitError.self) { try CorrespondenceFiles.load(directory: dir, scene: scene) }
        #expect(e?.description == dir + "/c.npy: certainty nan at cell 5 is not in [0, 1]")
    }

    @Test func certaintyShapeOtherThanTheWarpsIsAClearError() throws {
        let (dir, scene) = try denseFixture(certainty: [Float](repeating: 0.5, count: 12), certaintyShape: [4, 3])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let e = #expect(throws: InitError.self) { try CorrespondenceFiles.load(directory: dir, scene: scene) }
        #expect(e?.description.contains("does not match the warp's [3, 4]") == true)
    }

    @Test func denseWarpMapsNormalisedCoordinatesToPixels() throws {
        let (dir, scene) = try denseFixture(certainty: [Float](repeating: 0.5, count: 12), certaintyShape: [3, 4])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let m = try CorrespondenceFiles.load(directory: dir, scene: scene)
        // 0.1 in [-1, 1] is 0.55 of the width (8 px) and height (6 px).
        #expect(abs(m[0].pairs[0].refXY[0] - 4.4) < 1e-5 && abs(m[0].pairs[0].nbrXY[1] - 3.3) < 1e-5)
        #expect(m[0].pairs[0].certainty.allSatisfy { $0 == 0.5 })
    }

    @Test func manifestNamingATestViewOrUnknownImageIsRejected() throws {
        let synth = SyntheticScene(width: 8, height: 6, focal: 8, angles: [0, 8, 16])
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "1 1 1 1 1\n".write(toFile: dir + "/m.txt", atomically: true, encoding: .utf8)
        try "# header\nv1.png v0.png m.txt\n".write(toFile: dir + "/pairs.txt", atomically: true, encoding: .utf8)
        let e = #expect(throws: InitError.self) { try CorrespondenceFiles.load(directory: dir, scene: synth.scene(test: [0])) }
        #expect(e?.description == dir + "/pairs.txt:2: v0.png is a test view; only train views may be used")
        try "v1.png nope.png m.txt\n".write(toFile: dir + "/pairs.txt", atomically: true, encoding: .utf8)
        #expect(throws: InitError.self) { try CorrespondenceFiles.load(directory: dir, scene: synth.scene()) }
    }

    @Test func listPixelOutsideTheImageNamesTheLine() throws {
        let synth = SyntheticScene(width: 8, height: 6, focal: 8, angles: [0, 8])
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "1 1 2 2 0.5\n9 1 2 2 0.5\n".write(toFile: dir + "/m.txt", atomically: true, encoding: .utf8)
        try "v0.png v1.png m.txt\n".write(toFile: dir + "/pairs.txt", atomically: true, encoding: .utf8)
        let e = #expect(throws: InitError.self) { try CorrespondenceFiles.load(directory: dir, scene: synth.scene()) }
        #expect(e?.description.hasPrefix(dir + "/m.txt:2: reference pixel (9.0, 1.0) is outside") == true)
    }
}
