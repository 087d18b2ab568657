import Foundation
import SplatCore

public struct SceneLoadOptions: Sendable {
    /// Integer factor by which images (and intrinsics) are reduced; COLMAP scenes use a
    /// ready-made `images_N` folder when it exists.
    public var downscale = 1
    /// Composite RGBA on white (true) or black (false); nil: the dataset's default (white for
    /// Blender/NeRF-synthetic, black otherwise).
    public var whiteBackground: Bool? = nil
    /// A COLMAP model folder to use instead of `<scene>/sparse/0` or `<scene>/sparse`.
    public var colmapModelPath: String? = nil
    /// Hold out the dataset's test views (every 8th, or transforms_test.json); false puts every
    /// view in the train list and none in the test list (3DGS without --eval).
    public var holdout = true
    public init() {}
}

/// Detects the scene format and loads it.
public enum SceneLoader {
    public static func load(_ path: String, options: SceneLoadOptions = .init()) throws -> Scene {
        var scene = try loadFormat(path, options: options)
        if !options.holdout { scene.trainIndices = Array(scene.cameras.indices); scene.testIndices = [] }
        return scene
    }

    static func loadFormat(_ path: String, options: SceneLoadOptions) throws -> Scene {
        guard (1...ImageOps.maxDownscale).contains(options.downscale) else {
            throw InputError(path, "downscale factor must be between 1 and \(ImageOps.maxDownscale), got \(options.downscale)")
        }
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDir) else { throw InputError(path, "no such file or folder") }
        let scene = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        if !isDir.boolValue {
            guard scene.lowercased().hasSuffix(".json") else {
                throw InputError(scene, "not a scene: expected a folder (COLMAP or NeRF) or a transforms .json file")
            }
            return try TransformsSceneLoader.load(jsonPath: scene, options: options)
        }
        if options.colmapModelPath != nil || fm.fileExists(atPath: scene + "/sparse") {
            return try ColmapSceneLoader.load(scene: scene, options: options)
        }
        if let json = TransformsSceneLoader.findJSON(in: scene) {
            return try TransformsSceneLoader.load(jsonPath: json, options: options)
        }
        throw InputError(scene, "no scene found: looked for sparse/0 or sparse/ (COLMAP) and transforms.json or transforms_train.json (NeRF)")
    }
}
