import Foundation
import SplatCore
import Testing
@testable import SplatIO

/// A copy of colmap_tiny (sparse linked, images copied) to add masks/ or images_N/ to.
func tinySceneCopy() throws -> String {
    let dir = try FixturePaths.makeTempDir()
    let fm = FileManager.default
    try fm.createSymbolicLink(atPath: dir + "/sparse", withDestinationPath: FixturePaths.path("colmap_tiny/sparse"))
    try fm.copyItem(atPath: FixturePaths.path("colmap_tiny/images"), toPath: dir + "/images")
    return dir
}

@Suite struct SceneMasksTests {
    @Test func masksFolderIsFoundByNameStemOrAppendedPNG() throws {
        let dir = try tinySceneCopy()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/masks", withIntermediateDirectories: true)
        let scene = try SceneLoader.load(dir)
        #expect(SceneMasks.folder(of: scene) == dir + "/masks")
        // 1.jpg → masks/1.png (stem), 2.jpg → masks/2.jpg.png (COLMAP's), 3.jpg: none.
        let half = Image8(width: 200, height: 150, channels: 1, pixels: (0..<(200 * 150)).map { $0 % 200 < 100 ? 0 : 255 })
        try ImageCodec.writePNG(half, to: dir + "/masks/1.png")
        try ImageCodec.writePNG(half, to: dir + "/masks/2.jpg.png")
        let c = scene.cameras
        #expect(SceneMasks.maskPath(for: c[0], in: dir + "/masks") == dir + "/masks/1.png")
        #expect(SceneMasks.maskPath(for: c[1], in: dir + "/masks") == dir + "/masks/2.jpg.png")
        #expect(SceneMasks.maskPath(for: c[2], in: dir + "/masks") == nil)
        #expect(try SceneMasks.load(path: dir + "/masks/1.png", camera: c[0]) == half)
        // At --downscale 2 the full-size mask is area-averaged like its image.
        let small = try SceneLoader.load(dir, options: { var o = SceneLoadOptions(); o.downscale = 2; return o }())
        let m = try SceneMasks.load(path: dir + "/masks/1.png", camera: small.cameras[0])
        #expect(m.width == 100 && m.height == 75 && m.pixels[0] == 0 && m.pixels[99] == 255)
        // A mask of the wrong size is a one-line error naming the file.
        try ImageCodec.writePNG(Image8(width: 30, height: 30, channels: 1), to: dir + "/masks/4.png")
        let e = #expect(throws: InputError.self) { try SceneMasks.load(path: dir + "/masks/4.png", camera: c[3]) }
        #expect(e?.description.hasPrefix(dir + "/masks/4.png: mask is 30x30") == true)
    }

    @Test func alphaChannelOfRGBAImagesIsTheMask() throws {
        let scene = try SceneLoader.load(FixturePaths.path("nerf_blender"))
        let camera = scene.cameras[0]
        let alpha = try #require(try SceneMasks.alpha(of: camera))
        let rgba = try ImageCodec.decode(path: camera.imagePath!)
        #expect(alpha.pixels == stride(from: 3, to: rgba.pixels.count, by: 4).map { rgba.pixels[$0] })
        #expect(alpha.pixels.contains(0) && alpha.pixels.contains(255))
        #expect(try SceneMasks.alpha(of: try SceneLoader.load(FixturePaths.path("colmap_tiny")).cameras[0]) == nil)
    }
}

@Suite struct HoldoutAndMaxResolutionTests {
    @Test func withoutHoldoutEveryViewTrains() throws {
        var o = SceneLoadOptions()
        o.holdout = false
        for name in ["colmap_tiny", "nerf_blender"] {
            let held = try SceneLoader.load(FixturePaths.path(name))
            #expect(!held.testIndices.isEmpty)
            let all = try SceneLoader.load(FixturePaths.path(name), options: o)
            #expect(all.testIndices.isEmpty && all.trainIndices == Array(all.cameras.indices))
        }
    }

    @Test func largeImagesAreDownscaledByTheSmallestFactorThatFits() throws {
        let path = FixturePaths.path("colmap_tiny")  // 200x150
        let (same, none) = try SceneLoader.load(path, options: .init(), maxResolution: 200)
        #expect(none == nil && same.cameras[0].width == 200)
        let (capped, notice) = try SceneLoader.load(path, options: .init(), maxResolution: 90)
        #expect(capped.cameras.allSatisfy { $0.width == 66 && $0.height == 50 && $0.imageDownscale == 3 })
        #expect(notice == "images up to 200x150 exceed max_resolution 90: downscaling by 3 to 66x50 (max_resolution: 0 or --max-resolution 0 keeps the full size)")
        #expect(capped.cameras == (try SceneLoader.load(path, options: { var o = SceneLoadOptions(); o.downscale = 3; return o }())).cameras)
        // With --downscale 2 (100x75) the limit multiplies it: 2 × 2 = 4.
        var o = SceneLoadOptions()
        o.downscale = 2
        let (both, _) = try SceneLoader.load(path, options: o, maxResolution: 90)
        #expect(both.cameras[0].width == 50 && both.cameras[0].imageDownscale == 4)
        #expect(try SceneLoader.load(path, options: .init(), maxResolution: 0).notice == nil)
    }

    @Test func anImagesNFolderIsUsedForTheCappedFactor() throws {
        let dir = try tinySceneCopy()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/images_2", withIntermediateDirectories: true)
        for n in 1...4 {
            let full = try ImageCodec.decode(path: dir + "/images/\(n).jpg")
            try ImageCodec.writePNG(ImageOps.downscaleArea(full, by: 2), to: dir + "/images_2/\(n).jpg")
        }
        let (scene, notice) = try SceneLoader.load(dir, options: .init(), maxResolution: 150)
        #expect(notice?.contains("downscaling by 2 to 100x75") == true)
        #expect(scene.cameras.allSatisfy { $0.imagePath!.hasPrefix(dir + "/images_2/") && $0.imageDownscale == 1 && $0.width == 100 })
    }
}
