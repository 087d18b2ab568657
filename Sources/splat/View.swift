import ArgumentParser
import Foundation
import SplatCore
import SplatIO
import SplatTrain
import SplatView

struct ViewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "view",
        abstract: "Look at a model in the browser: a local web viewer (WebGL2), live while training.",
        discussion: """
            <model> is a Gaussian PLY, .splat or .spz, or an output folder of splat run/optimize \
            (its model, the scene named in its config.yaml, its metrics; while training writes \
            previews into it, the page follows). Prints the URL and serves until Ctrl-C or \
            SIGTERM. Listens on 127.0.0.1 unless --host says otherwise. Without --port, 8080 \
            or the next free port up to 8099; --port 0 takes any free port. In the page, H shows \
            the controls; ?view=<image name> opens at a dataset camera.
            """)

    @Argument(help: "Model (PLY, .splat, .spz) or output folder of splat run/optimize.")
    var model: String

    @Option(help: "Scene the model was trained on (COLMAP folder, NeRF folder or transforms*.json): lists its cameras.")
    var scene: String?

    @Option(parsing: .unconditional, help: "Port to listen on (default 8080, or the next free one; 0: any free port).")
    var port: Int?

    @Option(help: "Address to listen on (127.0.0.1: this machine only; 0.0.0.0: every interface).")
    var host = "127.0.0.1"

    @Flag(help: "Open the page in the default browser (xdg-open).")
    var open = false

    func validate() throws {
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be in 0...65535 (got \(port))") }
        guard !host.isEmpty else { throw ValidationError("--host is empty") }
        guard FileManager.default.fileExists(atPath: model) else { throw ValidationError("'\(model)' does not exist") }
        if let scene, !FileManager.default.fileExists(atPath: scene) { throw ValidationError("scene '\(scene)' does not exist") }
    }

    func run() throws {
        var isDir: ObjCBool = false
        FileManager.default.fileExists(atPath: model, isDirectory: &isDir)
        var source = ViewerSource()
        var options = SceneLoadOptions()
        var scenePath = scene
        if isDir.boolValue {
            let dir = URL(fileURLWithPath: model).standardizedFileURL.path
            let files = [ViewerSource.RunFile.finalModel, ViewerSource.RunFile.preview, "config.yaml"]
            guard files.contains(where: { FileManager.default.fileExists(atPath: dir + "/" + $0) }) else {
                throw RenderError(path: model, reason: "not an output folder of splat run/optimize (no point_cloud.ply, preview.splat or config.yaml)")
            }
            source.runDirectory = dir
            let configFile = dir + "/config.yaml"
            if FileManager.default.fileExists(atPath: configFile) {
                let config = try ConfigLoader.load(path: configFile)
                if scenePath == nil, !config.scene.isEmpty {
                    if FileManager.default.fileExists(atPath: config.scene) { scenePath = config.scene }
                    else { Progress.line("note: the scene of \(configFile) (\(config.scene)) is not there; showing no cameras") }
                }
                options.downscale = config.downscale
                options.whiteBackground = config.whiteBackground
            }
        } else {
            source.modelPath = model
            source.preloaded = try Export.readModel(path: model)
        }
        if let scenePath {
            let loaded = try SceneLoader.load(scenePath, options: options)
            source.scene = loaded
            source.background = loaded.background
        }
        let title = (model as NSString).lastPathComponent
        var server = ViewerServer(source: source, title: title, host: host, port: port)
        let openPage = open
        server.onListening = { url in
            FileHandle.standardOutput.write(Data("splat view: \(title) at \(url) (Ctrl-C to stop)\n".utf8))
            if openPage { Self.openInBrowser(url) }
        }
        server.onNote = { Progress.line("note: " + $0) }
        try server.runBlocking()
        Progress.line("splat view: stopped")
    }

    static func openInBrowser(_ url: String) {
        let opener = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
            .map { "\($0)/xdg-open" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let opener else { Progress.line("note: no xdg-open on PATH; open \(url) yourself"); return }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: opener)
        p.arguments = [url]
        try? p.run()
    }
}
