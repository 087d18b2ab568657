import Foundation
import Testing

/// `splat init` / `splat run` on a folder of photos without poses, with a stand-in `colmap` on
/// PATH that registers only 4 of 6 photos: the COLMAP report and the warning must reach the
/// user and init.json.
@Suite struct PhotosCLITests {
    static let tiny = CLI.repoRoot.appendingPathComponent("Fixtures/colmap_tiny").path

    /// photos/ (colmap_tiny's 4 plus two copies that nothing registers) and bin/colmap.
    static func setUp(_ dir: URL) throws -> (photos: String, path: String) {
        let fm = FileManager.default
        let photos = dir.appendingPathComponent("photos").path, bin = dir.appendingPathComponent("bin").path
        try fm.createDirectory(atPath: photos, withIntermediateDirectories: true)
        try fm.createDirectory(atPath: bin, withIntermediateDirectories: true)
        for n in 1...4 { try fm.copyItem(atPath: "\(tiny)/images/\(n).jpg", toPath: "\(photos)/\(n).jpg") }
        for n in 5...6 { try fm.copyItem(atPath: "\(tiny)/images/1.jpg", toPath: "\(photos)/\(n).jpg") }
        let script = """
        #!/bin/sh
        cmd="$1"; shift
        while [ $# -gt 0 ]; do
          case "$1" in --output_path) out="$2" ;; --input_path) in="$2" ;; --database_path) db="$2" ;; esac
          shift
        done
        case "$cmd" in
          feature_extractor) touch "$db" ;;
          mapper) mkdir -p "$out/0" && cp "\(tiny)/sparse_txt/"* "$out/0/" ;;
          image_undistorter) mkdir -p "$out/sparse" && cp "$in/"* "$out/sparse/" && ln -s "\(photos)" "$out/images" ;;
        esac
        """
        try script.write(toFile: bin + "/colmap", atomically: true, encoding: .utf8)
        try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bin + "/colmap")
        return (photos, bin + ":/usr/bin:/bin")
    }

    @Test func initSaysWhatCOLMAPRegisteredAndWarns() throws {
        let dir = try CLI.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (photos, path) = try Self.setUp(dir)
        let out = dir.appendingPathComponent("out").path
        let r = try CLI.run(["init", photos, "--output", out, "--quiet", "--matches-per-ref", "2000"], environment: ["PATH": path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("colmap: registered 4 of 6 photos, "))
        #expect(r.stderr.contains("colmap: left out 2: 5.jpg, 6.jpg"))
        #expect(r.stderr.contains("warning: COLMAP registered only 4 of 6 photos (67%)"))
        #expect(r.stderr.contains("exhaustive matching, one shared OPENCV camera (all 6 photos 200x150, no EXIF model)"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/init.json"))) as! [String: Any]
        let colmap = try #require(json["colmap"] as? [String: Any])
        #expect(colmap["registered"] as? Int == 4 && colmap["images"] as? Int == 6)
        #expect(colmap["leftOut"] as? [String] == ["5.jpg", "6.jpg"])
        #expect((colmap["warning"] as? String)?.contains("What usually helps") == true)
        #expect(r.stdout.contains(" sampled, ") && r.stdout.contains(" kept, "))
    }

    @Test func runPrintsTheReportTooAndFlagsReachCOLMAP() throws {
        let dir = try CLI.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (photos, path) = try Self.setUp(dir)
        let out = dir.appendingPathComponent("out").path
        let r = try CLI.run(["run", photos, "--output", out, "--iterations", "0", "--orbit-frames", "0",
                             "--matches-per-ref", "2000", "--colmap-matcher", "sequential", "--colmap-camera", "per-image",
                             "--colmap-max-image-size", "800"], environment: ["PATH": path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("colmap: registered 4 of 6 photos, "))
        #expect(r.stdout.contains("warning: COLMAP registered only 4 of 6 photos (67%)"))
        #expect(r.stdout.contains("--colmap-matcher exhaustive (the photos may not be in capture order)"))
        #expect(r.stdout.contains("sequential matching, one per photo SIMPLE_RADIAL camera (--colmap-camera per-image), SIFT at ≤ 800 px"))
        #expect(r.stdout.contains("init: wrote ") && r.stdout.contains(" sampled matches kept"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/init.json"))) as! [String: Any]
        #expect((json["colmap"] as? [String: Any])?["registered"] as? Int == 4)
    }
}
