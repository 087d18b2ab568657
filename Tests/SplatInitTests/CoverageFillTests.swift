import Foundation
import SplatCore
import Testing
@testable import SplatInit

@Suite struct CoverageFillTests {
    /// A camera looking at a plane at depth 4 that only its left half sees with kept points
    /// (say, the right half is a textureless wall of the same plane): every right-half cell gets
    /// one seed on its centre ray at depth 4, with the cell's colour, and known cells get none.
    @Test func uncoveredCellsGetSeedsOnTheirRayAtTheNearestKnownDepth() {
        let k = CameraIntrinsics(fx: 80, fy: 80, cx: 32, cy: 24, width: 64, height: 48)
        let camera = Camera(name: "ref", imagePath: nil, intrinsics: k,
                            pose: CameraFromWorld(worldFromCameraRotation: .identity, center: SIMD3(1, -2, 0.5)))
        var pixels = [UInt8](repeating: 0, count: 64 * 48 * 3)
        for y in 0..<48 { for x in 32..<64 { pixels[(y * 64 + x) * 3] = 200; pixels[(y * 64 + x) * 3 + 2] = 50 } }
        let image = Image8(width: 64, height: 48, channels: 3, pixels: pixels)
        // Kept points on the left half, every 2 px, on the plane z_camera = 4.
        var kept = [(pixel: SIMD2<Float>, position: SIMD3<Double>)]()
        for y in stride(from: 1, to: 48, by: 2) { for x in stride(from: 1, to: 32, by: 2) {
            let u = Double(x) + 0.5, v = Double(y) + 0.5
            let inCamera = SIMD3(4 * (u - 32) / 80, 4 * (v - 24) / 80, 4.0)
            kept.append((SIMD2(Float(u), Float(v)), inCamera + camera.center))
        } }
        let seeds = CoverageFill.seeds(camera: camera, image: image, kept: kept, cellsAlongLongSide: 8)
        // 8 px cells: 8 x 6 grid, the right 4 columns unknown.
        #expect(seeds.count == 4 * 6)
        for s in seeds {
            let p = camera.pose.apply(s.position)
            #expect(abs(p.z - 4) < 1e-9)
            let pixel = camera.project(s.position)!
            // On a cell centre of the right half: x = 36, 44, 52, 60; y = 4, 12, ..., 44.
            func onCentre(_ p: Double) -> Bool { abs(((p - 4) / 8).rounded() * 8 - (p - 4)) < 1e-6 }
            #expect(pixel.x > 32 && onCentre(pixel.x) && onCentre(pixel.y))
            #expect(abs(s.colour.x - 200 / 255) < 1e-6 && s.colour.y == 0 && abs(s.colour.z - 50 / 255) < 1e-6)
            #expect(s.scalePixels == 4)   // half an 8 px cell
        }
        // Through the builder, a seed is half a cell wide in the world: 4 px at depth 4, f = 80 → 0.2
        // (measured from the camera centre, which is a little more than depth 4 off-axis).
        var builder = GaussianBuilder(shDegree: 0, scalingFactor: 0.001)
        for s in seeds { builder.add(position: s.position, colour: s.colour, camera: camera, scalePixels: s.scalePixels) }
        let cloud = builder.makeCloud(initialScale: .nearestNeighbors, threadCount: 1)
        for (i, s) in seeds.enumerated() {
            let expected = 4 * (s.position - camera.center).length / 80
            #expect(abs(Double(expf(cloud.logScales[i * 3])) - expected) < 1e-5 * expected)
        }
    }

    @Test func nothingIsFilledWithoutKnownCells() {
        let k = CameraIntrinsics(fx: 80, fy: 80, cx: 32, cy: 24, width: 64, height: 48)
        let camera = Camera(name: "ref", imagePath: nil, intrinsics: k, pose: CameraFromWorld(worldFromCameraRotation: .identity, center: .zero))
        let image = Image8(width: 64, height: 48, channels: 3, pixels: [UInt8](repeating: 9, count: 64 * 48 * 3))
        #expect(CoverageFill.seeds(camera: camera, image: image, kept: [], cellsAlongLongSide: 8).isEmpty)
    }
}
