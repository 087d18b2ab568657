import Foundation
import SplatCore
import Testing
@testable import SplatIO

/// Fixtures in Fixtures/export/ come from scripts/make_export_fixtures.py, which encodes
/// input.ply to .splat and SPZ with numpy independently of this code.
enum ExportFixtures {
    static func path(_ name: String) -> String {
        PLYFixtures.repoRoot.appendingPathComponent("Fixtures/export/\(name)").path
    }
    static func bytes(_ name: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path(name))) }
    static func input() throws -> GaussianCloud { try GaussianPLY.read(path: path("input.ply")) }
}

/// Quantisation bounds of SPZ (docs/formats-output.md): half a step of each field's grid.
enum SPZTolerance {
    static let position: Float = 0.5 / 4096 + 1e-6      // 12 fractional bits
    static let logScale: Float = 0.5 / 16 + 1e-6         // 1/16 steps
    static let dc: Float = 0.5 / (0.15 * 255) + 1e-5     // colour byte step 1/(0.15·255)
    static let alpha: Float = 0.5 / 255 + 1e-6           // on sigmoid(o)
    /// SH byte step 1/128, snapped to buckets of 8 (degree 1) or 16 (higher bands).
    static func sh(coefficient k: Int) -> Float { (k < 3 ? 4.5 : 8.5) / 128 + 1e-6 }
    /// |<q, q'>| of unit quaternions. v3 stores three components to ~1/1022; v2 stores x, y, z
    /// to 1/255 and derives w = √(1 − |xyz|²), whose error grows as w → 0 (up to ~0.12 in w,
    /// about 7° of rotation, measured 0.998 on random rotations).
    static func rotationDot(version: Int) -> Double { version >= 3 ? 1 - 2e-5 : 1 - 1e-2 }
}

func unitQuaternion(_ c: GaussianCloud, _ i: Int) -> SIMD4<Double> {
    let q = SIMD4(Double(c.rotations[i * 4]), Double(c.rotations[i * 4 + 1]), Double(c.rotations[i * 4 + 2]), Double(c.rotations[i * 4 + 3]))
    let n = (q * q).sum().squareRoot()
    return n > 0 ? q / n : SIMD4(1, 0, 0, 0)
}

