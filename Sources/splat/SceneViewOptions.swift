import ArgumentParser
import Foundation
import SplatCore
import SplatIO
import SplatRender
import SplatTrain


/// Scene options shared by render and eval: which scene, which of its views, background,
/// resolution and SH degree.
struct SceneViewOptions: ParsableArguments {
    @Option(help: "Scene the model was trained on: COLMAP folder, NeRF folder or transforms*.json.")
    var scene: String

    @Option(help: "Views: test, train, all, or image names separated by commas (12.jpg or 12).")
    var views = "test"

    @Option(help: "Reduce images and intrinsics by this integer factor (default 1).")
    var downscale: Int?

    @Option(help: "Longest image side before an extra integer downscale, as training's 'max_resolution' (default 1600, so a model is scored at the size it was trained at; 0 = no limit).")
    var maxResolution = TrainConfig().maxResolution

    @Option(help: "Background: black, white or r,g,b in [0, 1] (default: the dataset's, white for NeRF-synthetic).")
    var background: String?

    @Option(help: "SH degree to render with, 0-3 (default: all the model has).")
    var shDegree: Int?

    @Flag(inversion: .prefixedNo, help: "Render with the Mip-Splatting 2D filter, or without it (default: as the model file records; a model trained with 'antialiasing' says so).")
    var antialiasing: Bool?

    func validateCommon() throws {
        if let downscale, downscale < 1 { throw ValidationError("--downscale must be at least 1 (got \(downscale))") }
        guard (0...65536).contains(maxResolution) else { throw ValidationError("--max-resolution must be between 0 and 65536 (got \(maxResolution))") }
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
        let (loaded, notice) = try SceneLoader.load(scene, options: options, maxResolution: maxResolution)
        if let notice { Progress.line(notice) }
        return loaded
    }

    /// The render mode for `model`: --antialiasing / --no-antialiasing, else what the file records.
    func antialiased(model: String) throws -> Bool {
        if let antialiasing { return antialiasing }
        let recorded = try Export.isAntialiased(path: model)
        if recorded { Progress.line("antialiasing: on, as \(model) records (--no-antialiasing renders without it)") }
        return recorded
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
