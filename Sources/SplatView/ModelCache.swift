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
        let step = kind == "preview" ? previewStep() : nil
        let preloaded = entry == nil && path == source.modelPath ? source.preloaded : nil
        let task = Task.detached { () throws -> Entry in
            let cloud = try preloaded ?? Export.readModel(path: path)
            return Entry(path: path, stamp: stamp, kind: kind, step: step, count: cloud.count,
                         payload: ModelPayload.encode(cloud, kind: kind, step: step))
        }
        loading = task
        defer { loading = nil }
        let loaded = try await task.value
        entry = loaded
        return loaded
    }

    /// The step recorded in preview.json next to the preview, if readable.
    private func previewStep() -> Int? {
        guard let dir = source.runDirectory,
              let data = FileManager.default.contents(atPath: dir + "/" + ViewerSource.RunFile.previewInfo),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return object["step"] as? Int
    }
}
