import Foundation
import Testing
@testable import SplatIO
import SplatCore

@Suite struct SceneImagesTests {
    static let pinhole = CameraIntrinsics(fx: 100, fy: 104, cx: 64, cy: 48, width: 128, height: 96)
    static let lens = LensDistortion(model: "OPENCV", source: pinhole, k1: -0.2, k2: 0.05, p1: 0.002, p2: -0.001)

    /// A smooth known pattern in pinhole pixel coordinates (period ~40-60 px, so bilinear
    /// resampling is accurate to a fraction of a level).
    static func pattern(_ u: Double, _ v: Double, _ c: Int) -> Double {
        127.5 + 100 * sin(u / 9 + Double(c)) * cos(v / 7 - Double(c))
    }

    /// Renders the pattern as the distorted camera sees it: for each stored pixel, invert the
    /// OpenCV model by fixed-point iteration and evaluate the pattern where the ray hits the
    /// pinhole image.
    static func distortedImage() -> Image8 {
        let k = pinhole
        var px = [UInt8](repeating: 0, count: k.width * k.height * 3)
        for j in 0..<k.height { for i in 0..<k.width {
            let xd = (Double(i) + 0.5 - k.cx) / k.fx, yd = (Double(j) + 0.5 - k.cy) / k.fy
            var x = xd, y = yd
            for _ in 0..<100 { let (dx, dy) = lens.distort(x, y); x += xd - dx; y += yd - dy }
            for c in 0..<3 { px[(j * k.width + i) * 3 + c] = UInt8(pattern(k.fx * x + k.cx, k.fy * y + k.cy, c).rounded()) }
        } }
        return Image8(width: k.width, height: k.height, channels: 3, pixels: px)
    }

    /// Mean and max absolute difference from the pinhole rendering of the pattern, over pixels
    /// whose distorted source position lies inside the stored image (no border clamping).
    static func errorVsPinhole(_ img: Image8) -> (mean: Double, max: Double) {
        let k = pinhole
        var sum = 0.0, worst = 0.0, n = 0
        for j in 0..<k.height { for i in 0..<k.width {
            let (dx, dy) = lens.distort((Double(i) + 0.5 - k.cx) / k.fx, (Double(j) + 0.5 - k.cy) / k.fy)
            let su = k.fx * dx + k.cx, sv = k.fy * dy + k.cy
            guard su > 1, sv > 1, su < Double(k.width - 1), sv < Double(k.height - 1) else { continue }
            for c in 0..<3 {
                let e = abs(Double(img.pixels[(j * k.width + i) * 3 + c]) - pattern(Double(i) + 0.5, Double(j) + 0.5, c))
                sum += e; worst = max(worst, e); n += 1
            }
        } }
        return (sum / Double(n), worst)
    }

    @Test func undistortionMatchesTheAnalyticOpenCVModel() throws {
        let dir = try FixturePaths.makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let distorted = Self.distortedImage()
        try ImageCodec.writePNG(distorted, to: dir + "/d.png")
        let camera = Camera(name: "d.png", imagePath: dir + "/d.png", intrinsics: Self.pinhole,
                            pose: CameraFromWorld(rotation: .identity, translation: .zero), distortion: Self.lens)
        let undistorted = try SceneImages.loadRGB(camera, background: .zero)
        let after = Self.errorVsPinhole(undistorted), before = Self.errorVsPinhole(distorted)
        // Rounding (0.5) + bilinear error on this pattern (~0.3): well under 2 levels.
        #expect(after.mean < 0.6 && after.max < 2.5)
        // The test can fail: the distorted image itself is far from the pinhole rendering.
        #expect(before.mean > 10)
    }

    @Test func undistortedImageIsDownscaledAfterResampling() throws {
        let dir = try FixturePaths.makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ImageCodec.writePNG(Self.distortedImage(), to: dir + "/d.png")
        let full = Camera(name: "d.png", imagePath: dir + "/d.png", intrinsics: Self.pinhole,
                          pose: CameraFromWorld(rotation: .identity, translation: .zero), distortion: Self.lens)
        let half = try SceneImages.loadRGB(full.downscaled(by: 2), background: .zero)
        let expected = ImageOps.downscaleArea(try SceneImages.loadRGB(full, background: .zero), by: 2)
        #expect(half == expected && half.width == 64 && half.height == 48)
    }

