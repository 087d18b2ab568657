import Foundation
import SplatCore

/// Reads cameras.bin, images.bin and points3D.bin (docs/formats-input.md, COLMAP). Every count is checked
/// against the bytes left before anything is allocated from it.
enum ColmapBinaryReader {
    static func read(directory: String) throws -> ColmapModel {
        ColmapModel(cameras: try readCameras(directory + "/cameras.bin"),
                    images: try readImages(directory + "/images.bin"),
                    points: try readPoints(directory + "/points3D.bin"))
    }

    static func open(_ path: String) throws -> ByteReader {
        ByteReader(try ImageCodec.readFile(path), file: path)
    }

    static func readCameras(_ path: String) throws -> [ColmapCamera] {
        var r = try open(path)
        let n = try r.u64("camera count")
        try r.require(count: n, each: 24 + 3 * 8, what: "camera")
        var cameras = [ColmapCamera]()
        cameras.reserveCapacity(Int(n))
        for _ in 0..<n {
            let id = try r.u32("camera id")
            let modelId = try r.i32("camera model id")
            guard let model = ColmapCameraModel.byId(modelId) else {
                throw InputError(path, "camera \(id) has unknown camera model id \(modelId); run `colmap image_undistorter` to get a PINHOLE model")
            }
            let w = try r.u64("camera width"), h = try r.u64("camera height")
            guard w > 0, h > 0, w <= 32768, h <= 32768 else {
                throw InputError(path, "camera \(id) has invalid size \(w)x\(h)")
            }
            var params = [Double]()
            for _ in 0..<model.paramCount { params.append(try r.f64("camera parameters")) }
            cameras.append(ColmapCamera(id: id, model: model.name, width: Int(w), height: Int(h), params: params))
        }
        try expectEnd(r)
        return cameras
    }

    static func readImages(_ path: String) throws -> [ColmapImage] {
        var r = try open(path)
        let n = try r.u64("image count")
        try r.require(count: n, each: 64 + 1 + 8, what: "image")
        var images = [ColmapImage]()
        images.reserveCapacity(Int(n))
        for _ in 0..<n {
            let id = try r.u32("image id")
            let q = Quaternion(w: try r.f64("qw"), x: try r.f64("qx"), y: try r.f64("qy"), z: try r.f64("qz"))
            let t = SIMD3(try r.f64("tx"), try r.f64("ty"), try r.f64("tz"))
            let cameraId = try r.u32("camera id")
            let name = try r.cString("image name")
            let count = try r.u64("keypoint count")
            try r.require(count: count, each: 24, what: "keypoint")
            var keypoints = [SIMD2<Double>](), ids = [Int64]()
            keypoints.reserveCapacity(Int(count)); ids.reserveCapacity(Int(count))
            for _ in 0..<count {
                keypoints.append(SIMD2(try r.f64("keypoint x"), try r.f64("keypoint y")))
                ids.append(Int64(bitPattern: try r.u64("point3D id")))
            }
            images.append(ColmapImage(id: id, rotation: q, translation: t, cameraId: cameraId, name: name,
                                      keypoints: keypoints, point3DIds: ids))
        }
        try expectEnd(r)
        return images
    }

    static func readPoints(_ path: String) throws -> [ColmapPoint] {
        var r = try open(path)
        let n = try r.u64("point count")
        try r.require(count: n, each: 43 + 8, what: "point")
        var points = [ColmapPoint]()
        points.reserveCapacity(Int(n))
        for _ in 0..<n {
            let id = try r.u64("point id")
            let p = SIMD3(try r.f64("x"), try r.f64("y"), try r.f64("z"))
            let c = SIMD3(try r.u8("red"), try r.u8("green"), try r.u8("blue"))
            let error = try r.f64("error")
            let track = try r.u64("track length")
            try r.require(count: track, each: 8, what: "track element")
            try r.skip(Int(track) * 8, "track")
            points.append(ColmapPoint(id: id, position: p, color: c, error: error, trackLength: Int(track)))
        }
        try expectEnd(r)
        return points
    }

    private static func expectEnd(_ r: ByteReader) throws {
        guard r.isAtEnd else { throw InputError(r.file, "\(r.remaining) unexpected bytes after the last record") }
    }
}
