import Foundation
import HummingbirdCore
import NIOCore
import ServiceLifecycle

/// Server-sent events for an output folder: `metrics` when metrics.csv or loss.csv changed,
/// `model` when a new preview or the final model was written. The files are polled (stat, twice
/// a second): simple, and it works on every file system. The stream ends on shutdown.
struct RunEvents {
    let source: ViewerSource

    func stream(to writer: inout any ResponseBodyWriter) async throws {
        try await writer.write(ByteBuffer(string: "retry: 1000\n\n"))
        guard let dir = source.runDirectory else {
            // A model file never changes underneath: nothing to report, but keep the stream
            // open so the page does not reconnect in a loop.
            while !Task.isCancelled && !Task.isShuttingDownGracefully { try await Task.sleep(for: .milliseconds(250)) }
            return
        }
        typealias Files = ViewerSource.RunFile
        func stamps(_ names: [String]) -> [FileStamp?] { names.map { FileStamp(path: dir + "/" + $0) } }
        var metrics = stamps([Files.metrics, Files.loss])
        var model = stamps([Files.finalModel, Files.preview, Files.previewInfo])
        var quiet = 0
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try await Task.sleep(for: .milliseconds(250))
            quiet += 1
            let m = stamps([Files.metrics, Files.loss]), p = stamps([Files.finalModel, Files.preview, Files.previewInfo])
            if m != metrics { metrics = m; quiet = 0; try await writer.write(ByteBuffer(string: "event: metrics\ndata: {}\n\n")) }
            if p != model { model = p; quiet = 0; try await writer.write(ByteBuffer(string: "event: model\ndata: {}\n\n")) }
            // A comment now and then finds clients that went away.
            if quiet >= 60 { quiet = 0; try await writer.write(ByteBuffer(string: ": alive\n\n")) }
        }
    }
}
