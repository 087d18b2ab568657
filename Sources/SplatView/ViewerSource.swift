import Foundation
import SplatCore

/// What `splat view` was started with: a model file or a training output folder, and
/// optionally the scene the model was trained on. The server reads only these paths (and the
/// fixed file names inside the output folder); no request names a file.
public struct ViewerSource: Sendable {
    /// A model file given directly (PLY, .splat or .spz); nil for an output folder.
    public var modelPath: String?
    /// An output folder of `splat run`/`optimize`: its final model, preview and metrics.
    public var runDirectory: String?
    public var scene: Scene?
    /// Background the page composites onto (the dataset's, as `splat render` uses).
    public var background: SIMD3<Float>
    /// The model file already read by the caller (so a bad file fails before the server starts
    /// and is not read twice).
    public var preloaded: GaussianCloud?

    public init(modelPath: String? = nil, runDirectory: String? = nil, scene: Scene? = nil,
                background: SIMD3<Float> = .zero, preloaded: GaussianCloud? = nil) {
        self.modelPath = modelPath; self.runDirectory = runDirectory
        self.scene = scene; self.background = background; self.preloaded = preloaded
    }

    /// The files of an output folder the viewer reads (see docs/commands.md, `splat view`).
    public enum RunFile {
        public static let finalModel = "point_cloud.ply"
        public static let preview = "preview.splat"
        public static let previewInfo = "preview.json"
        public static let metrics = "metrics.csv"
        public static let loss = "loss.csv"
    }

    /// The model to show now: the given file, or in an output folder whichever of the final
    /// model and the training preview was written last (a run in progress shows its preview).
    func currentModel() -> (path: String, kind: String)? {
        if let modelPath { return (modelPath, "model") }
        guard let dir = runDirectory else { return nil }
        let final = dir + "/" + RunFile.finalModel, preview = dir + "/" + RunFile.preview
        switch (FileStamp(path: final), FileStamp(path: preview)) {
        case let (f?, p?): return p.modified > f.modified ? (preview, "preview") : (final, "final")
        case (_?, nil): return (final, "final")
        case (nil, _?): return (preview, "preview")
        case (nil, nil): return nil
        }
    }
}

/// Modification time and size of a file: a change of either means "read it again".
struct FileStamp: Equatable, Sendable {
    var modified: Double
    var size: Int64

    init?(path: String) {
        var s = stat()
        guard stat(path, &s) == 0 else { return nil }
        modified = Double(s.st_mtim.tv_sec) + Double(s.st_mtim.tv_nsec) * 1e-9
        size = Int64(s.st_size)
    }
}
