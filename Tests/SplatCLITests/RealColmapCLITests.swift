import Foundation
import SplatCore
import SplatIO
import Testing

/// The real `colmap` binary (not a stand-in script) through `splat init` on a folder of photos:
/// the photo-folder path must give a loadable model and an init. The photos are renders of a
/// densely textured synthetic cloud from the bundled example's train cameras (400x300): the
/// example's own 200x150 photos are too small for COLMAP to register reliably (its mapper found
/// no initial pair in 3 of 4 tries here). scripts/test.sh installs colmap, so CI runs this; it
/// is skipped only where colmap is absent.
struct RealColmapCLITests {
    static let colmapPath = ["/usr/bin/colmap", "/usr/local/bin/colmap"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// 40k small opaque Gaussians of random colours scattered around the example's SfM points.
    static func texturedCloud() throws -> GaussianCloud {
        let scene = try SceneLoader.load(CLI.repoRoot.appendingPathComponent("Fixtures/example").path)
        let centre = scene.points.reduce(SIMD3<Float>.zero, +) / Float(scene.points.count)
        let distances = scene.points.map { ($0 - centre).length }.sorted()
        let near = scene.points.filter { ($0 - centre).length <= distances[distances.count * 9 / 10] }
        var rng = SplatRandom(seed: 1)
        let n = 40_000
        var cloud = GaussianCloud(count: n, maxSHDegree: 0)
        for i in 0..<n {
            let p = near[Int(rng.next() % UInt64(near.count))]
            for k in 0..<3 {
                cloud.means[i * 3 + k] = p[k] + (rng.nextFloat() - 0.5) * 0.17
                cloud.logScales[i * 3 + k] = logf(0.02)
                cloud.shDC[i * 3 + k] = SH.dc(fromRGB: rng.nextFloat())
            }
            cloud.opacityLogits[i] = 4
        }
        return cloud
    }

    @Test(.enabled(if: colmapPath != nil, "needs colmap (scripts/install-deps.sh --tools)"), .timeLimit(.minutes(20)))
    func photoFolderThroughRealColmapGivesAnInit() throws {
        let dir = try CLI.makeTempDir("splat-real-colmap")
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = dir.appendingPathComponent("textured.ply").path
        try GaussianPLY.write(try Self.texturedCloud(), to: model)
        // Every 3rd train view of the example: 23 photos, neighbours ~15° apart.
        let example = CLI.repoRoot.appendingPathComponent("Fixtures/example").path
        let views = try SceneLoader.load(example).trainCameras.enumerated().filter { $0.offset % 3 == 0 }.map(\.element.name)
        let photos = dir.appendingPathComponent("photos").path
        let rendered = try CLI.run(["render", model, "--scene", example, "--views", views.joined(separator: ","),
                                    "--width", "400", "--output", photos])
        #expect(rendered.status == 0, "\(rendered.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: photos).filter { $0.hasSuffix(".png") }
        #expect(names.count == views.count)

        let out = dir.appendingPathComponent("out").path
        let r = try CLI.run(["init", photos, "--output", out, "--num-refs", "2", "--matches-per-ref", "2000", "--match-size", "200", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        // COLMAP's model as splat loads it: most photos registered (19 of 23 in each run here).
        let scene = try SceneLoader.load(out + "/colmap/undistorted")
        #expect(scene.cameras.count >= 15, "COLMAP registered only \(scene.cameras.count) of \(names.count)")
        #expect(scene.points.count > 500)
        let cloud = try GaussianPLY.read(path: out + "/init.ply")
        #expect(cloud.count > 1000)
    }
}