/// Checks `decoded` is `original` up to SPZ quantisation, skipping values the format clamps.
func expectWithinSPZBounds(_ decoded: GaussianCloud, _ original: GaussianCloud, version: Int) {
    #expect(decoded.count == original.count && decoded.maxSHDegree == original.maxSHDegree)
    let m = original.restCount
    for i in 0..<original.count {
        for k in 0..<3 {
            let p = original.means[i * 3 + k]
            if abs(p) < 2047 { #expect(abs(decoded.means[i * 3 + k] - p) <= SPZTolerance.position, "mean \(i),\(k)") }
            #expect(abs(decoded.logScales[i * 3 + k] - original.logScales[i * 3 + k]) <= SPZTolerance.logScale)
            let dc = original.shDC[i * 3 + k]
            if abs(dc) < 3 { #expect(abs(decoded.shDC[i * 3 + k] - dc) <= SPZTolerance.dc, "dc \(i),\(k)") }
        }
        #expect(abs(decoded.opacity(i) - original.opacity(i)) <= SPZTolerance.alpha, "alpha \(i)")
        let dot = abs((unitQuaternion(decoded, i) * unitQuaternion(original, i)).sum())
        #expect(dot >= SPZTolerance.rotationDot(version: version), "rotation \(i): \(dot)")
        for j in 0..<(m * 3) {
            let v = original.shRest[i * m * 3 + j]
            if abs(v) < 0.9 { #expect(abs(decoded.shRest[i * m * 3 + j] - v) <= SPZTolerance.sh(coefficient: j / 3), "sh \(i),\(j)") }
        }
    }
}

@Suite struct ExportTests {
    @Test func splatBytesMatchIndependentEncoder() throws {
        #expect(SplatFile.encode(try ExportFixtures.input()) == (try ExportFixtures.bytes("expected.splat")))
    }

    @Test func splatIsSortedByVolumeTimesOpacityWithStableTies() throws {
        let order = SplatFile.order(try ExportFixtures.input())
        // Gaussians 10 and 11 share scales and opacity (the fixture's tie): cloud order kept.
        #expect(order.firstIndex(of: 10)! + 1 == order.firstIndex(of: 11)!)
        #expect(Set(order) == Set(0..<16))
    }

    @Test func splatReadsBackWithinByteRounding() throws {
        let cloud = try ExportFixtures.input()
        let back = try SplatFile.read(path: ExportFixtures.path("expected.splat"))
        let order = SplatFile.order(cloud)
        for (slot, i) in order.enumerated() {
            #expect(back.mean(slot) == cloud.mean(i))
            #expect(abs(back.logScales[slot * 3] - cloud.logScales[i * 3]) < 1e-6)
            let color = cloud.baseColor(i)
            for k in 0..<3 where (0...1).contains(color[k]) {  // others are clamped
                #expect(abs(back.baseColor(slot)[k] - color[k]) <= 0.5 / 255 + 1e-6)
            }
        }
        #expect(throws: InputError.self) { try SplatFile.read(path: ExportFixtures.path("input.ply")) }
    }

    @Test(arguments: [2, 3])
    func spzPayloadMatchesIndependentEncoder(version: Int) throws {
        let ours = SPZ.payload(try ExportFixtures.input(), version: version)
        #expect(ours == (try ExportFixtures.bytes("expected_v\(version).spz.raw")))
    }

    @Test func spzFileIsStandardGzip() throws {
        let dir = try temporaryDirectory("spz-gzip")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try SPZ.write(try ExportFixtures.input(), to: dir + "/a.spz")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "gzip -dc '\(dir)/a.spz' > '\(dir)/a.raw'"]
        try p.run(); p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/a.raw")) == (try ExportFixtures.bytes("expected_v3.spz.raw")))
    }

    @Test(arguments: [2, 3])
    func spzReaderDecodesFixtureWithinQuantisation(version: Int) throws {
        let decoded = try SPZ.read(path: ExportFixtures.path("expected_v\(version).spz"))
        expectWithinSPZBounds(decoded, try ExportFixtures.input(), version: version)
    }

    @Test(arguments: [(2, 0), (3, 1), (3, 2), (3, 3)])
    func spzRoundTripStaysWithinQuantisation(version: Int, degree: Int) throws {
        var cloud = PLYFixtures.randomCloud(count: 200, degree: degree, seed: 42)
        for j in cloud.shRest.indices { cloud.shRest[j] *= 0.1 }
        for j in cloud.logScales.indices { cloud.logScales[j] = cloud.logScales[j] / 3 - 3 }
        let dir = try temporaryDirectory("spz-rt")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try SPZ.write(cloud, to: dir + "/c.spz", version: version)
        expectWithinSPZBounds(try SPZ.read(path: dir + "/c.spz"), cloud, version: version)
    }

    @Test(arguments: [
        ("corrupt_bad_magic.spz", "bad SPZ magic 0x50534758"),
        ("corrupt_truncated.spz", "ends early (truncated file?)"),
        ("corrupt_huge_count.spz", "claims 4000000000 points"),
        ("corrupt_not_gzip.spz", "SPZ version 4 (ZSTD streams) is not supported"),
        ("input.ply", "not an SPZ file"),
    ])
    func spzReaderRefusesBadFilesClearly(file: String, message: String) throws {
        let path = ExportFixtures.path(file)
        let error = #expect(throws: InputError.self) { try SPZ.read(path: path) }
        #expect(error?.file == path)
        #expect(error?.problem.contains(message) == true, "\(String(describing: error))")
    }

    @Test func readModelRecognisesEachFormat() throws {
        let cloud = try ExportFixtures.input()
        #expect(bitsEqual(try Export.readModel(path: ExportFixtures.path("input.ply")), cloud))
        #expect(try Export.readModel(path: ExportFixtures.path("expected_v3.spz")) == (try SPZ.read(path: ExportFixtures.path("expected_v3.spz"))))
        #expect(try Export.readModel(path: ExportFixtures.path("expected.splat")) == (try SplatFile.read(path: ExportFixtures.path("expected.splat"))))
        let error = #expect(throws: InputError.self) { try Export.readModel(path: ExportFixtures.path("expected_v3.spz.raw")) }
        #expect(error?.problem.contains("not a PLY file") == true)
    }

    @Test func plyExportWithLowerSHDegreeKeepsLeadingBands() throws {
        let cloud = try ExportFixtures.input()
        let dir = try temporaryDirectory("export-ply")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Export.write(cloud, format: .ply, to: dir + "/d1.ply", shDegree: 1)
        let d1 = try GaussianPLY.read(path: dir + "/d1.ply")
        #expect(d1.maxSHDegree == 1)
        #expect(bitsEqual(d1.means, cloud.means) && bitsEqual(d1.shDC, cloud.shDC) && bitsEqual(d1.rotations, cloud.rotations))
        for i in 0..<cloud.count {
            #expect(Array(d1.shRest[i * 9..<i * 9 + 9]) == Array(cloud.shRest[i * 45..<i * 45 + 9]))
        }
        try Export.write(cloud, format: .ply, to: dir + "/all.ply")
        #expect(bitsEqual(try GaussianPLY.read(path: dir + "/all.ply"), cloud))
        try Export.write(cloud, format: .spz, to: dir + "/d0.spz", shDegree: 0)
        #expect(try SPZ.read(path: dir + "/d0.spz").maxSHDegree == 0)
    }

    /// The antialiasing mark: a PLY header comment (skipped by other readers, the Gaussians are the
    /// same bits) and the SPZ header flag 0x1; `.splat` cannot hold it; unmarked files read false.
    @Test func antialiasingIsRecordedInPLYAndSPZ() throws {
        let cloud = try ExportFixtures.input()
        let dir = try temporaryDirectory("export-aa")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for format in ExportFormat.allCases {
            for antialiased in [false, true] {
                let path = dir + "/m\(antialiased).\(format.rawValue)"
                try Export.write(cloud, format: format, to: path, antialiased: antialiased)
                #expect(try Export.isAntialiased(path: path) == (antialiased && format.canRecordAntialiasing), "\(path)")
            }
        }
        #expect(!ExportFormat.splat.canRecordAntialiasing)
        let marked = try Data(contentsOf: URL(fileURLWithPath: dir + "/mtrue.ply"))
        let header = String(decoding: marked.prefix(200), as: UTF8.self)
        #expect(header.hasPrefix("ply\nformat binary_little_endian 1.0\ncomment antialiasing "), "\(header)")
        #expect(bitsEqual(try GaussianPLY.read(path: dir + "/mtrue.ply"), cloud))
        // Unmarked: the plain file is byte for byte what it was before the mark existed.
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/mfalse.ply")) == GaussianPLY.encode(cloud))
        #expect(!GaussianPLY.encode(cloud).starts(with: Array("ply\nformat binary_little_endian 1.0\ncomment".utf8)))
        #expect(SPZ.payload(cloud, version: 3, antialiased: true)[14] == 0x1)
        #expect(try SPZ.read(path: dir + "/mtrue.spz") == (try SPZ.read(path: dir + "/mfalse.spz")))
        #expect(try !Export.isAntialiased(path: ExportFixtures.path("input.ply")))
        #expect(try !Export.isAntialiased(path: ExportFixtures.path("expected_v3.spz")))
        // Another tool's comments are not the mark; the word must open a comment of its own.
        let other = dir + "/other.ply"
        var text = "ply\nformat ascii 1.0\ncomment made by antialiasing-free tool\ncomment antialiasing\n"
        text += "element vertex 0\nproperty float x\nend_header\n"
        try text.write(toFile: other, atomically: true, encoding: .utf8)
        #expect(try Export.isAntialiased(path: other))
        try text.replacingOccurrences(of: "comment antialiasing\n", with: "").write(toFile: other, atomically: true, encoding: .utf8)
        #expect(try !Export.isAntialiased(path: other))
    }
}
