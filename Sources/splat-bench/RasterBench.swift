import Foundation
import SplatCore
import SplatRender

/// `splat-bench raster`: forward and backward time of the rasterizer on one view.
enum RasterBench: BenchMode {
    static let name = "raster"
    static let usage = "[--gaussians N (300000)] [--width W (800) --height H (600)] [--iterations K (5)] [--threads T] [--sh-degree D (3)]"

    static func run(_ args: BenchArguments) throws {
        var args = args
        let count = try args.int("gaussians", default: 300_000, range: 1...50_000_000)
        let width = try args.int("width", default: 800, range: 16...16384)
        let height = try args.int("height", default: 600, range: 16...16384)
        let iterations = try args.int("iterations", default: 5, range: 1...1000)
        let threads = try args.int("threads", default: ProcessInfo.processInfo.activeProcessorCount, range: 1...256)
        let degree = try args.int("sh-degree", default: 3, range: 0...3)
        try args.finish()

        let cloud = SyntheticScene.cloud(count: count)
        let camera = SyntheticScene.camera(width: width, height: height)
        let settings = RenderSettings(background: .zero, shDegree: degree)
        let rasterizer = Rasterizer(threadCount: threads)
        // An L1-like image gradient: ±1/(3HW), fixed pattern.
        let pixels = width * height * 3
        let dLdImage = (0..<pixels).map { i -> Float in (i &* 2_654_435_761) & 0x100 == 0 ? 1 / Float(pixels) : -1 / Float(pixels) }
        var gradients = GaussianGradients(like: cloud)

        var result = rasterizer.forward(cloud, camera: camera, settings: settings)   // warm-up
        dLdImage.withUnsafeBufferPointer { rasterizer.backward(cloud, camera: camera, settings: settings, dLdImage: $0, into: &gradients) }
        var forwardMs: [Double] = [], backwardMs: [Double] = [], forwardCPU: [Double] = [], backwardCPU: [Double] = []
        for _ in 0..<iterations {
            let f = BenchClock.wallAndCPU { result = rasterizer.forward(cloud, camera: camera, settings: settings) }
            let b = BenchClock.wallAndCPU {
                dLdImage.withUnsafeBufferPointer {
                    rasterizer.backward(cloud, camera: camera, settings: settings, dLdImage: $0, into: &gradients)
                }
            }
            forwardMs.append(f.wall); forwardCPU.append(f.cpu)
            backwardMs.append(b.wall); backwardCPU.append(b.cpu)
        }
        let tiles = ((width + 15) / 16) * ((height + 15) / 16)
        print("mode                raster (synthetic scene, SH degree \(degree))")
        print("image               \(width)x\(height), \(tiles) tiles")
        print("gaussians           \(count)")
        print("visible             \(result.visibleCount)")
        print("tile-gaussian pairs \(result.tileGaussianPairs) (\(result.tileGaussianPairs / max(tiles, 1)) per tile)")
        print("non-finite skipped  \(result.nonFiniteSkipped)")
        print(String(format: "forward ms          %.1f (median of %d; min %.1f)", BenchClock.median(forwardMs), iterations, forwardMs.min()!))
        print(String(format: "backward ms         %.1f (median of %d; min %.1f)", BenchClock.median(backwardMs), iterations, backwardMs.min()!))
        print(String(format: "forward CPU ms      %.1f (all threads; median)", BenchClock.median(forwardCPU)))
        print(String(format: "backward CPU ms     %.1f (all threads; median)", BenchClock.median(backwardCPU)))
        print("threads             \(threads)")
        print(String(format: "peak RSS MiB        %.0f", BenchClock.peakRSSMiB()))
    }
}
