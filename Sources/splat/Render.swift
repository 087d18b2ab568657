import ArgumentParser
import Foundation
import SplatCore
import SplatIO
import SplatRender
import SplatTrain

struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render a model from the scene's cameras or along a generated camera path.",
        discussion: """
            Views are written as PNG files named after the images (12.jpg -> 12.png, \
            test/r_0.png -> test_r_0.png); path frames as frame_0000.png, frame_0001.png, ... \
            --depth adds <name>_depth.png (8-bit, near = bright, scaled per image between the \
            nearest and farthest rendered depth, 0 where nothing was drawn); --alpha adds \
            <name>_alpha.png (accumulated opacity). --video encodes the frames with ffmpeg. \
            Names from the dataset are made safe (no folders, no '..'; clashes get -2, -3, ...). \
            SIGINT/SIGTERM stop after the current image (exit status 130/143).
            """)

    @Argument(help: "Model to render: Gaussian PLY (3DGS layout), .spz or .splat.")
    var model: String

    @OptionGroup var scene: SceneViewOptions

    @Option(name: .shortAndLong, help: "Output directory (created with its parents if missing).")
    var output: String

    @Option(help: "Generated camera path instead of the scene's views: orbit, spiral or interpolate.")
    var path: CameraPathKind?

    // .unconditional: "--frames -1" reaches validate() instead of reading as a missing value.
    @Option(parsing: .unconditional, help: "Number of frames of --path.")
    var frames = 120

    @Option(parsing: .unconditional, help: "Output width in pixels (default: the camera's; height follows the aspect ratio if not given).")
    var width: Int?

    @Option(parsing: .unconditional, help: "Output height in pixels (default: the camera's; width follows the aspect ratio if not given).")
    var height: Int?

    @Flag(help: "Also write <name>_depth.png.")
    var depth = false

    @Flag(help: "Also write <name>_alpha.png.")
    var alpha = false

    @Option(help: "Encode the rendered frames into this video file (a name inside --output), e.g. out.mp4. Needs ffmpeg.")
    var video: String?

    @Option(help: "Frames per second of --video.")
    var fps = 30

    func validate() throws {
        try scene.validateCommon()
        guard frames >= 1 else { throw ValidationError("--frames must be at least 1 (got \(frames))") }
        if let width, width < 1 { throw ValidationError("--width must be a positive number of pixels (got \(width))") }
        if let height, height < 1 { throw ValidationError("--height must be a positive number of pixels (got \(height))") }
        if (width != nil || height != nil) && scene.downscale != nil {
            throw ValidationError("use either --width/--height or --downscale, not both")
        }
        guard fps >= 1 else { throw ValidationError("--fps must be at least 1 (got \(fps))") }
        if let video {
            guard !video.isEmpty, !video.hasPrefix("/"), !video.split(separator: "/").contains("..") else {
                throw ValidationError("--video must be a file name inside --output (got '\(video)')")
            }
            guard VideoEncoder.ffmpegPath() != nil else {
                throw ValidationError("--video needs ffmpeg, which is not on PATH (apt-get install ffmpeg, or scripts/install-deps.sh --tools)")
            }
        }
        try CLIChecks.requireFile(model, what: "model")
        try OutputDirectory.validate(output)
    }

    func run() throws {
        let cloud = try Export.readModel(path: model)
        let loaded = try scene.load()
        var outputs: RenderOutputs = []
        if depth { outputs.insert(.depth) }
        if alpha { outputs.insert(.alpha) }
        let settings = RenderSettings(background: scene.background(for: loaded), shDegree: scene.shDegree ?? 3, outputs: outputs)
        var cameras: [Camera]
        if let path {
            let keys = loaded.trainCameras.isEmpty ? loaded.cameras : loaded.trainCameras
            let k = resized(keys[0].intrinsics)
            switch path {
            case .orbit: cameras = CameraPath.orbit(around: keys, points: loaded.points, frames: frames, intrinsics: k)
            case .spiral: cameras = CameraPath.spiral(around: keys, points: loaded.points, frames: frames, intrinsics: k)
            case .interpolate: cameras = CameraPath.interpolate(through: keys, frames: frames, intrinsics: k)
            }
        } else {
            cameras = try scene.selectedCameras(loaded)
            for i in cameras.indices { cameras[i].intrinsics = resized(cameras[i].intrinsics) }
        }
        try MemoryBudget.require(MemoryCheck.rendering(cloud, cameras: cameras), for: model,
                                advice: "try --downscale 2 or a smaller --width")
        StopSignal.install()
        try OutputDirectory.create(output)
        let rasterizer = Rasterizer()
        let stems = OutputDirectory.stems(for: cameras.map(\.name), suffixes: (depth ? ["_depth"] : []) + (alpha ? ["_alpha"] : []))
        for (index, camera) in cameras.enumerated() {
            // Between images: every file written so far is complete (AtomicFile).
            if StopSignal.isRequested {
                Progress.line("interrupted: wrote \(index) of \(cameras.count) images to \(output)")
                throw ExitCode(StopSignal.exitStatus)
            }
            let stem = stems[index]
            let result = rasterizer.forward(cloud, camera: camera, settings: settings)
            try ImageCodec.writePNG(result.image.toImage8(), to: "\(output)/\(stem).png")
            if let d = result.depth {
                try ImageCodec.writePNG(DepthImage.visualize(d, width: camera.width, height: camera.height), to: "\(output)/\(stem)_depth.png")
            }
            if let a = result.alpha {
                let gray = Image8(width: camera.width, height: camera.height, channels: 1, pixels: a.map(DepthImage.byte))
                try ImageCodec.writePNG(gray, to: "\(output)/\(stem)_alpha.png")
            }
            Progress.line("render \(index + 1)/\(cameras.count) \(stem).png (\(result.visibleCount) Gaussians visible)")
        }
        if let video {
            try VideoEncoder.encode(frameNames: stems.map { $0 + ".png" },
                                    directory: output, fps: fps, to: video)
            Progress.line("video \(output)/\(video)")
        }
        print("rendered \(cameras.count) image(s) of \(cloud.count) Gaussians to \(output)")
    }

    /// Intrinsics for the requested output size (the camera's own when none was given).
    func resized(_ k: CameraIntrinsics) -> CameraIntrinsics {
        switch (width, height) {
        case let (w?, h?): return k.resized(width: w, height: h)
        case let (w?, nil): return k.resized(width: w, height: max(1, Int((Double(w) * Double(k.height) / Double(k.width)).rounded())))
        case let (nil, h?): return k.resized(width: max(1, Int((Double(h) * Double(k.width) / Double(k.height)).rounded())), height: h)
        case (nil, nil): return k
        }
    }
}

