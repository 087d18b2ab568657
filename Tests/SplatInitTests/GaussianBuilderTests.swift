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
                        refPixel: SIMD2(50, 50), image: image, camera: camera)
        }
        // ... and one point 20 units away from it, at distance 25 from the camera.
        builder.add(position: SIMD3(0, 0, 25), refPixel: SIMD2(50, 50), image: image, camera: camera)
        let cloud = builder.makeCloud(initialScale: .nearestNeighbors, threadCount: 1)
        // Grid corner (0,0): nearest at 0.01, 0.01, 0.01·√2 → √((1 + 1 + 2)/3)·0.01.
        #expect(abs(expf(cloud.logScales[0]) - (4.0 / 3.0).squareRoot() * 0.01) < 1e-5)
        #expect(expf(cloud.logScales[1]) == expf(cloud.logScales[2]))
        // The outlier: 10 pixels at distance 25 = 10 · 25 / 500 = 0.5 (uncapped it would be ≈ 20).
        #expect(abs(expf(cloud.logScales[100 * 3]) - 0.5) < 1e-4)
    }
}
