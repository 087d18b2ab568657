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
            --depth adds <name>_depth.npy (float32 H x W view-space depth in scene units, \
            alpha-normalised, 0 where nothing was drawn; docs/commands.md) and <name>_depth.png \
            (8-bit preview, near = bright, scaled per image); --alpha adds \
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

    @Flag(help: "Also write <name>_depth.npy (float32 metric depth) and <name>_depth.png (8-bit preview).")
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
        let settings = RenderSettings(background: scene.background(for: loaded), shDegree: scene.shDegree ?? 3, outputs: outputs,
                                      antialiased: try scene.antialiased(model: model))
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
            if let d = result.depth { try DepthImage.write(d, width: camera.width, height: camera.height, stem: "\(output)/\(stem)_depth") }
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
