import Foundation
import SplatCore
import Testing
@testable import SplatTrain

@Suite struct CheckpointTests {
    static func sampleState(count: Int = 5, degree: Int = 2) -> TrainingState {
        var rng = SplatRandom(seed: 77)
        var cloud = GaussianCloud(count: count, maxSHDegree: degree)
        for g in ParameterGroup.allCases {
            cloud[keyPath: g.keyPath] = cloud[keyPath: g.keyPath].map { _ in Float(rng.nextGaussian()) }
        }
        var s = TrainingState(cloud: cloud, seed: 9, trainViewCount: 7)
        for g in ParameterGroup.allCases {
            s.adam.firstMoments[g.rawValue] = s.adam.firstMoments[g.rawValue].map { _ in Float(rng.nextGaussian()) }
            s.adam.secondMoments[g.rawValue] = s.adam.secondMoments[g.rawValue].map { _ in Float(rng.nextDouble()) }
        }
        s.adam.step = 41; s.step = 42; s.elapsedSeconds = 3.25
        _ = s.nextView(); _ = s.nextView()
        return s
    }

    @Test func encodeDecodeRoundTripsEveryField() throws {
        for (n, d) in [(5, 2), (0, 0), (3, 3)] {
            let s = Self.sampleState(count: n, degree: d)
            let back = try Checkpoint.decode(Checkpoint.encode(s), path: "c.bin")
            #expect(back == s)
        }
    }

    @Test func writeIsAtomicAndReadable() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("checkpoint.bin").path
        let s = Self.sampleState()
        try Checkpoint.write(s, to: path)
        #expect(try Checkpoint.read(path: path) == s)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["checkpoint.bin"])
        // The header-only count (memory estimates) agrees with the full read.
        #expect(try Checkpoint.gaussianCount(path: path) == s.cloud.count)
        try Data("SPLATCKX".utf8 + [UInt8](repeating: 0, count: 88)).write(to: URL(fileURLWithPath: path))
        #expect(throws: TrainError.self) { try Checkpoint.gaussianCount(path: path) }
    }

    @Test func truncatedOrInflatedFilesAreRejectedWithTheirPath() {
        let data = Checkpoint.encode(Self.sampleState())
        for bad in [data.prefix(50), data.dropLast(4), data + Data([0, 0, 0, 0])] {
            #expect(throws: TrainError.self) { try Checkpoint.decode(Data(bad), path: "c.bin") }
        }
        var huge = data
        huge.replaceSubrange(16..<24, with: withUnsafeBytes(of: UInt64.max / 2) { Data($0) })  // absurd N
        do { _ = try Checkpoint.decode(huge, path: "c.bin"); Issue.record("accepted") } catch {
            #expect("\(error)".hasPrefix("c.bin: "))
        }
        var badMagic = data
        badMagic[0] = 0
        #expect(throws: TrainError.checkpoint(file: "c.bin", message: "not a splat checkpoint (bad magic)")) {
            try Checkpoint.decode(badMagic, path: "c.bin")
        }
    }

    @Test func viewStackVisitsEveryViewOncePerPass() {
        var s = TrainingState(cloud: GaussianCloud(count: 0, maxSHDegree: 0), seed: 3, trainViewCount: 6)
        for _ in 0..<3 {
            let pass = (0..<6).map { _ in s.nextView() }
            #expect(pass.sorted() == Array(0..<6))
        }
    }
}
