import Foundation

// splat-bench <mode> [options]: each mode lives in its own file and registers here.
let modes: [BenchMode.Type] = [RasterBench.self, TrainBench.self]

let arguments = Array(CommandLine.arguments.dropFirst())
guard let name = arguments.first, let mode = modes.first(where: { $0.name == name }) else {
    let list = modes.map { "  \($0.name)  \($0.usage)" }.joined(separator: "\n")
    FileHandle.standardError.write(Data("usage: splat-bench <mode> [options]\nmodes:\n\(list)\n".utf8))
    exit(2)
}
do {
    try mode.run(BenchArguments(Array(arguments.dropFirst())))
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
