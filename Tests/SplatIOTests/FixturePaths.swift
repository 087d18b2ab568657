import Foundation

/// Locates the repository's Fixtures/ folder from this file (Tests/SplatIOTests/<file>.swift).
enum FixturePaths {
    static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func path(_ relative: String) -> String {
        repoRoot.appendingPathComponent("Fixtures").appendingPathComponent(relative).path
    }

    /// The shared real data (/work/shared/data or ../shared/data beside the repo), if present.
    static var sharedData: String? {
        let candidates = [ProcessInfo.processInfo.environment["SPLAT_SHARED_DATA"],
                          repoRoot.deletingLastPathComponent().appendingPathComponent("shared/data").path,
                          "/work/shared/data"].compactMap { $0 }
        return candidates.first { FileManager.default.fileExists(atPath: $0 + "/cup360/sparse/0/images.bin") }
    }

    static func makeTempDir() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("splat-io-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }
}