enum CameraPathKind: String, ExpressibleByArgument, CaseIterable {
    case orbit, spiral, interpolate
}

/// Errors of render and eval that are not usage errors: `<file>: <what is wrong>`.
struct RenderError: Error, CustomStringConvertible {
    let path: String
    let reason: String
    var description: String { "\(path): \(reason)" }
}

/// One progress line per item on stderr (stdout stays for results).
enum Progress {
    static func line(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }
}

/// Depth and alpha as 8-bit gray images.
enum DepthImage {
    static func byte(_ v: Float) -> UInt8 { v.isNaN ? 0 : UInt8((min(max(v, 0), 1) * 255).rounded()) }

    /// Near = 255, far = 1 (linear in depth between the image's nearest and farthest drawn
    /// pixel), 0 where nothing was drawn (depth 0).
    static func visualize(_ depth: [Float], width: Int, height: Int) -> Image8 {
        let drawn = depth.filter { $0 > 0 && $0.isFinite }
        let near = drawn.min() ?? 0, far = drawn.max() ?? 1
        let span = max(far - near, 1e-12)
        let pixels = depth.map { d -> UInt8 in
            guard d > 0, d.isFinite else { return 0 }
            return 1 + UInt8((254 * (far - d) / span).rounded())
        }
        return Image8(width: width, height: height, channels: 1, pixels: pixels)
    }
}

