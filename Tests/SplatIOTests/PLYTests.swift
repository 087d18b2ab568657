import Foundation
import SplatCore
import Testing
@testable import SplatIO

/// Fixtures in Fixtures/ply/ are written by scripts/make_ply_fixtures.py with Python `plyfile`
/// (an independent implementation); their values follow `fixtureValue`.
enum PLYFixtures {
    static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func path(_ name: String) -> String { repoRoot.appendingPathComponent("Fixtures/ply/\(name)").path }

    /// value(i, j) of make_ply_fixtures.py: vertex i, property j in standard 3DGS order.
    static func value(_ i: Int, _ j: Int) -> Float { Float((i * 7 + j * 3) % 50) / 8 - 3 }

    /// The cloud the fixture formula describes, built through the file→memory SH mapping.
    static func expectedCloud(count: Int, degree: Int) -> GaussianCloud {
        var c = GaussianCloud(count: count, maxSHDegree: degree)
        let m = c.restCount
        for i in 0..<count {
            for k in 0..<3 {
                c.means[i * 3 + k] = value(i, k)
                c.shDC[i * 3 + k] = value(i, 6 + k)
            }
            for c3 in 0..<3 { for k in 0..<m { c.shRest[(i * m + k) * 3 + c3] = value(i, 9 + c3 * m + k) } }
            let tail = 9 + 3 * m
            c.opacityLogits[i] = value(i, tail)
            for k in 0..<3 { c.logScales[i * 3 + k] = value(i, tail + 1 + k) }
            for k in 0..<4 { c.rotations[i * 4 + k] = value(i, tail + 4 + k) }
        }
        return c
    }

    static func randomCloud(count: Int, degree: Int, seed: UInt64) -> GaussianCloud {
        var rng = SplatRandom(seed: seed)
        var c = GaussianCloud(count: count, maxSHDegree: degree)
        func fill(_ a: inout [Float]) { for i in a.indices { a[i] = Float(rng.nextGaussian()) * 3 } }
        fill(&c.means); fill(&c.logScales); fill(&c.rotations); fill(&c.opacityLogits); fill(&c.shDC); fill(&c.shRest)
        return c
    }
}

func bitsEqual(_ a: [Float], _ b: [Float]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }
}

func bitsEqual(_ a: GaussianCloud, _ b: GaussianCloud) -> Bool {
    a.count == b.count && a.maxSHDegree == b.maxSHDegree && bitsEqual(a.means, b.means)
        && bitsEqual(a.logScales, b.logScales) && bitsEqual(a.rotations, b.rotations)
        && bitsEqual(a.opacityLogits, b.opacityLogits) && bitsEqual(a.shDC, b.shDC) && bitsEqual(a.shRest, b.shRest)
}

func temporaryDirectory(_ label: String) throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url.path
}

@Suite struct PLYTests {
    @Test(arguments: [0, 1, 2, 3])
    func writeThenReadIsBitExact(degree: Int) throws {
        var cloud = PLYFixtures.randomCloud(count: 37, degree: degree, seed: UInt64(degree))
        cloud.means[0] = -0.0; cloud.logScales[1] = .infinity; cloud.shDC[2] = .leastNonzeroMagnitude
        let dir = try temporaryDirectory("ply-roundtrip")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try GaussianPLY.write(cloud, to: dir + "/c.ply")
        #expect(bitsEqual(try GaussianPLY.read(path: dir + "/c.ply"), cloud))
    }

    @Test(arguments: [(3, 5, "gaussians_deg3.ply"), (1, 4, "gaussians_deg1.ply"), (0, 2, "gaussians_deg0.ply")])
    func encodeIsByteIdenticalToPlyfile(degree: Int, count: Int, file: String) throws {
        let ours = GaussianPLY.encode(PLYFixtures.expectedCloud(count: count, degree: degree))
        let theirs = try Data(contentsOf: URL(fileURLWithPath: PLYFixtures.path(file)))
        #expect(ours == theirs)
    }

    @Test(arguments: [(3, 5, "gaussians_deg3.ply"), (1, 4, "gaussians_deg1.ply"), (0, 2, "gaussians_deg0.ply"),
                      (2, 3, "gaussians_deg2_ascii_shuffled.ply"), (2, 3, "gaussians_deg2_be_shuffled.ply")])
    func readsPlyfileOutput(degree: Int, count: Int, file: String) throws {
        let cloud = try GaussianPLY.read(path: PLYFixtures.path(file))
        #expect(bitsEqual(cloud, PLYFixtures.expectedCloud(count: count, degree: degree)))
    }

