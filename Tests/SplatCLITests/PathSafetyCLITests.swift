import Foundation
import SplatIO
import Testing

/// Image names come from dataset files (transforms.json `file_path`, COLMAP images.txt), so
/// they must never steer where `render` and `eval --save-renders` write: names with "..",
/// absolute paths and folders become flat names inside the output directory, and two names
/// that flatten to the same file get "-2", "-3", … instead of overwriting each other.
@Suite struct PathSafetyCLITests {
    static let jpeg = CLI.repoRoot.appendingPathComponent("Fixtures/colmap_tiny/images/1.jpg").path

    /// Every file below `root` with its size and modification time.
    static func snapshot(_ root: URL) -> [String: String] {
        var out = [String: String]()
        let fm = FileManager.default
        for case let rel as String in fm.enumerator(atPath: root.path)?.allObjects ?? [] {
            let a = (try? fm.attributesOfItem(atPath: root.appendingPathComponent(rel).path)) ?? [:]
            out[rel] = "\(a[.size] ?? 0) \(a[.modificationDate] ?? 0)"
        }
        return out
    }

    static func copyImage(to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: jpeg, toPath: path)
    }

    /// Runs render --views all and eval --save-renders into root/out-*, checks that the only
    /// new files are there, with the expected names, all complete PNGs.
    static func checkWrites(root: URL, scene: String, expected: [String]) throws {
        let model = try RenderFixture.writeModel(in: root)
        let before = snapshot(root)
        let renderOut = root.appendingPathComponent("out-render").path, evalOut = root.appendingPathComponent("out-eval").path
        let r = try CLI.run(["render", model, "--scene", scene, "--views", "all", "-o", renderOut])
        #expect(r.status == 0, "\(r.stderr)")
        let e = try CLI.run(["eval", model, "--scene", scene, "--views", "all", "--save-renders", evalOut])
        #expect(e.status == 0, "\(e.stderr)")
        for out in [renderOut, evalOut] {
            let names = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
            #expect(names == expected.map { $0 + ".png" }.sorted(), "\(out)")
            for n in names { #expect((try? ImageCodec.decode(path: out + "/" + n)) != nil, "\(n)") }
        }
        // Outside the two output folders nothing was created or changed.
        let after = snapshot(root).filter { !$0.key.hasPrefix("out-render") && !$0.key.hasPrefix("out-eval") }
        #expect(after == before)
    }

    /// A transforms.json scene at `scene` whose frames name `names` (each a copy of one JPEG).
    static func transformsScene(_ scene: URL, names: [String]) throws {
        var frames = [[String: Any]]()
        for (i, name) in names.enumerated() {
            try? copyImage(to: name.hasPrefix("/") ? name : scene.path + "/" + name)
            let matrix: [[Double]] = [[1, 0, 0, Double(i) * 0.1], [0, -1, 0, 0], [0, 0, -1, 4], [0, 0, 0, 1]]
            frames.append(["file_path": name, "transform_matrix": matrix])
        }
        let json: [String: Any] = ["fl_x": 150.0, "fl_y": 150.0, "cx": 100.0, "cy": 75.0, "w": 200, "h": 150, "frames": frames]
        try JSONSerialization.data(withJSONObject: json).write(to: scene.appendingPathComponent("transforms.json"))
    }

    @Test func depthAndAlphaFilesNeverClashWithAnotherViewsImage() throws {
        let root = try CLI.makeTempDir("splat-paths")
        defer { try? FileManager.default.removeItem(at: root) }
        let scene = root.appendingPathComponent("scene")
        try Self.transformsScene(scene, names: ["a.jpg", "a_depth.jpg", "b_alpha.jpg", "b.jpg"])
        let model = try RenderFixture.writeModel(in: root), out = root.appendingPathComponent("out").path
        let r = try CLI.run(["render", model, "--scene", scene.path, "--views", "all", "--depth", "--alpha", "-o", out])
        #expect(r.status == 0, "\(r.stderr)")
        let views = ["a", "a_depth-2", "b", "b_alpha-2"]   // name order: a, a_depth, b, b_alpha
        let expected = (views.flatMap { [$0, $0 + "_depth", $0 + "_alpha"] }.map { $0 + ".png" } + views.map { $0 + "_depth.npy" }).sorted()
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted() == expected)
    }

    @Test func transformsImageNamesCannotEscapeTheOutputDirectory() throws {
        let root = try CLI.makeTempDir("splat-paths")
        defer { try? FileManager.default.removeItem(at: root) }
        let scene = root.appendingPathComponent("x/y/scene")
        let absolute = root.appendingPathComponent("abs/abs.jpg").path
        try Self.transformsScene(scene, names: ["../../escape.jpg", absolute, "a/../../b.jpg", "escape.jpg", "sub/c.jpg", "sub_c.jpg"])
        // Camera names sort as listed; the absolute path flattens to its components.
        let flatAbsolute = absolute.split(separator: "/").joined(separator: "_").replacingOccurrences(of: ".jpg", with: "")
        try Self.checkWrites(root: root, scene: scene.path,
                             expected: ["escape", flatAbsolute, "a_b", "escape-2", "sub_c", "sub_c-2"])
    }

    @Test func colmapImageNamesCannotEscapeTheOutputDirectory() throws {
        let root = try CLI.makeTempDir("splat-paths")
        defer { try? FileManager.default.removeItem(at: root) }
        let scene = root.appendingPathComponent("x/y/scene")
        let sparse = scene.appendingPathComponent("sparse/0")
        try FileManager.default.createDirectory(at: sparse, withIntermediateDirectories: true)
        let tiny = CLI.repoRoot.appendingPathComponent("Fixtures/colmap_tiny/sparse_txt")
        for f in ["cameras.txt", "points3D.txt"] {
            try FileManager.default.copyItem(at: tiny.appendingPathComponent(f), to: sparse.appendingPathComponent(f))
        }
        // Names are joined to <scene>/images/, so "/tmp/abs.jpg" is read from images/tmp/.
        let renames = ["1.jpg": "../../escape.jpg", "2.jpg": "/tmp/abs.jpg", "3.jpg": "a/../../b.jpg", "4.jpg": "../images/escape.jpg"]
        var text = try String(contentsOf: tiny.appendingPathComponent("images.txt"), encoding: .utf8)
        for (old, new) in renames {
            text = text.replacingOccurrences(of: " \(old)\n", with: " \(new)\n")
            try Self.copyImage(to: scene.path + "/images/" + new)
        }
        try text.write(to: sparse.appendingPathComponent("images.txt"), atomically: true, encoding: .utf8)
        // Sorted names: "../../escape.jpg", "../images/escape.jpg", "/tmp/abs.jpg", "a/../../b.jpg".
        try Self.checkWrites(root: root, scene: scene.path, expected: ["escape", "images_escape", "tmp_abs", "a_b"])
    }
}
