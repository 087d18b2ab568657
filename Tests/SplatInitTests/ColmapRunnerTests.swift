import Foundation
import SplatCore
import Testing
@testable import SplatInit
import SplatIO

@Suite struct ColmapRunnerTests {
    static let example = CorrespondenceFilesTests.repoRoot.appendingPathComponent("Fixtures/example").path

    static let tiny = CorrespondenceFilesTests.repoRoot.appendingPathComponent("Fixtures/colmap_tiny").path

    /// A stand-in `colmap` that logs each call (calls.txt: the command; args.txt: everything)
    /// and produces COLMAP's output layout from a fixture model, so the orchestration is tested
    /// without the real binary. `models`: folders copied to sparse/0, sparse/1, … by the mapper;
    /// the undistorter copies whichever `--input_path` names and links `images`.
    static func fakeColmap(in dir: String, models: [String] = [example + "/sparse/0"], images: String = example + "/images") throws {
        let copies = models.enumerated().map { "mkdir -p \"$out/\($0.offset)\" && cp \"\($0.element)/\"* \"$out/\($0.offset)/\"" }
            .joined(separator: " && ")
        let script = """
        #!/bin/sh
        echo "$1" >> "\(dir)/calls.txt"
        echo "$@" >> "\(dir)/args.txt"
        cmd="$1"; shift
        while [ $# -gt 0 ]; do
          case "$1" in
            --output_path) out="$2" ;;
            --input_path) in="$2" ;;
            --database_path) db="$2" ;;
          esac
          shift
        done
        case "$cmd" in
          feature_extractor) touch "$db" ;;
          mapper) \(copies) ;;
          image_undistorter) mkdir -p "$out/sparse" && cp "$in/"* "$out/sparse/" && ln -s "\(images)" "$out/images" ;;
        esac
        echo "fake colmap $cmd done"
        """
        try script.write(toFile: dir + "/colmap", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir + "/colmap")
    }

    /// colmap_tiny's 4 photos plus `extra` copies named 5.jpg, 6.jpg, … that no model registers.
    static func photoFolder(in dir: String, extra: Int) throws -> String {
        let fm = FileManager.default
        let photos = dir + "/photos"
        try fm.createDirectory(atPath: photos, withIntermediateDirectories: true)
        for n in 1...4 { try fm.copyItem(atPath: "\(tiny)/images/\(n).jpg", toPath: "\(photos)/\(n).jpg") }
        for k in 0..<extra { try fm.copyItem(atPath: "\(tiny)/images/1.jpg", toPath: "\(photos)/\(5 + k).jpg") }
        return photos
    }

