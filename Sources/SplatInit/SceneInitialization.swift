import Foundation
import SplatCore
import SplatIO

/// EDGS initialization of a loaded scene from its own images, and its two files: init.ply (the
/// Gaussians) and init.json (the report). `splat init` and `splat run`'s init stage both go
/// through it, so their files are the same for the same scene and options.
public struct SceneInitialization: Sendable {
    public static let plyName = "init.ply"
    public static let reportName = "init.json"

    public let cloud: GaussianCloud
    public let report: InitReport

    /// Runs EDGS on `scene`, each image decoded on the scene's background as training sees it;
    /// `colmap` (the run that posed a folder of photos, if any) goes into the report. Throws
    /// `InitInterrupted` when `shouldStop` turns true between reference views.
    public init(scene: Scene, options: InitOptions, colmap: ColmapReport?, progress: (String) -> Void,
                shouldStop: @Sendable () -> Bool) throws {
        var result = try EDGSInitializer.run(scene: scene, options: options,
                                             loadImage: { try SceneImages.loadRGB($0, background: scene.background) },
                                             progress: progress, shouldStop: shouldStop)
        result.report.colmap = colmap
        cloud = result.cloud
        report = result.report
    }

    /// Writes init.ply and init.json into `directory`, which must exist. Each is written to a
    /// temporary and renamed, so a killed run leaves no partial file. Returns init.ply's path.
    @discardableResult
    public func write(into directory: String) throws -> String {
        let ply = (directory as NSString).appendingPathComponent(Self.plyName)
        try GaussianPLY.write(cloud, to: ply)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(report), to: (directory as NSString).appendingPathComponent(Self.reportName))
        return ply
    }
}
