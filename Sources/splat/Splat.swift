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
        ]
    )

    /// Prints `error: <message>` on one line and exits non-zero for our own errors; lets
    /// ArgumentParser handle usage errors and help.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as CleanExit {
            exit(withError: error)
        } catch let error as ValidationError {
            exit(withError: error)
        } catch let error as ExitCode {
            exit(withError: error)
        } catch {
            if String(describing: type(of: error)).contains("CommandError") || String(describing: type(of: error)).contains("ParserError") {
                exit(withError: error)
            }
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            Foundation.exit(1)
        }
    }
}