    /// A text model holding only the first `keep` images of colmap_tiny's.
    static func partialModel(in dir: String, keep: Int) throws -> String {
        let model = dir + "/partial\(keep)"
        try FileManager.default.createDirectory(atPath: model, withIntermediateDirectories: true)
        for f in ["cameras.txt", "points3D.txt"] {
            try FileManager.default.copyItem(atPath: "\(tiny)/sparse_txt/\(f)", toPath: "\(model)/\(f)")
        }
        let lines = try String(contentsOfFile: "\(tiny)/sparse_txt/images.txt", encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let header = lines.prefix { $0.hasPrefix("#") }
        let data = lines.dropFirst(header.count).prefix(2 * keep)
        try (header + data).joined(separator: "\n").appending("\n").write(toFile: model + "/images.txt", atomically: true, encoding: .utf8)
        return model
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
        let run = try ColmapRunner.run(images: Self.example + "/images", workspace: ws, environmentPath: dir + ":/usr/bin:/bin",
                                       progress: { messages.append($0) })
        #expect(run.scene == ws + "/undistorted")
        let calls = try String(contentsOfFile: dir + "/calls.txt", encoding: .utf8)
        // An unordered set of photos: exhaustive matching.
        #expect(calls == "feature_extractor\nexhaustive_matcher\nmapper\nimage_undistorter\n")
        let args = try String(contentsOfFile: dir + "/args.txt", encoding: .utf8)
        // 77 photos of one size without EXIF: one shared OPENCV camera, SIFT at 1600 px.
        #expect(args.contains("--ImageReader.single_camera 1 --ImageReader.camera_model OPENCV --SiftExtraction.max_image_size 1600 --SiftExtraction.use_gpu 0 --SiftExtraction.peak_threshold 0.002"))
        #expect(args.contains("--input_path \(ws)/sparse/0 "))
        // COLMAP is given exactly the photos counted (it would read any decodable file in the folder).
        #expect(args.contains("--image_list_path \(ws)/image_list.txt "))
        let listed = try String(contentsOfFile: ws + "/image_list.txt", encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(listed == ColmapRunner.imageNames(Self.example + "/images") && listed.count == 77)
        #expect(messages.count == 4 && messages[0].hasPrefix("colmap 1/4: feature_extractor (77 images"))
        #expect(try SceneLoader.load(run.scene).cameras.count == 77)
        #expect(run.report.registered == 77 && run.report.images == 77 && run.report.leftOut.isEmpty && run.report.warning == nil)
        #expect(run.report.points == 4194 && run.report.models == [77] && run.report.chosenModel == 0)
        #expect(run.report.meanReprojectionErrorPx > 0.1 && run.report.meanReprojectionErrorPx < 2)
        #expect(run.report.settings.cameraReason == "all 77 photos 200x150, no EXIF model")
        // A rerun does not call colmap again, even when it is gone, and gives the same report.
        try FileManager.default.removeItem(atPath: dir + "/colmap")
        let again = try ColmapRunner.run(images: Self.example + "/images", workspace: ws, environmentPath: dir)
        #expect(again.scene == run.scene && again.report == run.report)
    }

    @Test func partialRegistrationIsReportedWithTheLargestModelAndAWarning() throws {
        let dir = try CorrespondenceFilesTests.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let photos = try Self.photoFolder(in: dir, extra: 2)
        // The mapper makes two models: sparse/0 with 1 photo, sparse/1 with 4.
        try Self.fakeColmap(in: dir, models: [try Self.partialModel(in: dir, keep: 1), try Self.partialModel(in: dir, keep: 4)],
                            images: photos)
        var messages = [String]()
        let run = try ColmapRunner.run(images: photos, workspace: dir + "/ws", environmentPath: dir + ":/usr/bin:/bin",
                                       progress: { messages.append($0) })
        let r = run.report
        #expect(r.images == 6 && r.registered == 4 && r.leftOut == ["5.jpg", "6.jpg"])
        #expect(r.models == [1, 4] && r.chosenModel == 1)
        let args = try String(contentsOfFile: dir + "/args.txt", encoding: .utf8)
        #expect(args.contains("--input_path \(dir)/ws/sparse/1 "))
        #expect(messages.contains { $0.contains("made 2 models (1, 4 photos); undistorting model 1, the largest") })
        #expect(try SceneLoader.load(run.scene).cameras.map(\.name) == ["1.jpg", "2.jpg", "3.jpg", "4.jpg"])
        let warning = try #require(r.warning)
        #expect(warning.hasPrefix("COLMAP registered only 4 of 6 photos (67%)"))
        #expect(warning.contains("What usually helps"))
        let lines = r.lines
        #expect(lines[0].hasPrefix("colmap: registered 4 of 6 photos, "))
        #expect(lines.contains("colmap: left out 2: 5.jpg, 6.jpg"))
        #expect(lines.last == "warning: " + warning)
        // 5 of 6 (83%) is above the 80% line: no warning.
        let dir2 = try CorrespondenceFilesTests.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir2) }
        let photos2 = try Self.photoFolder(in: dir2, extra: 1)
        try Self.fakeColmap(in: dir2, models: [Self.tiny + "/sparse_txt"], images: photos2)
        let five = try ColmapRunner.run(images: photos2, workspace: dir2 + "/ws", environmentPath: dir2 + ":/usr/bin:/bin")
        #expect(five.report.registered == 4 && five.report.images == 5 && five.report.warning == nil)
    }

    @Test func videoFramesMatchSequentiallyAndChangedSettingsRunAgain() throws {
        let dir = try CorrespondenceFilesTests.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.fakeColmap(in: dir)
        var o = ColmapOptions(); o.videoFrames = true
        let first = try ColmapRunner.run(images: Self.example + "/images", workspace: dir + "/ws", options: o,
                                         environmentPath: dir + ":/usr/bin:/bin")
        #expect(first.report.settings.matcher == "sequential")
        var calls = try String(contentsOfFile: dir + "/calls.txt", encoding: .utf8)
        #expect(calls == "feature_extractor\nsequential_matcher\nmapper\nimage_undistorter\n")
        #expect(try String(contentsOfFile: dir + "/args.txt", encoding: .utf8).contains("--SequentialMatching.overlap 10"))
        // The same settings reuse the workspace; another matcher runs COLMAP again.
        _ = try ColmapRunner.run(images: Self.example + "/images", workspace: dir + "/ws", options: o, environmentPath: dir)
        o.matching = .exhaustive
        var messages = [String]()
        let second = try ColmapRunner.run(images: Self.example + "/images", workspace: dir + "/ws", options: o,
                                          environmentPath: dir + ":/usr/bin:/bin", progress: { messages.append($0) })
        calls = try String(contentsOfFile: dir + "/calls.txt", encoding: .utf8)
        #expect(calls.hasSuffix("image_undistorter\nfeature_extractor\nexhaustive_matcher\nmapper\nimage_undistorter\n"))
        #expect(second.report.settings.matcher == "exhaustive")
        #expect(messages.first?.hasPrefix("colmap: settings changed") == true)
    }

