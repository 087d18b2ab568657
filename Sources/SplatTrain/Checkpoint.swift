import Foundation
import SplatCore

/// Binary checkpoint of a `TrainingState` (docs/checkpoints.md). Little-endian, packed:
///
///     0   8  magic "SPLATCKP"
///     8   4  u32 version (1)
///    12   4  u32 max SH degree D (0...3)
///    16   8  u64 Gaussian count N
///    24   8  u64 completed steps
///    32   8  u64 Adam step
///    40  32  4 × u64 RNG state (xoshiro256**)
///    72   8  u64 train view count
///    80   8  u64 view stack length V
///    88   8  f64 training wall time so far, seconds
///    96  4V  u32 view stack
///   then for each group (means 3, logScales 3, rotations 4, opacityLogits 1, shDC 3,
///   shRest 3·((D+1)²−1) floats per Gaussian): parameters, Adam first moments, Adam second
///   moments, each N × width f32.
///
/// The file length must equal exactly what the header implies; that is checked before anything
/// is allocated.
public enum Checkpoint {
    public static let magic = Array("SPLATCKP".utf8)
    public static let version: UInt32 = 1
    static let headerSize = 96

    public static func encode(_ s: TrainingState) -> Data {
        let n = s.cloud.count, rc = s.cloud.restCount
        let floats = ParameterGroup.allCases.reduce(0) { $0 + 3 * n * $1.width(restCount: rc) }
        var d = Data(capacity: headerSize + 4 * s.viewStack.count + 4 * floats)
        d.append(contentsOf: magic)
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
        put(version); put(UInt32(s.cloud.maxSHDegree)); put(UInt64(n)); put(UInt64(s.step)); put(UInt64(s.adam.step))
        for w in s.rng.state { put(w) }
        put(UInt64(s.trainViewCount)); put(UInt64(s.viewStack.count)); put(s.elapsedSeconds.bitPattern)
        for v in s.viewStack { put(UInt32(v)) }
        for g in ParameterGroup.allCases {
            for array in [s.cloud[keyPath: g.keyPath], s.adam.firstMoments[g.rawValue], s.adam.secondMoments[g.rawValue]] {
                array.withUnsafeBytes { d.append(contentsOf: $0) }
            }
        }
        return d
    }

    public static func write(_ s: TrainingState, to path: String) throws {
        try AtomicFile.write(encode(s), to: path)
    }

    public static func read(path: String) throws -> TrainingState {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) else {
            throw TrainError.checkpoint(file: path, message: "cannot read file")
        }
        return try decode(data, path: path)
    }

    /// N from the header alone (for estimates made before the checkpoint is loaded; `read`
    /// checks it against the file length).
    public static func gaussianCount(path: String) throws -> Int {
        func fail(_ m: String) -> TrainError { .checkpoint(file: path, message: m) }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw fail("cannot open") }
        defer { try? handle.close() }
        let head = try handle.read(upToCount: headerSize) ?? Data()
        guard head.count == headerSize else { throw fail("truncated header (\(head.count) bytes)") }
        return try head.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            guard Array(raw[0..<8]) == magic else { throw fail("not a splat checkpoint (bad magic)") }
            let n = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
            guard n <= UInt64(Int.max >> 12) else { throw fail("Gaussian count \(n) out of range") }
            return Int(n)
        }
    }

    public static func decode(_ data: Data, path: String) throws -> TrainingState {
        func fail(_ m: String) -> TrainError { .checkpoint(file: path, message: m) }
        guard data.count >= headerSize else { throw fail("truncated header (\(data.count) bytes)") }
        return try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            guard Array(raw[0..<8]) == magic else { throw fail("not a splat checkpoint (bad magic)") }
            func u32(_ o: Int) -> UInt32 { UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt32.self)) }
            func u64(_ o: Int) -> UInt64 { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt64.self)) }
            guard u32(8) == version else { throw fail("unsupported checkpoint version \(u32(8))") }
            let degree = Int(u32(12))
            guard degree <= 3 else { throw fail("SH degree \(degree) out of range") }
            let rc = GaussianCloud.restCount(forDegree: degree)
            let perGaussian = UInt64(ParameterGroup.allCases.reduce(0) { $0 + 3 * 4 * $1.width(restCount: rc) })
            let n64 = u64(16), v64 = u64(80), fileLen = UInt64(data.count)
            // Bound the counts by the file length before multiplying, so nothing overflows.
            guard n64 <= fileLen / perGaussian, v64 <= fileLen / 4 else { throw fail("counts exceed the file length") }
            let expected = UInt64(headerSize) + 4 * v64 + perGaussian * n64
            guard expected == fileLen else {
                throw fail("length \(fileLen) bytes, header implies \(expected) (N = \(n64), views = \(v64))")
            }
            // Steps and the view count become Ints: refuse values Int cannot hold (found by fuzzing).
            let steps = u64(24), adamStep = u64(32), trainViews = u64(72)
            guard steps <= UInt64(Int.max), adamStep <= UInt64(Int.max), trainViews <= UInt64(Int.max) else {
                throw fail("step or view count out of range (steps \(steps), Adam step \(adamStep), train views \(trainViews))")
            }
            let n = Int(n64)
            var cloud = GaussianCloud(count: n, maxSHDegree: degree)
            var state = TrainingState(cloud: cloud, seed: 0, trainViewCount: Int(trainViews))
            state.step = Int(steps)
            state.adam.step = Int(adamStep)
            state.rng.state = (0..<4).map { u64(40 + 8 * $0) }
            state.elapsedSeconds = Double(bitPattern: u64(88))
            var off = headerSize
            state.viewStack = (0..<Int(v64)).map { Int(u32(off + 4 * $0)) }
            off += 4 * Int(v64)
            guard state.viewStack.allSatisfy({ $0 < state.trainViewCount }) else { throw fail("view index out of range") }
            func floats(_ count: Int) -> [Float] {
                let a = [Float](unsafeUninitializedCapacity: count) { buf, initialized in
                    UnsafeMutableRawBufferPointer(buf).copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[off..<(off + 4 * count)]))
                    initialized = count
                }
                off += 4 * count
                return a
            }
            for g in ParameterGroup.allCases {
                let c = n * g.width(restCount: rc)
                cloud[keyPath: g.keyPath] = floats(c)
                state.adam.firstMoments[g.rawValue] = floats(c)
                state.adam.secondMoments[g.rawValue] = floats(c)
            }
            state.cloud = cloud
            return state
        }
    }
}
