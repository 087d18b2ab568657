import Foundation
import Testing

@Suite struct InfoCLITests {
    static func fixture(_ p: String) -> String { CLI.repoRoot.appendingPathComponent("Fixtures/" + p).path }

    @Test func infoOnTheExamplePrintsCountsSplitAndPoints() throws {
        let r = try CLI.run(["info", Self.fixture("example")])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("format: colmap-bin"))
        #expect(r.stdout.contains("cameras: 77\n"))
        #expect(r.stdout.contains("camera models: SIMPLE_PINHOLE\n"))
        #expect(r.stdout.contains("image sizes: 200x150\n"))
        #expect(r.stdout.contains("train: 67\n") && r.stdout.contains("test: 10 (1.jpg, 18.jpg, 25.jpg, 32.jpg, 4.jpg, ...)"))
        #expect(r.stdout.contains("sparse points: 4194\n"))
        #expect(r.stdout.contains("scene radius: ") && r.stdout.contains("camera centroid: "))
        #expect(r.stderr.isEmpty)
    }

    @Test func infoDownscaleAndWhiteBackground() throws {
        let r = try CLI.run(["info", Self.fixture("colmap_tiny"), "--downscale", "2", "--white-background"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("image sizes: 100x75\n") && r.stdout.contains("background: white"))
        #expect(r.stdout.contains("camera models: PINHOLE, SIMPLE_PINHOLE\n"))
    }

    @Test(arguments: [("nerf_blender", "blender", 3, 2, 1), ("nerf_ngp/transforms.json", "instant-ngp", 4, 3, 1),
                      ("nerf_nerfstudio", "nerfstudio", 4, 3, 1)])
    func infoOnNeRFFixtures(path: String, format: String, cameras: Int, train: Int, test: Int) throws {
        let r = try CLI.run(["info", Self.fixture(path)])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("format: \(format)\n") && r.stdout.contains("cameras: \(cameras)\n"))
        #expect(r.stdout.contains("train: \(train)\n") && r.stdout.contains("test: \(test) ("))
    }

    /// Every corrupt fixture: exit 1 and exactly one `error: <file>: ...` line on stderr.
    @Test func infoOnCorruptFixturesExitsOneWithOneErrorLine() throws {
        let list = try String(contentsOfFile: Self.fixture("corrupt/EXPECTED.txt"), encoding: .utf8)
        for line in list.split(separator: "\n") {
            let parts = line.split(separator: "\t").map(String.init)
            let dir = Self.fixture("corrupt/" + parts[0])
            let r = try CLI.run(["info", dir])
            #expect(r.status == 1, "\(parts[0])")
            let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
            #expect(lines.count == 1 && lines[0].hasPrefix("error: " + dir + "/"), "\(parts[0]): \(r.stderr)")
            for needle in parts.dropFirst() { #expect(r.stderr.contains(needle), "\(parts[0]): \(r.stderr)") }
            #expect(r.stdout.isEmpty)
        }
    }

    @Test func checkImagesDecodesEveryImage() throws {
        let r = try CLI.run(["info", Self.fixture("nerf_blender"), "--check-images"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("images: 3 decoded in "))
    }

    @Test func checkImagesReportsACorruptImage() throws {
        let dir = try CLI.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fm = FileManager.default
        try fm.createSymbolicLink(atPath: dir.path + "/sparse", withDestinationPath: Self.fixture("colmap_tiny/sparse"))
        try fm.createDirectory(atPath: dir.path + "/images", withIntermediateDirectories: false)
        for n in ["1.jpg", "2.jpg", "4.jpg"] { try fm.copyItem(atPath: Self.fixture("colmap_tiny/images/" + n), toPath: dir.path + "/images/" + n) }
        // Header intact (size readable), pixel data cut off.
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.fixture("colmap_tiny/images/3.jpg")))
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: dir.path + "/images/3.jpg"))
        let plain = try CLI.run(["info", dir.path])
        #expect(plain.status == 0)
        let r = try CLI.run(["info", dir.path, "--check-images"])
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("error: " + dir.path + "/images/3.jpg: cannot decode jpeg: JPEG: "))
        #expect(r.stderr.split(separator: "\n").count == 1)
    }

    @Test func infoRejectsZeroDownscale() throws {
        let r = try CLI.run(["info", Self.fixture("example"), "--downscale", "0"])
        #expect(r.status != 0 && r.stderr.contains("--downscale must be at least 1"))
    }
}
