import ArgumentParser
import SplatCore

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print what was loaded from a scene: cameras, sizes, split, sparse points, radius.")

    @Argument(help: "Scene folder (COLMAP or transforms.json) or a transforms*.json file.")
    var scene: String

    func run() throws {
        print("scene: \(scene)")
    }
}
