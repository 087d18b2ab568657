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
    /// `antialiased` is recorded where the format has room for it (`canRecordAntialiasing`).
    public static func write(_ cloud: GaussianCloud, format: ExportFormat, to path: String,
                             shDegree: Int? = nil, spzVersion: Int = 3, antialiased: Bool = false) throws {
        let reduced = cloud.withSHDegree(min(shDegree ?? cloud.maxSHDegree, cloud.maxSHDegree))
        switch format {
        case .ply: try GaussianPLY.write(reduced, to: path, antialiased: antialiased)
        case .splat: try SplatFile.write(reduced, to: path)
        case .spz: try SPZ.write(reduced, to: path, version: spzVersion, antialiased: antialiased)
        }
    }
}

extension ExportFormat {
    /// PLY (a header comment) and SPZ (its header flag 0x1) can say that a model was trained with
    /// antialiasing; `.splat` has no header.
    public var canRecordAntialiasing: Bool { self != .splat }
}

extension Export {
    /// Reads a model in any format we write: PLY and SPZ are recognised by their first bytes
    /// ("ply", gzip 1F 8B), `.splat` (which has no header) by its extension.
    public static func readModel(path: String) throws -> GaussianCloud {
        switch sniff(path) {
        case .spz: return try SPZ.read(path: path)
        case .splat: return try SplatFile.read(path: path)
        case .ply: return try GaussianPLY.read(path: path)
        }
    }

    /// Whether the model file says it was trained with antialiasing (Mip-Splatting's 2D filter) and
    /// is to be rendered that way: a PLY `comment antialiasing` line or the SPZ flag; never for
    /// `.splat`. Reads the header only.
    public static func isAntialiased(path: String) throws -> Bool {
        switch sniff(path) {
        case .spz: return try SPZ.isAntialiased(path: path)
        case .splat: return false
        case .ply: return try GaussianPLY.isAntialiased(path: path)
        }
    }

    /// The format of a model file by its first bytes, `.splat` (no header) by its extension; an
    /// unreadable file counts as PLY, whose reader then names the problem.
    static func sniff(_ path: String) -> ExportFormat {
        let handle = FileHandle(forReadingAtPath: path)
        let head = (try? handle?.read(upToCount: 4)) ?? nil
        try? handle?.close()
        guard let head else { return .ply }
        if head.starts(with: [0x1F, 0x8B]) { return .spz }
        if path.lowercased().hasSuffix(".splat") && !head.starts(with: Array("ply".utf8)) { return .splat }
        return .ply
    }
}
