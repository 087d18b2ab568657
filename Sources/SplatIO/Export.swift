import Foundation
import SplatCore

/// The formats `splat export` writes.
public enum ExportFormat: String, CaseIterable, Sendable {
    /// 3DGS PLY, all float (any viewer, training input).
    case ply
    /// antimatter15 `.splat`, 32 bytes per Gaussian, degree-0 colour only.
    case splat
    /// Niantic SPZ (legacy gzip container, version 3 unless asked for 2).
    case spz
}

public enum Export {
    /// Writes `cloud` as `format`, keeping SH bands up to `shDegree` (nil: all the cloud has).
    public static func write(_ cloud: GaussianCloud, format: ExportFormat, to path: String,
                             shDegree: Int? = nil, spzVersion: Int = 3) throws {
        let reduced = cloud.withSHDegree(min(shDegree ?? cloud.maxSHDegree, cloud.maxSHDegree))
        switch format {
        case .ply: try GaussianPLY.write(reduced, to: path)
        case .splat: try SplatFile.write(reduced, to: path)
        case .spz: try SPZ.write(reduced, to: path, version: spzVersion)
        }
    }
}

extension Export {
    /// Reads a model in any format we write: PLY and SPZ are recognised by their first bytes
    /// ("ply", gzip 1F 8B), `.splat` (which has no header) by its extension.
    public static func readModel(path: String) throws -> GaussianCloud {
        let handle = FileHandle(forReadingAtPath: path)
        let head = (try? handle?.read(upToCount: 4)) ?? nil
        try? handle?.close()
        guard let head else { return try GaussianPLY.read(path: path) }  // its error names the problem
        if head.starts(with: [0x1F, 0x8B]) { return try SPZ.read(path: path) }
        if path.lowercased().hasSuffix(".splat") && !head.starts(with: Array("ply".utf8)) {
            return try SplatFile.read(path: path)
        }
        return try GaussianPLY.read(path: path)
    }
}
