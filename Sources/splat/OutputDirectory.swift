import ArgumentParser
import Foundation
import SplatCore

/// The directories commands write into: checked before work starts, created on demand, swept of
/// stale temporaries, and the only place file names derived from dataset image names are made.
enum OutputDirectory {
    /// The directory may be missing (it is created with its parents, like `mkdir -p`), but its
    /// nearest existing ancestor must be a writable directory.
    static func validate(_ path: String) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
            guard isDir.boolValue else { throw ValidationError("output '\(path)' exists and is not a directory") }
            guard FileManager.default.isWritableFile(atPath: path) else {
                throw ValidationError("output directory '\(path)' is not writable")
            }
            return
        }
        var ancestor = URL(fileURLWithPath: path).standardizedFileURL
        while !FileManager.default.fileExists(atPath: ancestor.path, isDirectory: &isDir) {
            ancestor = ancestor.deletingLastPathComponent()
        }
        guard isDir.boolValue else {
            throw ValidationError("cannot create output directory '\(path)': '\(ancestor.path)' is not a directory")
        }
        guard FileManager.default.isWritableFile(atPath: ancestor.path) else {
            throw ValidationError("cannot create output directory '\(path)': '\(ancestor.path)' is not writable")
        }
    }

    /// Creates the directory (with parents) and removes temporaries that killed runs left in it.
    static func create(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw RenderError(path: path, reason: "cannot create output directory")
        }
        sweep(path)
    }

    /// Removes `.<name>.<pid>.tmp` files of dead processes from an existing directory.
    static func sweep(_ path: String) {
        for name in AtomicFile.sweepStaleTemporaries(in: path) {
            Progress.line("removed \(path)/\(name), a temporary file left by a killed run")
        }
    }

    /// File stem for an image name: folders flattened with '_', extension dropped
    /// ("test/r_0.png" → "test_r_0"). Names come from datasets, so the result is made safe to
    /// join to a directory: the path components "", "." and ".." are dropped, '/' and '\' never
    /// survive, control characters become '_', a leading '.' becomes '_' (no hidden files, no
    /// clash with AtomicFile's temporaries), and it is at most 200 bytes.
    static func stem(for imageName: String) -> String {
        let parts = imageName.split(whereSeparator: { $0 == "/" || $0 == "\\" }).filter { $0 != "." && $0 != ".." }
        var flat = parts.joined(separator: "_")
        let ext = (flat as NSString).pathExtension
        if !ext.isEmpty && ext.count < flat.count - 1 { flat = String(flat.dropLast(ext.count + 1)) }
        var scalars = String.UnicodeScalarView()
        for u in flat.unicodeScalars { scalars.append(u.value < 0x20 || u.value == 0x7F ? "_" : u) }
        flat = String(scalars)
        while flat.hasPrefix(".") { flat = "_" + flat.dropFirst() }
        while flat.utf8.count > 200 { flat.removeLast() }
        return flat.isEmpty ? "view" : flat
    }

    /// Stems for a list of image names, distinct: when two names give the same stem, the later
    /// one gets "-2", "-3", … so that no render overwrites another. `suffixes` are the extra
    /// files written per view (render's "_depth", "_alpha"); they are kept distinct too.
    static func stems(for imageNames: [String], suffixes: [String] = []) -> [String] {
        var taken = Set<String>(), out = [String]()
        out.reserveCapacity(imageNames.count)
        for name in imageNames {
            let base = stem(for: name)
            var candidate = base, k = 1
            while taken.contains(candidate) || suffixes.contains(where: { taken.contains(candidate + $0) }) {
                k += 1; candidate = "\(base)-\(k)"
            }
            taken.insert(candidate)
            for s in suffixes { taken.insert(candidate + s) }
            out.append(candidate)
        }
        return out
    }
}
