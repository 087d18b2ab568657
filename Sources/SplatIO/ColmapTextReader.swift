import Foundation
import SplatCore

/// Reads cameras.txt, images.txt and points3D.txt (docs/formats-input.md, COLMAP). Errors name the line.
enum ColmapTextReader {
    static func read(directory: String) throws -> ColmapModel {
        ColmapModel(cameras: try readCameras(directory + "/cameras.txt"),
                    images: try readImages(directory + "/images.txt"),
                    points: try readPoints(directory + "/points3D.txt"))
    }

    /// Lines with their 1-based numbers.
    static func lines(_ path: String) throws -> [(number: Int, text: Substring)] {
        let data = try ImageCodec.readFile(path)
        guard let text = String(data: data, encoding: .utf8) else { throw InputError(path, "not UTF-8 text") }
        return text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map {
            ($0.offset + 1, $0.element.hasSuffix("\r") ? $0.element.dropLast() : $0.element)
        }
    }

    static func isSkippable(_ line: Substring) -> Bool {
        let t = line.drop { $0 == " " || $0 == "\t" }
        return t.isEmpty || t.hasPrefix("#")
    }

    static func fields(_ line: Substring) -> [Substring] {
        line.split(whereSeparator: { $0 == " " || $0 == "\t" })
    }

    struct LineParser {
        let path: String, line: Int
        func fail(_ problem: String) -> InputError { InputError(path, "line \(line): \(problem)") }
        func double(_ s: Substring, _ what: String) throws -> Double {
            guard let v = Double(s) else { throw fail("\(what) '\(s)' is not a number") }
            return v
        }
        func integer<T: FixedWidthInteger>(_ s: Substring, _ what: String, as: T.Type = T.self) throws -> T {
            guard let v = T(s) else { throw fail("\(what) '\(s)' is not a valid integer") }
            return v
        }
    }

    static func readCameras(_ path: String) throws -> [ColmapCamera] {
        var cameras = [ColmapCamera]()
        for (number, line) in try lines(path) where !isSkippable(line) {
            let p = LineParser(path: path, line: number), f = fields(line)
            guard f.count >= 4 else { throw p.fail("expected CAMERA_ID MODEL WIDTH HEIGHT PARAMS...") }
            let id: UInt32 = try p.integer(f[0], "camera id")
            let name = String(f[1])
            guard let model = ColmapCameraModel.byName(name) else {
                throw p.fail("camera \(id) has unknown camera model \(name); run `colmap image_undistorter` to get a PINHOLE model")
            }
            let w: Int = try p.integer(f[2], "width"), h: Int = try p.integer(f[3], "height")
            guard w > 0, h > 0, w <= 32768, h <= 32768 else { throw p.fail("camera \(id) has invalid size \(w)x\(h)") }
            guard f.count == 4 + model.paramCount else {
                throw p.fail("camera \(id) (\(name)) needs \(model.paramCount) parameters, found \(f.count - 4)")
            }
            let params = try f[4...].map { try p.double($0, "parameter") }
            cameras.append(ColmapCamera(id: id, model: name, width: w, height: h, params: params))
        }
        return cameras
    }

    static func readImages(_ path: String) throws -> [ColmapImage] {
        var images = [ColmapImage]()
        let all = try lines(path)
        var i = 0
        while i < all.count {
            let (number, line) = all[i]
            i += 1
            if isSkippable(line) { continue }
            let p = LineParser(path: path, line: number), f = fields(line)
            guard f.count >= 10 else { throw p.fail("expected IMAGE_ID QW QX QY QZ TX TY TZ CAMERA_ID NAME") }
            let id: UInt32 = try p.integer(f[0], "image id")
            let v = try f[1...7].map { try p.double($0, "pose value") }
            let cameraId: UInt32 = try p.integer(f[8], "camera id")
            let name = f[9...].joined(separator: " ")
            // The keypoint line always follows, possibly empty (or missing at the end of the file).
            var keypoints = [SIMD2<Double>](), ids = [Int64]()
            if i < all.count {
                let kp = LineParser(path: path, line: all[i].number), kf = fields(all[i].text)
                i += 1
                guard kf.count % 3 == 0 else { throw kp.fail("keypoint line of image \(id) has \(kf.count) values, not a multiple of 3") }
                keypoints.reserveCapacity(kf.count / 3); ids.reserveCapacity(kf.count / 3)
                for k in stride(from: 0, to: kf.count, by: 3) {
                    keypoints.append(SIMD2(try kp.double(kf[k], "keypoint x"), try kp.double(kf[k + 1], "keypoint y")))
                    ids.append(try kp.integer(kf[k + 2], "point3D id"))
                }
            }
            images.append(ColmapImage(id: id, rotation: Quaternion(w: v[0], x: v[1], y: v[2], z: v[3]),
                                      translation: SIMD3(v[4], v[5], v[6]), cameraId: cameraId, name: name,
                                      keypoints: keypoints, point3DIds: ids))
        }
        return images
    }

    static func readPoints(_ path: String) throws -> [ColmapPoint] {
        var points = [ColmapPoint]()
        for (number, line) in try lines(path) where !isSkippable(line) {
            let p = LineParser(path: path, line: number), f = fields(line)
            guard f.count >= 8, (f.count - 8) % 2 == 0 else {
                throw p.fail("expected POINT3D_ID X Y Z R G B ERROR followed by IMAGE_ID POINT2D_IDX pairs")
            }
            let id: UInt64 = try p.integer(f[0], "point id")
            let xyz = try f[1...3].map { try p.double($0, "coordinate") }
            let rgb: [UInt8] = try f[4...6].map { try p.integer($0, "colour") }
            points.append(ColmapPoint(id: id, position: SIMD3(xyz[0], xyz[1], xyz[2]), color: SIMD3(rgb[0], rgb[1], rgb[2]),
                                      error: try p.double(f[7], "error"), trackLength: (f.count - 8) / 2))
        }
        return points
    }
}
