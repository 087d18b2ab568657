import Foundation
import SplatCore
import SplatIO
import SplatRender

/// `splat-bench raster`: forward and backward time of the rasterizer on one view.
enum RasterBench: BenchMode {
    static let name = "raster"
    static let usage = """
        [--ply FILE [--scene DIR --camera I]] [--gaussians N (300000)] [--width W (800) --height H (600)]
                 [--iterations K (5)] [--threads T] [--sh-degree D (3)] [--antialiasing 0|1 (0)]
                 [--save-ply FILE] [--dump FILE]
          --ply: a 3DGS PLY instead of the synthetic scene; seen from camera I (default 0) of the
                 scene at DIR, or else from a camera placed in front of the cloud looking along +Z
          --save-ply: also write the synthetic cloud as a 3DGS PLY (to look at it in a viewer)
          --antialiasing 1: render in the antialiased mode (Mip-Splatting 2D filter)
          --dump: write the last image and every gradient group as raw little-endian Float32, in that
                  order, to compare builds bit for bit (cmp)
        """

    static func run(_ args: BenchArguments) throws {
        var args = args
        let plyPath = args.string("ply"), scenePath = args.string("scene"), savePath = args.string("save-ply")
        let dumpPath = args.string("dump")
        let cameraIndex = try args.int("camera", default: 0, range: 0...1_000_000)
        let count = try args.int("gaussians", default: 300_000, range: 1...50_000_000)
        let requestedWidth = try args.int("width", default: 800, range: 16...16384)
        let requestedHeight = try args.int("height", default: 600, range: 16...16384)
        let iterations = try args.int("iterations", default: 5, range: 1...1000)
        let threads = try args.int("threads", default: ProcessInfo.processInfo.activeProcessorCount, range: 1...256)
        let degree = try args.int("sh-degree", default: 3, range: 0...3)
        let antialiased = try args.int("antialiasing", default: 0, range: 0...1) == 1
        try args.finish()

        let cloud: GaussianCloud, camera: Camera, source: String
        if let plyPath {
            cloud = try GaussianPLY.read(path: plyPath)
            if let scenePath {
                let scene = try SceneLoader.load(scenePath)
                guard cameraIndex < scene.cameras.count else {
                    throw BenchError(description: "\(scenePath): has \(scene.cameras.count) cameras, no camera \(cameraIndex)")
                }
                camera = scene.cameras[cameraIndex]
                source = "\(plyPath) from \(scene.cameras[cameraIndex].name)"
            } else {
                camera = SyntheticScene.camera(lookingAt: cloud, width: requestedWidth, height: requestedHeight)
                source = "\(plyPath) from a camera in front of it"
            }
        } else {
            cloud = SyntheticScene.cloud(count: count)
            camera = SyntheticScene.camera(width: requestedWidth, height: requestedHeight)
            source = "synthetic scene"
            if let savePath { try GaussianPLY.write(cloud, to: savePath) }
        }
        let settings = RenderSettings(background: .zero, shDegree: degree, antialiased: antialiased)
        let width = camera.width, height = camera.height
        let rasterizer = Rasterizer(threadCount: threads)
        // An L1-like image gradient: ±1/(3HW), fixed pattern.
        let pixels = width * height * 3
        let dLdImage = (0..<pixels).map { i -> Float in (i &* 2_654_435_761) & 0x100 == 0 ? 1 / Float(pixels) : -1 / Float(pixels) }
        var gradients = GaussianGradients(like: cloud)

        var result = rasterizer.forward(cloud, camera: camera, settings: settings)   // warm-up
        dLdImage.withUnsafeBufferPointer { rasterizer.backward(cloud, of: result.pass, dLdImage: $0, into: &gradients) }
        var forwardMs: [Double] = [], backwardMs: [Double] = [], forwardCPU: [Double] = [], backwardCPU: [Double] = []
        for _ in 0..<iterations {
            let f = BenchClock.wallAndCPU { result = rasterizer.forward(cloud, camera: camera, settings: settings) }
            let b = BenchClock.wallAndCPU {
                dLdImage.withUnsafeBufferPointer {
                    rasterizer.backward(cloud, of: result.pass, dLdImage: $0, into: &gradients)
                }
            }
            forwardMs.append(f.wall); forwardCPU.append(f.cpu)
            backwardMs.append(b.wall); backwardCPU.append(b.cpu)
        }
        if let dumpPath {
            var bytes = Data()
            for array in [result.image.pixels, gradients.means, gradients.logScales, gradients.rotations,
                          gradients.opacityLogits, gradients.shDC, gradients.shRest] {
                array.withUnsafeBytes { bytes.append(contentsOf: $0) }
            }
            try bytes.write(to: URL(fileURLWithPath: dumpPath))
        }
        let tiles = ((width + 15) / 16) * ((height + 15) / 16)
        print("mode                raster (\(source), SH degree \(min(degree, cloud.maxSHDegree))\(antialiased ? ", antialiased" : ""))")
        print("image               \(width)x\(height), \(tiles) tiles")
        print("gaussians           \(cloud.count)")
        print("visible             \(result.visibleCount)")
        print("tile-gaussian pairs \(result.tileGaussianPairs) (\(result.tileGaussianPairs / max(tiles, 1)) per tile)")
        print("non-finite skipped  \(result.nonFiniteSkipped)")
        print(String(format: "overlap per pixel   %.0f (estimate: α ≥ 1/255 footprints of Gaussians in view / image area)",
                     OverlapEstimate.meanPerPixel(cloud, camera: camera)))
        print(String(format: "forward ms          %.1f (median of %d; min %.1f)", BenchClock.median(forwardMs), iterations, forwardMs.min()!))
        print(String(format: "backward ms         %.1f (median of %d; min %.1f)", BenchClock.median(backwardMs), iterations, backwardMs.min()!))
        print(String(format: "forward CPU ms      %.1f (all threads; median)", BenchClock.median(forwardCPU)))
        print(String(format: "backward CPU ms     %.1f (all threads; median)", BenchClock.median(backwardCPU)))
        print("threads             \(threads)")
        print("blend kernels       \(rasterizer.blendKernel.name) (SPLAT_SIMD=avx512|avx2|generic chooses)")
        print(String(format: "peak RSS MiB        %.0f", BenchClock.peakRSSMiB()))
    }
}
