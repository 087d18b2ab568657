import Foundation
import SplatCore
import Testing
@testable import SplatInit

@Suite struct GaussianBuilderTests {
    /// Nearest-neighbour scales are 3DGS's √(mean d² to 3 nearest), except that an isolated point
    /// (a stray match) is capped at `maxScalePixels` pixels of its reference view instead of
    /// getting a scale of its distance to the rest of the cloud.
    @Test func isolatedPointsAreCappedAtTenReferencePixels() {
        let k = CameraIntrinsics(fx: 500, fy: 500, cx: 50, cy: 50, width: 100, height: 100)
        let camera = Camera(name: "ref", imagePath: nil, intrinsics: k,
                            pose: CameraFromWorld(worldFromCameraRotation: .identity, center: .zero))
        let image = Image8(width: 100, height: 100, channels: 3, pixels: [UInt8](repeating: 128, count: 30_000))
        var builder = GaussianBuilder(shDegree: 0, scalingFactor: 0.001)
        // A 10x10 grid with 0.01 spacing at depth 5 (one pixel there is 0.01 wide) ...
        for i in 0..<100 {
            builder.add(position: SIMD3(Double(i % 10) * 0.01, Double(i / 10) * 0.01, 5),
                        refPixel: SIMD2(50, 50), view: 0, image: image, camera: camera)
        }
        // ... and one point 20 units away from it, at distance 25 from the camera.
        builder.add(position: SIMD3(0, 0, 25), refPixel: SIMD2(50, 50), view: 0, image: image, camera: camera)
        let cloud = builder.makeCloud(initialScale: .nearestNeighbors, threadCount: 1)
        // Grid corner (0,0): nearest at 0.01, 0.01, 0.01·√2 → √((1 + 1 + 2)/3)·0.01.
        #expect(abs(expf(cloud.logScales[0]) - (4.0 / 3.0).squareRoot() * 0.01) < 1e-5)
        #expect(expf(cloud.logScales[1]) == expf(cloud.logScales[2]))
        // The outlier: 10 pixels at distance 25 = 10 · 25 / 500 = 0.5 (uncapped it would be ≈ 20).
        #expect(abs(expf(cloud.logScales[100 * 3]) - 0.5) < 1e-4)
    }

    /// A matched point's colour is the mean of its reference image over its footprint (a box
    /// of half-width = its size in reference pixels), not the one pixel it was sampled at.
    @Test func colourIsTheMeanOverTheFootprint() {
        let k = CameraIntrinsics(fx: 100, fy: 100, cx: 50, cy: 50, width: 100, height: 100)
        let camera = Camera(name: "ref", imagePath: nil, intrinsics: k,
                            pose: CameraFromWorld(worldFromCameraRotation: .identity, center: .zero))
        // Vertical stripes one pixel wide: red on even columns, blue on odd ones.
        var pixels = [UInt8](repeating: 0, count: 100 * 100 * 3)
        for y in 0..<100 { for x in 0..<100 { pixels[(y * 100 + x) * 3 + (x % 2 == 0 ? 0 : 2)] = 255 } }
        let image = Image8(width: 100, height: 100, channels: 3, pixels: pixels)
        var builder = GaussianBuilder(shDegree: 0, scalingFactor: 0.001)
        // A grid 0.02 apart at depth 1 (2 px): an inner point's 3 nearest are 0.02 away, so its size is 2 px → a 5x5 box.
        for i in 0..<100 {
            let (gx, gy) = (Double(i % 10) - 5, Double(i / 10) - 5)
            builder.add(position: SIMD3(gx * 0.02, gy * 0.02, 1), refPixel: SIMD2(Float(50 + 2 * gx), Float(50 + 2 * gy)) + 0.5,
                        view: 0, image: image, camera: camera)
        }
        let cloud = builder.makeCloud(initialScale: .nearestNeighbors, threadCount: 1)
        // The point at grid (5, 5) sits on pixel (50, 50), a red column; its 5x5 box has 3 red and 2 blue columns.
        let i = 55
        func rgb(_ c: Int) -> Float { cloud.shDC[i * 3 + c] * Float(SH.c0) + 0.5 }
        #expect(abs(rgb(0) - 0.6) < 1e-5 && abs(rgb(1)) < 1e-5 && abs(rgb(2) - 0.4) < 1e-5)
        // The box is the pixel alone at radius 0.
        #expect(GaussianBuilder.boxMean(image, at: SIMD2(51.5, 3), radius: 0) == SIMD3(0, 0, 1))
    }
}