    /// The whole path: an OPENCV camera in a COLMAP text model and in a transforms.json, with
    /// the synthetic distorted image, loads as a pinhole camera whose image matches the pattern.
    @Test func distortedScenesLoadUndistortedImages() throws {
        let dir = try FixturePaths.makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir + "/images", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: dir + "/sparse/0", withIntermediateDirectories: true)
        try ImageCodec.writePNG(Self.distortedImage(), to: dir + "/images/d.png")
        let k = Self.pinhole, l = Self.lens
        try "1 OPENCV 128 96 \(k.fx) \(k.fy) \(k.cx) \(k.cy) \(l.k1) \(l.k2) \(l.p1) \(l.p2)\n"
            .write(toFile: dir + "/sparse/0/cameras.txt", atomically: true, encoding: .utf8)
        try "1 1 0 0 0 0 0 0 1 d.png\n\n".write(toFile: dir + "/sparse/0/images.txt", atomically: true, encoding: .utf8)
        try "".write(toFile: dir + "/sparse/0/points3D.txt", atomically: true, encoding: .utf8)
        let colmap = try SceneLoader.load(dir)
        #expect(colmap.sourceCameraModels == ["OPENCV"] && colmap.cameras[0].intrinsics == k)
        let a = Self.errorVsPinhole(try SceneImages.loadRGB(colmap.cameras[0], background: .zero))
        #expect(a.mean < 0.6 && a.max < 2.5)

        let json = """
            {"camera_model": "OPENCV", "fl_x": \(k.fx), "fl_y": \(k.fy), "cx": \(k.cx), "cy": \(k.cy), "w": 128, "h": 96,
             "k1": \(l.k1), "k2": \(l.k2), "p1": \(l.p1), "p2": \(l.p2),
             "frames": [{"file_path": "images/d.png", "transform_matrix": [[1,0,0,0],[0,1,0,0],[0,0,1,0],[0,0,0,1]]}]}
            """
        try json.write(toFile: dir + "/transforms.json", atomically: true, encoding: .utf8)
        let nerf = try SceneLoader.load(dir + "/transforms.json")
        #expect(nerf.cameras[0].distortion?.k1 == l.k1 && nerf.cameras[0].intrinsics == k)
        let b = Self.errorVsPinhole(try SceneImages.loadRGB(nerf.cameras[0], background: .zero))
        #expect(b.mean < 0.6 && b.max < 2.5)
    }

    @Test func colmapDownscaleUsesImagesNWhenPresent() throws {
        let dir = try FixturePaths.makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fm = FileManager.default
        let tiny = FixturePaths.path("colmap_tiny")
        try fm.createSymbolicLink(atPath: dir + "/sparse", withDestinationPath: tiny + "/sparse")
        try fm.createSymbolicLink(atPath: dir + "/images", withDestinationPath: tiny + "/images")
        var options = SceneLoadOptions()
        options.downscale = 2
        // Without images_2: full images, reduced on load.
        let onLoad = try SceneLoader.load(dir, options: options)
        #expect(onLoad.cameras.allSatisfy { $0.imageDownscale == 2 && $0.width == 100 && $0.imagePath!.contains("/images/") })
        let reduced = try SceneImages.loadRGB(onLoad.cameras[0], background: .zero)
        // With images_2 (written as PNG under .jpg names: the format comes from the bytes).
        try fm.createDirectory(atPath: dir + "/images_2", withIntermediateDirectories: false)
        for c in onLoad.cameras {
            try ImageCodec.writePNG(try SceneImages.loadRGB(c, background: .zero), to: dir + "/images_2/" + c.name)
        }
        let ready = try SceneLoader.load(dir, options: options)
        #expect(ready.cameras.allSatisfy { $0.imageDownscale == 1 && $0.width == 100 && $0.imagePath!.contains("/images_2/") })
        #expect(zip(ready.cameras, onLoad.cameras).allSatisfy { $0.intrinsics == $1.intrinsics })
        #expect(try SceneImages.loadRGB(ready.cameras[0], background: .zero) == reduced)
    }

    @Test func imageOfTheWrongSizeIsAnError() throws {
        let path = FixturePaths.path("colmap_tiny/images/1.jpg")
        let camera = Camera(name: "1.jpg", imagePath: path, intrinsics: CameraIntrinsics(fx: 1, fy: 1, cx: 50, cy: 50, width: 100, height: 100),
                            pose: CameraFromWorld(rotation: .identity, translation: .zero))
        #expect(throws: InputError(path, "image is 200x150 but the camera expects 100x100")) {
            _ = try SceneImages.loadRGB(camera, background: .zero)
        }
    }

    @Test func exampleImagesLoadAtTheirCameraSize() throws {
        let s = try SceneLoader.load(FixturePaths.path("example"))
        for c in s.cameras.prefix(3) {
            let img = try SceneImages.loadRGB(c, background: s.background)
            #expect(img.width == 200 && img.height == 150 && img.channels == 3)
        }
    }
}