    @Test func plyfileReadsOurOutputWithTheSameValues() throws {
        let cloud = PLYFixtures.randomCloud(count: 6, degree: 2, seed: 9)
        let dir = try temporaryDirectory("ply-plyfile")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try GaussianPLY.write(cloud, to: dir + "/c.ply")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", PLYFixtures.repoRoot.appendingPathComponent("scripts/make_ply_fixtures.py").path,
                       "dump", dir + "/c.ply"]
        let out = dir + "/dump.json"
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        p.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        try p.run(); p.waitUntilExit()
        #expect(p.terminationStatus == 0, "needs python3 with plyfile (scripts/install-deps.sh --python)")
        struct Dump: Decodable { var names: [String]; var count: Int; var rows: [[Double]] }
        let dump = try JSONDecoder().decode(Dump.self, from: Data(contentsOf: URL(fileURLWithPath: out)))
        #expect(dump.names == GaussianPLY.propertyNames(shDegree: 2))
        #expect(dump.count == 6)
        let m = cloud.restCount
        for i in 0..<6 {
            let row = dump.rows[i].map { Float($0) }
            #expect(Array(row[0..<3]) == Array(cloud.means[i * 3..<i * 3 + 3]))
            #expect(Array(row[3..<6]) == [0, 0, 0])
            #expect(Array(row[6..<9]) == Array(cloud.shDC[i * 3..<i * 3 + 3]))
            // f_rest channel-major in the file: red coefficients first.
            for c in 0..<3 { for k in 0..<m { #expect(row[9 + c * m + k] == cloud.shRest[(i * m + k) * 3 + c]) } }
            let tail = 9 + 3 * m
            #expect(row[tail] == cloud.opacityLogits[i])
            #expect(Array(row[tail + 1..<tail + 4]) == Array(cloud.logScales[i * 3..<i * 3 + 3]))
            #expect(Array(row[tail + 4..<tail + 8]) == Array(cloud.rotations[i * 4..<i * 4 + 4]))
        }
    }

    @Test func emptyCloudRoundTrips() throws {
        let data = GaussianPLY.encode(GaussianCloud(count: 0, maxSHDegree: 3))
        #expect(String(decoding: data, as: UTF8.self).hasSuffix("property float rot_3\nend_header\n"))
        let dir = try temporaryDirectory("ply-empty")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try AtomicFile.write(data, to: dir + "/e.ply")
        let back = try GaussianPLY.read(path: dir + "/e.ply")
        #expect(back.count == 0 && back.maxSHDegree == 3)
    }

    @Test(arguments: [
        ("corrupt_truncated.ply", "truncated"),
        ("corrupt_huge_count.ply", "4000000000000 records"),
        ("corrupt_bad_header.ply", "bad property line 'property flaot opacity'"),
        ("corrupt_no_end_header.ply", "no end_header"),
        ("corrupt_rest_count.ply", "10 f_rest properties"),
        ("corrupt_missing_property.ply", "lacks opacity, scale_1"),
        ("points3D.ply", "not a Gaussian splat PLY"),
        ("does_not_exist.ply", "no such file"),
    ])
    func corruptFilesGiveClearErrors(file: String, message: String) throws {
        let path = PLYFixtures.path(file)
        let error = #expect(throws: InputError.self) { try GaussianPLY.read(path: path) }
        #expect(error?.file == path)
        #expect(error?.description.contains(message) == true, "\(String(describing: error))")
        #expect(error?.description.contains("\n") == false)
    }

    @Test func nonPLYAndOversizedHeaderAreRefused() throws {
        let dir = try temporaryDirectory("ply-bad")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try AtomicFile.write("PK\u{3}\u{4} not a ply", to: dir + "/zip.ply")
        try AtomicFile.write("ply\nformat ascii 1.0\n" + String(repeating: "comment x\n", count: 7000), to: dir + "/long.ply")
        #expect(throws: InputError(dir + "/zip.ply", "not a PLY file (it does not start with 'ply')")) {
            try GaussianPLY.read(path: dir + "/zip.ply")
        }
        let e = #expect(throws: InputError.self) { try GaussianPLY.read(path: dir + "/long.ply") }
        #expect(e?.problem.contains("first 65536 bytes") == true)
        // The header-only vertex count (memory estimates) refuses the same files.
        #expect(throws: InputError.self) { try GaussianPLY.vertexCount(path: dir + "/zip.ply") }
        #expect(throws: InputError.self) { try GaussianPLY.vertexCount(path: dir + "/long.ply") }
    }

    @Test func headerVertexCountMatchesTheFullRead() throws {
        for name in ["ply/gaussians_deg1.ply", "ply/gaussians_deg2_be_shuffled.ply", "ply/gaussians_deg2_ascii_shuffled.ply"] {
            let path = FixturePaths.path(name)
            #expect(try GaussianPLY.vertexCount(path: path) == GaussianPLY.read(path: path).count)
        }
    }

    @Test func pointPLYReadsUCharAndFloatColours() throws {
        let (points, colors) = try PointPLY.read(path: PLYFixtures.path("points3D.ply"))
        #expect(points == [SIMD3(1.5, 0, 10), SIMD3(-2, 3, 20), SIMD3(0.25, -1, 30)])
        #expect(colors == [SIMD3(255, 128, 0), SIMD3(0, 1, 2), SIMD3(10, 20, 30)])
        let (p2, c2) = try PointPLY.read(path: PLYFixtures.path("points_float_colors.ply"))
        #expect(p2 == [SIMD3(1, 3, 5), SIMD3(2, 4, 6)])
        // [0, 1] floats scaled by 255, rounded, clamped.
        #expect(c2 == [SIMD3(255, 128, 0), SIMD3(0, 64, 255)])
    }

    @Test func pointPLYWithoutColoursIsGrey() throws {
        let (points, colors) = try PointPLY.read(path: PLYFixtures.path("gaussians_deg1.ply"))
        #expect(points.count == 4 && points[1] == SIMD3(PLYFixtures.value(1, 0), PLYFixtures.value(1, 1), PLYFixtures.value(1, 2)))
        #expect(colors == [SIMD3<UInt8>](repeating: SIMD3(repeating: 128), count: 4))
    }
}