    /// Against COLMAP 3.8's model_analyzer on cup360's own model: "Registered images: 77,
    /// Points: 9262, Observations: 57847, Mean reprojection error: 0.590517px".
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/work/shared/data/cup360/sparse/0/points3D.bin")))
    func modelSummaryAgreesWithCOLMAPsModelAnalyzer() throws {
        let s = try ColmapModelSummary.read(directory: "/work/shared/data/cup360/sparse/0")
        #expect(s.imageNames.count == 77 && s.pointCount == 9262 && s.observations == 57847)
        #expect(abs(s.meanReprojectionErrorPx - 0.590517) < 5e-7)
    }

    @Test func smallPhotosGetALowerSIFTThreshold() throws {
        // The example's 200x150 photos: more features; colmap_tiny's are 200x150 too.
        let s = ColmapRunner.resolve(ColmapOptions(), images: Self.example + "/images", names: ColmapRunner.imageNames(Self.example + "/images"))
        #expect(s.siftPeakThreshold == 0.002)
        var o = ColmapOptions(); o.siftPeakThreshold = 0.004
        #expect(ColmapRunner.resolve(o, images: Self.example + "/images", names: ["1.jpg"]).siftPeakThreshold == 0.004)
    }

    @Test func photosOfDifferentSizesGetOneCameraEach() throws {
        let dir = try CorrespondenceFilesTests.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let photos = try Self.photoFolder(in: dir, extra: 0)
        let other = CorrespondenceFilesTests.repoRoot.appendingPathComponent("Fixtures/images/baseline.jpg").path
        try FileManager.default.copyItem(atPath: other, toPath: photos + "/9.jpg")
        let s = ColmapRunner.resolve(ColmapOptions(), images: photos, names: ColmapRunner.imageNames(photos))
        #expect(!s.sharedCamera && s.cameraModel == "SIMPLE_RADIAL" && s.cameraReason == "2 different photo sizes")
        var o = ColmapOptions(); o.camera = .single; o.cameraModel = "PINHOLE"
        let forced = ColmapRunner.resolve(o, images: photos, names: ColmapRunner.imageNames(photos))
        #expect(forced.sharedCamera && forced.cameraModel == "PINHOLE")
    }

    /// A JPEG prefix whose APP1 holds a TIFF IFD0 with Make and Model, in either byte order.
    static func exifJPEG(make: String, model: String, littleEndian: Bool) -> [UInt8] {
        func u16(_ v: Int) -> [UInt8] { littleEndian ? [UInt8(v & 255), UInt8(v >> 8)] : [UInt8(v >> 8), UInt8(v & 255)] }
        func u32(_ v: Int) -> [UInt8] { littleEndian ? u16(v & 0xFFFF) + u16(v >> 16) : u16(v >> 16) + u16(v & 0xFFFF) }
        let mk = Array(make.utf8) + [0], md = Array(model.utf8) + [0]
        let dataStart = 8 + 2 + 2 * 12 + 4
        var tiff: [UInt8] = (littleEndian ? [0x49, 0x49] : [0x4D, 0x4D]) + u16(42) + u32(8) + u16(2)
        tiff += u16(0x010F) + u16(2) + u32(mk.count) + u32(dataStart)
        tiff += u16(0x0110) + u16(2) + u32(md.count) + u32(dataStart + mk.count)
        tiff += u32(0) + mk + md
        let body = Array("Exif\0\0".utf8) + tiff
        let length = body.count + 2
        return [0xFF, 0xD8, 0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 255)] + body + [0xFF, 0xDA, 0, 2]
    }

    @Test func exifMakeAndModelAreReadInBothByteOrdersAndDamageGivesNil() {
        for little in [true, false] {
            let t = PhotoCamera.exifTags(jpeg: Self.exifJPEG(make: "Canon", model: "EOS 80D", littleEndian: little))
            #expect(t?.make == "Canon" && t?.model == "EOS 80D")
        }
        let good = Self.exifJPEG(make: "Canon", model: "EOS 80D", littleEndian: true)
        // Every truncation and a corrupted byte anywhere: never a trap.
        for n in 0..<good.count { _ = PhotoCamera.exifTags(jpeg: Array(good.prefix(n))) }
        for i in good.indices { var b = good; b[i] ^= 0xFF; _ = PhotoCamera.exifTags(jpeg: b) }
        #expect(PhotoCamera.exifTags(jpeg: [0xFF, 0xD8, 0xFF, 0xDA, 0, 2]) == nil)
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
