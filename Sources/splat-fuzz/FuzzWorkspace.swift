import Foundation
import SplatCore
import SplatIO
import SplatInit

/// A private scratch directory where path-based readers find their input, next to valid
/// companion files from Fixtures/ so that a fuzzed file is read in a realistic scene.
final class FuzzWorkspace: @unchecked Sendable {
    let root: String
    let fixtures: String

    init(fixtures: String) throws {
        self.fixtures = fixtures
        // libFuzzer ends the process without returning, so scripts/fuzz.sh names (and removes) it.
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        root = ProcessInfo.processInfo.environment["SPLAT_FUZZ_SCRATCH"] ?? "\(base)/splat-fuzz-\(getpid())"
        let fm = FileManager.default
        try? fm.removeItem(atPath: root)
        for dir in ["colmap/sparse/0", "colmap_txt/sparse/0", "nerf", "matches"] {
            try fm.createDirectory(atPath: "\(root)/\(dir)", withIntermediateDirectories: true)
        }
        for name in ["cameras.bin", "images.bin", "points3D.bin"] {
            try fm.copyItem(atPath: "\(fixtures)/colmap_tiny/sparse/0/\(name)", toPath: "\(root)/colmap/sparse/0/\(name)")
        }
        try fm.createSymbolicLink(atPath: "\(root)/colmap/images", withDestinationPath: "\(fixtures)/colmap_tiny/images")
        try fm.createSymbolicLink(atPath: "\(root)/colmap_txt/images", withDestinationPath: "\(fixtures)/colmap_tiny/images")
        try fm.createSymbolicLink(atPath: "\(root)/nerf/images", withDestinationPath: "\(fixtures)/nerf_ngp/images")
        for split in ["train", "test"] {
            try fm.createSymbolicLink(atPath: "\(root)/nerf/\(split)", withDestinationPath: "\(fixtures)/nerf_blender/\(split)")
        }
        try "a.jpg b.jpg list.txt\n".write(toFile: "\(root)/matches/pairs.txt", atomically: false, encoding: .utf8)
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }

    @discardableResult
    func write(_ data: Data, as relative: String) throws -> String {
        let path = "\(root)/\(relative)"
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Loads the tiny COLMAP scene with one of its three files replaced by `data`.
    func loadColmap(binary: Bool, replacing name: String, with data: Data) throws -> Scene {
        let original = "\(fixtures)/colmap_tiny/sparse/0/\(name)"
        try write(data, as: "colmap/sparse/0/\(name)")
        defer { try? FileManager.default.removeItem(atPath: "\(root)/colmap/sparse/0/\(name)")
                try? FileManager.default.copyItem(atPath: original, toPath: "\(root)/colmap/sparse/0/\(name)") }
        return try SceneLoader.load("\(root)/colmap")
    }

    /// Text model: the input holds cameras.txt, images.txt and points3D.txt separated by NUL
    /// bytes; a missing part is taken from Fixtures/colmap_tiny/sparse_txt.
    func loadColmapText(_ data: Data) throws -> Scene {
        let parts = data.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
        for (i, name) in ["cameras.txt", "images.txt", "points3D.txt"].enumerated() {
            let content = i < parts.count ? Data(parts[i])
                : (FileManager.default.contents(atPath: "\(fixtures)/colmap_tiny/sparse_txt/\(name)") ?? Data())
            try write(content, as: "colmap_txt/sparse/0/\(name)")
        }
        return try SceneLoader.load("\(root)/colmap_txt")
    }

    func loadTransforms(_ data: Data) throws -> Scene {
        try SceneLoader.load(try write(data, as: "nerf/transforms.json"))
    }

    /// Two 64x48 pinhole train views (the second downscaled by 2) matched by the list in `data`.
    func loadMatchList(_ data: Data) throws -> [ReferenceMatches] {
        try write(data, as: "matches/list.txt")
        let intr = CameraIntrinsics(fx: 50, fy: 50, cx: 32, cy: 24, width: 64, height: 48)
        let pose = CameraFromWorld(rotation: .identity, translation: .zero)
        var a = Camera(name: "a.jpg", imagePath: nil, intrinsics: intr, pose: pose)
        var b = a
        b.name = "b.jpg"
        a.imageDownscale = 1
        b.imageDownscale = 2
        let scene = Scene(source: root, format: "fuzz", cameras: [a, b], trainIndices: [0, 1], testIndices: [])
        return try CorrespondenceFiles.load(directory: "\(root)/matches", scene: scene)
    }
}
