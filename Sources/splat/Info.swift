import ArgumentParser
import Foundation
import SplatCore
import SplatIO

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print what was loaded from a scene: cameras, sizes, split, sparse points, radius.")

    @Argument(help: "Scene folder (COLMAP or transforms.json) or a transforms*.json file.")
    var scene: String

    @Option(help: "Integer factor by which images are reduced on load (1 = full size).")
    var downscale: Int = 1

    @Flag(help: "Composite transparent images on white (default: white for Blender scenes, black otherwise).")
    var whiteBackground = false

    @Flag(help: "Also decode every image as training will (undistorted, downscaled, composited) and report the time.")
    var checkImages = false

    func validate() throws {
        guard downscale >= 1 else { throw ValidationError("--downscale must be at least 1") }
    }

    func run() throws {
        var options = SceneLoadOptions()
        options.downscale = downscale
        if whiteBackground { options.whiteBackground = true }
        let s = try SceneLoader.load(scene, options: options)
        print(Self.summary(s).joined(separator: "\n"))
        if checkImages { try Self.checkImages(s) }
    }

    /// Decodes every image on all cores; the first failure (in camera order) is the error.
    static func checkImages(_ s: Scene) throws {
        let start = Date()
        let failures = ParallelSlots<any Error>(count: s.cameras.count)
        Parallel.forEach(s.cameras.count) { i in
            do { _ = try SceneImages.loadRGB(s.cameras[i], background: s.background) } catch { failures[i] = error }
        }
        if let error = (0..<s.cameras.count).lazy.compactMap({ failures[$0] }).first { throw error }
        let seconds = Date().timeIntervalSince(start)
        print("images: \(s.cameras.count) decoded in \(String(format: "%.2f", seconds)) s")
    }

    static func summary(_ s: Scene) -> [String] {
        func f(_ v: Double) -> String { String(format: "%.4f", v) }
        var sizes = [String]()
        for c in s.cameras where !sizes.contains("\(c.width)x\(c.height)") { sizes.append("\(c.width)x\(c.height)") }
        let distorted = s.cameras.filter { $0.distortion != nil }.count
        let testNames = s.testCameras.prefix(5).map(\.name).joined(separator: ", ")
        let c = s.cameraCentroid
        return [
            "source: \(s.source)",
            "format: \(s.format)",
            "cameras: \(s.cameras.count)",
            "camera models: \(s.sourceCameraModels.joined(separator: ", "))" + (distorted > 0 ? " (\(distorted) undistorted on load)" : ""),
            "image sizes: \(sizes.joined(separator: ", "))",
            "train: \(s.trainIndices.count)",
            "test: \(s.testIndices.count)" + (testNames.isEmpty ? "" : " (\(testNames)\(s.testIndices.count > 5 ? ", ..." : ""))"),
            "sparse points: \(s.points.count)",
            "scene radius: \(f(s.radius))",
            "camera centroid: \(f(c.x)) \(f(c.y)) \(f(c.z))",
            "background: \(s.background.x == 1 && s.background.y == 1 && s.background.z == 1 ? "white" : s.background == .zero ? "black" : "\(s.background)")",
        ]
    }
}
