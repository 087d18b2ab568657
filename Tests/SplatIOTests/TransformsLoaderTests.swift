import Foundation
import Testing
@testable import SplatIO
import SplatCore

@Suite struct TransformsLoaderTests {
    static let colmap = FixturePaths.path("colmap_tiny")

    /// Same views, converted by the fixture script from COLMAP to OpenGL camera-to-world.
    /// Foundation's JSON number parsing may differ from the exact decimal value by an ulp.
    func close(_ a: CameraIntrinsics, _ b: CameraIntrinsics) -> Bool {
        a.width == b.width && a.height == b.height
            && [a.fx - b.fx, a.fy - b.fy, a.cx - b.cx, a.cy - b.cy].allSatisfy { abs($0) < 1e-9 }
    }

    func expectSamePoses(_ a: Scene, _ b: Scene) {
        #expect(a.cameras.count == b.cameras.count)
        for (x, y) in zip(a.cameras, b.cameras) {
            #expect((x.name as NSString).lastPathComponent == y.name)
            #expect((x.center - y.center).length < 1e-9)
            for r in 0..<3 { for c in 0..<3 { #expect(abs(x.pose.rotation[r, c] - y.pose.rotation[r, c]) < 1e-9) } }
            #expect((x.pose.translation - y.pose.translation).length < 1e-9)
        }
    }

    @Test func nerfstudioSceneAgreesWithTheSameCamerasInCOLMAPForm() throws {
        let ns = try SceneLoader.load(FixturePaths.path("nerf_nerfstudio"))
        let cm = try SceneLoader.load(Self.colmap)
        #expect(ns.format == "nerfstudio" && ns.sourceCameraModels == ["OPENCV"])
        expectSamePoses(ns, cm)
        // Per-frame intrinsics reproduce each COLMAP camera.
        #expect(zip(ns.cameras, cm.cameras).allSatisfy { close($0.intrinsics, $1.intrinsics) })
        #expect(ns.testIndices == cm.testIndices && ns.background == .zero)
        // Seed points from ply_file_path (sparse_pc.ply, written from the same COLMAP points).
        #expect(ns.points == cm.points && ns.pointColors == cm.pointColors)
    }

    @Test func instantNGPSceneAgreesWithTheSameCamerasInCOLMAPForm() throws {
        let ngp = try SceneLoader.load(FixturePaths.path("nerf_ngp") + "/transforms.json")
        let cm = try SceneLoader.load(Self.colmap)
        #expect(ngp.format == "instant-ngp")
        expectSamePoses(ngp, cm)
        // instant-ngp has one set of intrinsics: the fixture used the first COLMAP camera's.
        #expect(ngp.cameras.allSatisfy { close($0.intrinsics, cm.cameras[0].intrinsics) })
        // A COLMAP sparse point lands on the same pixel through both forms of the first camera.
        let x = SIMD3<Double>(cm.points[0])
        let a = try #require(ngp.cameras[0].project(x)), b = try #require(cm.cameras[0].project(x))
        #expect(abs(a.x - b.x) < 1e-6 && abs(a.y - b.y) < 1e-6)
        // Seed points from points3d.ply beside the JSON.
        #expect(ngp.points == cm.points && ngp.pointColors == cm.pointColors && ngp.points.count == 150)
    }

    @Test func unreadableSeedPointsAreSkipped() throws {
        let dir = try FixturePaths.makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fm = FileManager.default
        try fm.createSymbolicLink(atPath: dir + "/images", withDestinationPath: FixturePaths.path("nerf_ngp/images"))
        try fm.copyItem(atPath: FixturePaths.path("nerf_ngp/transforms.json"), toPath: dir + "/transforms.json")
        try Data("ply\nnot really\n".utf8).write(to: URL(fileURLWithPath: dir + "/points3d.ply"))
        let s = try SceneLoader.load(dir)
        #expect(s.cameras.count == 4 && s.points.isEmpty)
    }

    @Test func blenderSceneUsesItsOwnSplitWhiteBackgroundAndCameraAngle() throws {
        let s = try SceneLoader.load(FixturePaths.path("nerf_blender"))
        #expect(s.format == "blender")
        #expect(s.cameras.map(\.name) == ["test/r_0.png", "train/r_0.png", "train/r_1.png"])
        #expect(s.testIndices == [0] && s.trainIndices == [1, 2])
        #expect(s.background == SIMD3<Float>(1, 1, 1))
        let k = s.cameras[0].intrinsics
        #expect(k.width == 40 && k.height == 40 && k.cx == 20 && k.cy == 20)
        #expect(abs(k.fx - 20 / tan(0.5 * 0.6911112070083618)) < 1e-9 && k.fy == k.fx)
        // Corner pixels are transparent in the chair renders: composited on white.
        let img = try SceneImages.loadRGB(s.cameras[1], background: s.background)
        #expect(img.channels == 3 && Array(img.pixels[0..<3]) == [255, 255, 255])
        let black = try SceneImages.loadRGB(s.cameras[1], background: .zero)
        #expect(Array(black.pixels[0..<3]) == [0, 0, 0])
    }

    /// OpenGL to OpenCV: the camera looks along -Z of its matrix, so a point straight ahead of the
    /// camera in the JSON (centre - 2 * third column) must project to the principal point.
    @Test func openGLPosesLookAlongMinusZ() throws {
        let s = try SceneLoader.load(FixturePaths.path("nerf_blender"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: FixturePaths.path("nerf_blender/transforms_test.json")))) as! [String: Any]
        let m = ((json["frames"] as! [[String: Any]])[0]["transform_matrix"] as! [[Double]])
        let centre = SIMD3(m[0][3], m[1][3], m[2][3]), back = SIMD3(m[0][2], m[1][2], m[2][2])
        let up = SIMD3(m[0][1], m[1][1], m[2][1])
        let cam = s.cameras[0]
        let p = try #require(cam.project(centre - 2 * back))
        // The stored matrix is float32-rounded and re-orthonormalised on load: allow 1e-4 px.
        #expect(abs(p.x - 20) < 1e-4 && abs(p.y - 20) < 1e-4)
        // +Y up in OpenGL is towards smaller row numbers.
        #expect(try #require(cam.project(centre - 2 * back + 0.1 * up)).y < 20)
    }

    @Test func backgroundOptionOverridesTheDatasetDefault() throws {
        var o = SceneLoadOptions()
        o.whiteBackground = false
        #expect(try SceneLoader.load(FixturePaths.path("nerf_blender"), options: o).background == .zero)
        o.whiteBackground = true
        #expect(try SceneLoader.load(Self.colmap, options: o).background == .one)
    }

    @Test func downscaleReducesIntrinsicsAndImages() throws {
        var o = SceneLoadOptions()
        o.downscale = 2
        let s = try SceneLoader.load(FixturePaths.path("nerf_ngp"), options: o)
        #expect(s.cameras.allSatisfy { $0.width == 100 && $0.height == 75 && $0.imageDownscale == 2 })
        let img = try SceneImages.loadRGB(s.cameras[0], background: .zero)
        #expect(img.width == 100 && img.height == 75)
    }

    @Test func imageSizeComesFromTheHeaderWhenWAndHAreAbsent() throws {
        let dir = try FixturePaths.makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createSymbolicLink(atPath: dir + "/images", withDestinationPath: FixturePaths.path("nerf_ngp/images"))
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: FixturePaths.path("nerf_ngp/transforms.json")))) as! [String: Any]
        json["w"] = nil; json["h"] = nil; json["cx"] = nil; json["cy"] = nil
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: dir + "/transforms.json"))
        let s = try SceneLoader.load(dir)
        #expect(s.cameras.allSatisfy { $0.width == 200 && $0.height == 150 && $0.intrinsics.cx == 100 && $0.intrinsics.cy == 75 })
    }

    @Test func folderWithoutASceneListsWhatWasLookedFor() throws {
        let dir = try FixturePaths.makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(throws: InputError(dir, "no scene found: looked for sparse/0 or sparse/ (COLMAP) and transforms.json or transforms_train.json (NeRF)")) {
            _ = try SceneLoader.load(dir)
        }
    }
}
