import Foundation
import Testing
import SplatCore
@testable import SplatIO

/// The downscaled camera must describe the downscaled pixels exactly: a bright spot drawn at a
/// known full-resolution position must appear, after `ImageOps.downscaleArea`, where the
/// downscaled intrinsics project the 3D point behind it. Sizes are chosen so that the factor
/// does not divide them (the case ⌊W/f⌋/W scaling got wrong by up to half an output pixel).
@Suite struct DownscaleIntrinsicsTests {
    /// A W x H image that is black except for the white square of pixels [x0, x1) x [y0, y1).
    static func square(width: Int, height: Int, x: Range<Int>, y: Range<Int>) -> Image8 {
        var px = [UInt8](repeating: 0, count: width * height * 3)
        for j in y { for i in x { for k in 0..<3 { px[(j * width + i) * 3 + k] = 255 } } }
        return Image8(width: width, height: height, channels: 3, pixels: px)
    }

    /// Intensity-weighted centroid in pixel-centre coordinates.
    static func centroid(_ im: Image8) -> SIMD2<Double> {
        var s = 0.0, sx = 0.0, sy = 0.0
        for y in 0..<im.height { for x in 0..<im.width {
            let v = Double(im.pixels[(y * im.width + x) * 3])
            s += v; sx += v * (Double(x) + 0.5); sy += v * (Double(y) + 0.5)
        } }
        return SIMD2(sx / s, sy / s)
    }

    @Test(arguments: [(101, 77, 3), (800, 600, 3), (798, 531, 4), (641, 479, 2), (130, 97, 5)])
    func spotLandsWhereTheDownscaledCameraProjectsIt(width: Int, height: Int, factor: Int) throws {
        let full = Camera(name: "a", imagePath: nil,
                          intrinsics: CameraIntrinsics(fx: 0.9 * Double(width), fy: 0.9 * Double(width),
                                                       cx: Double(width) / 2 + 3.25, cy: Double(height) / 2 - 1.5,
                                                       width: width, height: height),
                          pose: CameraFromWorld(quaternion: Quaternion(w: 1, x: 0, y: 0, z: 0), translation: .zero))
        let small = full.downscaled(by: factor)
        #expect(small.width == width / factor && small.height == height / factor)
        #expect(small.imageDownscale == factor)
        // A white square of whole f x f blocks (bx-1 ... bx+1): its centroid is (bx + 0.5)·f at
        // full resolution and bx + 0.5 after downscaling, wherever the partial blocks fall.
        for (bx, by) in [(1, 1), (width / factor - 2, height / factor - 2), (width / factor / 2, 2)] {
            let image = Self.square(width: width, height: height,
                                    x: ((bx - 1) * factor)..<((bx + 2) * factor), y: ((by - 1) * factor)..<((by + 2) * factor))
            let centre = Self.centroid(image)
            let down = ImageOps.downscaleArea(image, by: factor)
            #expect(down.width == small.width && down.height == small.height)
            // The 3D point that projects to `centre` in the full camera, at depth 2.
            let k = full.intrinsics
            let point = SIMD3<Double>((centre.x - k.cx) / k.fx * 2, (centre.y - k.cy) / k.fy * 2, 2)
            let projected = try #require(small.project(point))
            let seen = Self.centroid(down)
            #expect(abs(projected.x - seen.x) < 1e-6 && abs(projected.y - seen.y) < 1e-6,
                    "\(width)x\(height)/\(factor): projected \(projected), seen \(seen)")
        }
    }

    @Test func imageSmallerThanTheFactorBecomesOnePixelCoveringIt() {
        let k = CameraIntrinsics(fx: 10, fy: 10, cx: 1.5, cy: 4, width: 3, height: 8).downscaled(by: 4)
        #expect(k.width == 1 && k.height == 2)
        #expect(k.cx == 0.5 && k.fx == 10.0 / 3 && k.cy == 1 && k.fy == 2.5)
    }

    /// Both loaders with a factor that divides neither fixture size exactly.
    @Test func loadersDivideIntrinsicsExactly() throws {
        for path in ["colmap_tiny", "nerf_blender", "nerf_ngp"] {
            let full = try SceneLoader.load(FixturePaths.path(path), options: .init())
            var o = SceneLoadOptions(); o.downscale = 3
            let small = try SceneLoader.load(FixturePaths.path(path), options: o)
            for (a, b) in zip(full.cameras, small.cameras) {
                let f = Double(min(3, a.width)), g = Double(min(3, a.height))
                #expect(b.intrinsics.fx == a.intrinsics.fx / f && b.intrinsics.cx == a.intrinsics.cx / f)
                #expect(b.intrinsics.fy == a.intrinsics.fy / g && b.intrinsics.cy == a.intrinsics.cy / g)
                #expect(b.width == a.width / 3 && b.height == a.height / 3)
            }
        }
    }
}
