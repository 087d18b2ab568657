import ArgumentParser
import Foundation
import SplatCore
import SplatIO

extension ExportFormat: ExpressibleByArgument {}

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Convert a splat model between formats (ply, splat, spz).",
        discussion: """
            ply: the standard 3DGS layout (binary little endian, all float).
            splat: antimatter15 web-viewer records, 32 bytes each, degree-0 colour only, sorted \
            by size x opacity.
            spz: Niantic SPZ, gzip container, version 3 (or 2 with --spz-version 2), axes \
            converted to SPZ's RUB convention.
            """)

    @Argument(help: "Input model: Gaussian PLY (3DGS layout, SH degree 0-3), .spz or .splat.")
    var model: String

    @Option(help: "Output format: ply, splat or spz (default: from the output file's extension).")
    var format: ExportFormat?

    @Option(name: .shortAndLong, help: "Output file; its directory must exist.")
    var output: String

    @Option(help: "Keep SH bands up to this degree, 0-3 (default: all the model has; .splat always keeps 0).")
    var shDegree: Int?

    @Option(help: "SPZ version to write: 3 (default) or 2 (for older viewers).")
    var spzVersion = 3

    var resolvedFormat: ExportFormat? {
        format ?? ExportFormat(rawValue: URL(fileURLWithPath: output).pathExtension.lowercased())
    }

    func validate() throws {
        guard resolvedFormat != nil else {
            throw ValidationError("cannot tell the format from '\(output)'; pass --format ply|splat|spz")
        }
        if let shDegree, !(0...3).contains(shDegree) {
            throw ValidationError("--sh-degree must be 0, 1, 2 or 3 (got \(shDegree))")
        }
        guard spzVersion == 2 || spzVersion == 3 else {
            throw ValidationError("--spz-version must be 2 or 3 (got \(spzVersion))")
        }
        try CLIChecks.requireFile(model, what: "model")
        try CLIChecks.requireDirectory(URL(fileURLWithPath: output).deletingLastPathComponent().path, what: "output directory")
    }

    func run() throws {
        let cloud = try Export.readModel(path: model)
        let format = resolvedFormat!
        let antialiased = try Export.isAntialiased(path: model)
        if antialiased && !format.canRecordAntialiasing {
            Progress.line("note: \(model) was trained with antialiasing, which .splat cannot record: render it with --antialiasing")
        }
        OutputDirectory.sweep(URL(fileURLWithPath: output).deletingLastPathComponent().path)
        try Export.write(cloud, format: format, to: output, shDegree: shDegree, spzVersion: spzVersion, antialiased: antialiased)
        let degree = format == .splat ? 0 : min(shDegree ?? cloud.maxSHDegree, cloud.maxSHDegree)
        let size = (try? FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
        print("wrote \(cloud.count) Gaussians (SH degree \(degree)) as \(format.rawValue) to \(output) (\(size) bytes)")
    }
}

/// Argument checks shared by render, eval and export: existence of inputs and output folders,
/// reported as usage errors before any work starts.
enum CLIChecks {
    static func requireFile(_ path: String, what: String) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw ValidationError("\(what) '\(path)' does not exist")
        }
        guard !isDir.boolValue else { throw ValidationError("\(what) '\(path)' is a directory, not a file") }
    }

    static func requireDirectory(_ path: String, what: String) throws {
        var isDir: ObjCBool = false
        let dir = path.isEmpty ? "." : path
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) else {
            throw ValidationError("\(what) '\(dir)' does not exist")
        }
        guard isDir.boolValue else { throw ValidationError("\(what) '\(dir)' is not a directory") }
        guard FileManager.default.isWritableFile(atPath: dir) else {
            throw ValidationError("\(what) '\(dir)' is not writable")
        }
    }
}
