import Foundation
import SplatCore
import SplatIO

/// The current model as the page's payload, read again only when its file changes (a new
/// training preview). Concurrent requests for the same file share one conversion.
actor ModelCache {
    struct Entry: Sendable {
        var path: String
        var stamp: FileStamp
        var kind: String
        var step: Int?
        var count: Int
        var payload: Data
    }
    private let source: ViewerSource
    private var entry: Entry?
    private var loading: Task<Entry, any Error>?

    init(source: ViewerSource) { self.source = source }

    func current() async throws -> Entry {
        guard let (path, kind) = source.currentModel(), let stamp = FileStamp(path: path) else {
            throw ViewerError(path: source.runDirectory ?? source.modelPath ?? "", reason: "no model yet (waiting for the first preview)")
        }
        if let entry, entry.path == path, entry.stamp == stamp { return entry }
        if let loading { return try await loading.value }
        let info = kind == "preview" ? previewInfo() : nil
        let step = info?["step"] as? Int
        // A .splat preview cannot record the mode: the trainer puts it in preview.json.
        let previewAntialiased = info?["antialiasing"] as? Bool ?? false
        let preloaded = entry == nil && path == source.modelPath ? source.preloaded : nil
        let task = Task.detached { () throws -> Entry in
            let cloud = try preloaded ?? Export.readModel(path: path)
            let antialiased = kind == "preview" ? previewAntialiased : try Export.isAntialiased(path: path)
            return Entry(path: path, stamp: stamp, kind: kind, step: step, count: cloud.count,
                         payload: ModelPayload.encode(cloud, kind: kind, step: step, antialiased: antialiased))
        }
        loading = task
        defer { loading = nil }
        let loaded = try await task.value
        entry = loaded
        return loaded
    }

    /// preview.json next to the preview (its step, and whether the run is antialiased), if readable.
    private func previewInfo() -> [String: Any]? {
        guard let dir = source.runDirectory,
              let data = FileManager.default.contents(atPath: dir + "/" + ViewerSource.RunFile.previewInfo) else { return nil }
        return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    }
}