/// Runs ffmpeg (argument array, no shell) on the written PNG frames.
enum VideoEncoder {
    static func ffmpegPath() -> String? {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        return dirs.map { "\($0)/ffmpeg" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Frames are linked under sequential names in a temporary folder inside the output
    /// directory (so any image names work and the frame count is exact); the video is written
    /// to a temporary name and renamed, like every other output.
    static func encode(frameNames: [String], directory: String, fps: Int, to name: String) throws {
        guard let ffmpeg = ffmpegPath() else { throw RenderError(path: name, reason: "ffmpeg not found on PATH") }
        let dir = URL(fileURLWithPath: directory).standardizedFileURL.path
        let target = dir + "/" + name
        let ext = (name as NSString).pathExtension
        let temporary = dir + "/.\(getpid())-video.tmp" + (ext.isEmpty ? "" : ".\(ext)")
        let links = dir + "/.\(getpid())-frames"
        let fm = FileManager.default
        try? fm.removeItem(atPath: links)
        do {
            try fm.createDirectory(atPath: links, withIntermediateDirectories: false)
            for (i, frame) in frameNames.enumerated() {
                try fm.createSymbolicLink(atPath: links + String(format: "/%06d.png", i), withDestinationPath: dir + "/" + frame)
            }
        } catch {
            try? fm.removeItem(atPath: links)
            throw RenderError(path: links, reason: "cannot prepare frames for ffmpeg (\(error.localizedDescription))")
        }
        defer { try? fm.removeItem(atPath: links) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ffmpeg)
        // yuv420p needs even sizes: pad by one pixel when odd.
        p.arguments = ["-y", "-loglevel", "error", "-framerate", String(fps), "-i", links + "/%06d.png",
                       "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2", "-c:v", "libx264", "-pix_fmt", "yuv420p", temporary]
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            unlink(temporary)
            throw RenderError(path: target, reason: "ffmpeg failed with status \(p.terminationStatus)")
        }
        guard rename(temporary, target) == 0 else {
            unlink(temporary)
            throw RenderError(path: target, reason: "cannot move the video into place")
        }
    }
}

/// Scene options shared by render and eval: which scene, which of its views, background,
/// resolution and SH degree.
struct SceneViewOptions: ParsableArguments {
    @Option(help: "Scene the model was trained on: COLMAP folder, NeRF folder or transforms*.json.")
    var scene: String

    @Option(help: "Views: test, train, all, or image names separated by commas (12.jpg or 12).")
    var views = "test"

    @Option(help: "Reduce images and intrinsics by this integer factor (default 1).")
    var downscale: Int?

    @Option(help: "Background: black, white or r,g,b in [0, 1] (default: the dataset's, white for NeRF-synthetic).")
    var background: String?

    @Option(help: "SH degree to render with, 0-3 (default: all the model has).")
    var shDegree: Int?

    func validateCommon() throws {
        if let downscale, downscale < 1 { throw ValidationError("--downscale must be at least 1 (got \(downscale))") }
        if let shDegree, !(0...3).contains(shDegree) { throw ValidationError("--sh-degree must be 0, 1, 2 or 3 (got \(shDegree))") }
        if let background, Self.parseBackground(background) == nil {
            throw ValidationError("--background must be black, white or r,g,b with values in [0, 1] (got '\(background)')")
        }
        guard !views.split(separator: ",").isEmpty else { throw ValidationError("--views is empty") }
        guard FileManager.default.fileExists(atPath: scene) else { throw ValidationError("scene '\(scene)' does not exist") }
    }

    static func parseBackground(_ text: String) -> SIMD3<Float>? {
        switch text.lowercased() {
        case "black": return .zero
        case "white": return SIMD3(repeating: 1)
        default:
            let parts = text.split(separator: ",").map { Float($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 3, parts.allSatisfy({ $0 != nil && (0...1).contains($0!) }) else { return nil }
            return SIMD3(parts[0]!, parts[1]!, parts[2]!)
        }
    }

    func load() throws -> Scene {
        var options = SceneLoadOptions()
        options.downscale = downscale ?? 1
        if let background, let rgb = Self.parseBackground(background), rgb == .zero || rgb == SIMD3(repeating: 1) {
            options.whiteBackground = rgb.x == 1  // images are composited on the same background
        }
        return try SceneLoader.load(scene, options: options)
    }

    func background(for loaded: Scene) -> SIMD3<Float> {
        background.flatMap(Self.parseBackground) ?? loaded.background
    }

    func selectedCameras(_ loaded: Scene) throws -> [Camera] {
        switch views.lowercased() {
        case "test", "train":
            let picked = views.lowercased() == "test" ? loaded.testCameras : loaded.trainCameras
            guard !picked.isEmpty else { throw RenderError(path: scene, reason: "scene has no \(views.lowercased()) views") }
            return picked
        case "all": return loaded.cameras
        default:
            return try views.split(separator: ",").map { raw in
                let name = raw.trimmingCharacters(in: .whitespaces)
                func stem(_ s: String) -> String { (s as NSString).deletingPathExtension }
                if let exact = loaded.cameras.first(where: { $0.name == name }) { return exact }
                let loose = loaded.cameras.filter {
                    let file = ($0.name as NSString).lastPathComponent
                    return stem($0.name) == name || file == name || stem(file) == name
                }
                guard loose.count <= 1 else {
                    throw RenderError(path: scene, reason: "view '\(name)' is ambiguous: \(loose.map(\.name).joined(separator: ", "))")
                }
                guard let match = loose.first else {
                    let known = loaded.cameras.prefix(5).map(\.name).joined(separator: ", ")
                    throw RenderError(path: scene, reason: "no view named '\(name)' (views are named like \(known))")
                }
                return match
            }
        }
    }
}
