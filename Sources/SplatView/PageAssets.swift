import Foundation

/// The page's files (Sources/SplatView/Page), read once from the bundle into memory. Requests
/// are answered by exact name lookup in this table, so no URL can reach the file system.
struct PageAssets: Sendable {
    struct Asset: Sendable {
        var data: Data
        var contentType: String
    }
    let files: [String: Asset]

    static let names = ["index.html", "style.css", "viewer.js", "camera.js", "controls.js", "renderer.js",
                        "sort-worker.js", "plots.js"]

    static func load() throws -> PageAssets {
        var files: [String: Asset] = [:]
        for name in names {
            let ext = (name as NSString).pathExtension, stem = (name as NSString).deletingPathExtension
            guard let url = Bundle.module.url(forResource: stem, withExtension: ext, subdirectory: "Page"),
                  let data = FileManager.default.contents(atPath: url.path) else {
                throw ViewerError(path: "Page/\(name)", reason: "page file missing from the SplatView bundle")
            }
            files[name] = Asset(data: data, contentType: contentType(ext))
        }
        return PageAssets(files: files)
    }

    static func contentType(_ ext: String) -> String {
        switch ext {
        case "html": return "text/html; charset=utf-8"
        case "css": return "text/css; charset=utf-8"
        case "js": return "text/javascript; charset=utf-8"
        default: return "application/octet-stream"
        }
    }
}

/// Errors of the viewer: `<file or address>: <what is wrong>` (docs/architecture.md, Errors).
public struct ViewerError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "\(path): \(reason)" }
}
