import Foundation
import SplatCore
import Testing
@testable import SplatInit
import SplatIO

@Suite struct ColmapRunnerTests {
    static let example = CorrespondenceFilesTests.repoRoot.appendingPathComponent("Fixtures/example").path

    /// A stand-in `colmap` that logs each call and produces COLMAP's output layout from the
    /// example fixture's model, so the orchestration is tested without the real binary.
    static func fakeColmap(in dir: String) throws {
        let script = """
        #!/bin/sh
        echo "$1" >> "\(dir)/calls.txt"
        cmd="$1"; shift
        while [ $# -gt 0 ]; do
          case "$1" in
            --output_path) out="$2" ;;
            --database_path) db="$2" ;;
          esac
          shift
        done
        case "$cmd" in
          feature_extractor) touch "$db" ;;
          mapper) mkdir -p "$out/0" && cp "\(example)/sparse/0/"* "$out/0/" ;;
          image_undistorter) mkdir -p "$out/sparse" && cp "\(example)/sparse/0/"* "$out/sparse/" && ln -s "\(example)/images" "$out/images" ;;
        esac
        echo "fake colmap $cmd done"
        """
        try script.write(toFile: dir + "/colmap", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir + "/colmap")
    }

    @Test func imageFolderIsRecognisedButPosedScenesAreNot() {
        #expect(ColmapRunner.imageFolder(Self.example) == nil)  // has sparse/
        #expect(ColmapRunner.imageFolder(Self.example + "/images") == Self.example + "/images")
    }

    @Test func runsTheFourStepsThenReusesTheWorkspace() throws {
        let dir = try CorrespondenceFilesTests.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.fakeColmap(in: dir)
        let ws = dir + "/out/colmap"
        var messages = [String]()
        let scene = try ColmapRunner.run(images: Self.example + "/images", workspace: ws, environmentPath: dir + ":/usr/bin:/bin",
                                         progress: { messages.append($0) })
        #expect(scene == ws + "/undistorted")
        let calls = try String(contentsOfFile: dir + "/calls.txt", encoding: .utf8)
        // 77 images > 50: sequential matching.
        #expect(calls == "feature_extractor\nsequential_matcher\nmapper\nimage_undistorter\n")
        #expect(messages.count == 4 && messages[0].hasPrefix("colmap 1/4: feature_extractor (77 images"))
        #expect(try SceneLoader.load(scene).cameras.count == 77)
        // A rerun does not call colmap again, even when it is gone.
        try FileManager.default.removeItem(atPath: dir + "/colmap")
        #expect(try ColmapRunner.run(images: Self.example + "/images", workspace: ws, environmentPath: dir) == scene)
    }

    @Test func missingColmapSaysHowToInstallIt() throws {
        let dir = try CorrespondenceFilesTests.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let e = #expect(throws: InitError.self) {
            try ColmapRunner.run(images: Self.example + "/images", workspace: dir + "/colmap", environmentPath: dir)
        }
        #expect(e?.description.contains("apt-get install colmap") == true)
    }

    @Test func failingStepIsAnErrorNamingTheLog() throws {
        let dir = try CorrespondenceFilesTests.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "#!/bin/sh\necho \"bad things in $1\"\nexit 3\n".write(toFile: dir + "/colmap", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir + "/colmap")
        let e = #expect(throws: InitError.self) {
            try ColmapRunner.run(images: Self.example + "/images", workspace: dir + "/ws", environmentPath: dir)
        }
        #expect(e?.description == dir + "/ws/colmap.log: colmap feature_extractor failed with status 3: bad things in feature_extractor")
        #expect(!FileManager.default.fileExists(atPath: dir + "/ws/done"))
    }
}
