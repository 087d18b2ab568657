import ArgumentParser
import Foundation

@main
struct Splat: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "splat",
        abstract: "EDGS Gaussian splatting on the CPU: dense init, refine, render.",
        discussion: """
            Typical use:
              splat init <scene> --output runs/x
              splat optimize --config run.yaml
              splat render runs/x/point_cloud.ply --scene <scene> --output runs/x/renders
            """,
        version: "0.1.0",
        subcommands: [
            Info.self,
            InitCommand.self,
            Optimize.self,
            RenderCommand.self,
            EvalCommand.self,
            ExportCommand.self,
            RunCommand.self,
            ViewCommand.self,
        ]
    )

    /// Prints `error: <message>` on one line and exits 1 for our own errors (every error type
    /// of the Splat libraries describes itself as `<file>: <problem>`); ArgumentParser's own
    /// errors (usage, help, version, validation) keep its formatting and exit codes.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if String(reflecting: type(of: error)).hasPrefix("ArgumentParser.") {
                exit(withError: error)
            }
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            Foundation.exit(1)
        }
    }
}
