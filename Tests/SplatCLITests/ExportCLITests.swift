import Foundation
import SplatCore
import SplatIO
import Testing

@Suite struct ExportCLITests {
    static let input = CLI.repoRoot.appendingPathComponent("Fixtures/export/input.ply").path

    @Test func exportsSplatIdenticalToTheLibraryEncoding() throws {
        let dir = try CLI.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("m.splat").path
        let r = try CLI.run(["export", Self.input, "--output", out])  // format from the extension
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("wrote 16 Gaussians (SH degree 0) as splat"))
        let expected = try Data(contentsOf: CLI.repoRoot.appendingPathComponent("Fixtures/export/expected.splat"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == expected)
    }

    @Test func exportsSPZAndPLYWithReducedSHDegree() throws {
        let dir = try CLI.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spz = dir.appendingPathComponent("m.bin").path, ply = dir.appendingPathComponent("m1.ply").path
        #expect(try CLI.run(["export", Self.input, "--format", "spz", "-o", spz, "--sh-degree", "2"]).status == 0)
        let fromSPZ = try SPZ.read(path: spz)
        #expect(fromSPZ.count == 16 && fromSPZ.maxSHDegree == 2)
        #expect(try CLI.run(["export", Self.input, "--format", "ply", "-o", ply, "--sh-degree", "1"]).status == 0)
        let original = try GaussianPLY.read(path: Self.input)
        let reduced = try GaussianPLY.read(path: ply)
        #expect(reduced.maxSHDegree == 1 && reduced.means == original.means)
        #expect(reduced == original.withSHDegree(1))
    }

    @Test func spzConvertsBackToPLYAndRenders() throws {
        let dir = try CLI.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spz = dir.appendingPathComponent("m.spz").path, ply = dir.appendingPathComponent("back.ply").path
        #expect(try CLI.run(["export", Self.input, "-o", spz]).status == 0)
        let r = try CLI.run(["export", spz, "-o", ply])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try GaussianPLY.read(path: ply) == (try SPZ.read(path: spz)))
        let render = try CLI.run(["render", spz, "--scene", RenderFixture.scene, "-o", dir.appendingPathComponent("r").path, "--views", "1"])
        #expect(render.status == 0 && FileManager.default.fileExists(atPath: dir.appendingPathComponent("r/1.png").path), "\(render.stderr)")
    }

    @Test(arguments: [
        (["--format", "spz", "--sh-degree", "4"], "--sh-degree must be 0, 1, 2 or 3"),
        (["--format", "spz", "--spz-version", "4"], "--spz-version must be 2 or 3"),
        (["--format", "gltf"], "gltf"),
        ([String](), "cannot tell the format"),
    ])
    func badOptionsFailWithoutWritingAnything(extra: [String], message: String) throws {
        let dir = try CLI.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out.xyz").path
        let r = try CLI.run(["export", Self.input, "-o", out] + extra)
        #expect(r.status != 0)
        #expect(r.stderr.contains(message), "\(r.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test func missingInputAndMissingOutputDirectoryAreReported() throws {
        let dir = try CLI.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r1 = try CLI.run(["export", dir.appendingPathComponent("none.ply").path, "-o", dir.appendingPathComponent("a.spz").path])
        #expect(r1.status != 0 && r1.stderr.contains("does not exist"))
        let r2 = try CLI.run(["export", Self.input, "-o", dir.appendingPathComponent("sub/a.spz").path])
        #expect(r2.status != 0 && r2.stderr.contains("output directory"), "\(r2.stderr)")
        let r3 = try CLI.run(["export", Self.input, "-o", Self.input + "/a.spz"])
        #expect(r3.status != 0 && r3.stderr.contains("is not a directory"), "\(r3.stderr)")
    }

    @Test func corruptModelGivesOneLineError() throws {
        let dir = try CLI.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = CLI.repoRoot.appendingPathComponent("Fixtures/ply/corrupt_truncated.ply").path
        let r = try CLI.run(["export", bad, "-o", dir.appendingPathComponent("a.spz").path])
        #expect(r.status == 1)
        #expect(r.stderr == "error: \(bad): PLY element 'vertex' declares 4 records but the file ends before them (truncated?)\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }
}
