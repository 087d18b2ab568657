import Foundation

/// What a COLMAP sparse model holds, for reporting what the mapper did (docs/init.md, "Image
/// folders without poses"): registered image names, points, and the mean reprojection error
/// as COLMAP's model_analyzer gives it: the mean over points of each point's own (track-mean)
/// error.
public struct ColmapModelSummary: Sendable, Equatable {
    public var directory: String
    /// Names of the registered images, sorted.
    public var imageNames: [String]
    public var cameraCount: Int
    public var pointCount: Int
    public var observations: Int
    public var meanReprojectionErrorPx: Double

    /// Reads `directory` (cameras/images/points3D as .bin, or else .txt).
    public static func read(directory: String) throws -> ColmapModelSummary {
        let binary = FileManager.default.fileExists(atPath: directory + "/images.bin")
        let model = binary ? try ColmapBinaryReader.read(directory: directory) : try ColmapTextReader.read(directory: directory)
        let observations = model.points.reduce(0) { $0 + $1.trackLength }
        let errors = model.points.map(\.error).filter { $0 >= 0 }  // COLMAP writes -1 for "no error"
        return ColmapModelSummary(directory: directory, imageNames: model.images.map(\.name).sorted(),
                                  cameraCount: model.cameras.count, pointCount: model.points.count,
                                  observations: observations,
                                  meanReprojectionErrorPx: errors.isEmpty ? 0 : errors.reduce(0, +) / Double(errors.count))
    }
}
