import Foundation
import SplatCore

/// NeRF-style `transforms.json` scenes in three dialects (docs/formats-input.md): Blender/NeRF-synthetic
/// (`camera_angle_x`, transforms_{train,test}.json, paths without extension), instant-ngp
/// (`fl_x, fl_y, cx, cy, w, h`, OpenCV `k1 k2 p1 p2`) and nerfstudio (`camera_model`,
/// intrinsics per frame allowed). Poses are camera-to-world in OpenGL axes and are converted to
/// OpenCV by negating the camera Y and Z axes. Seed points come from `ply_file_path` or a
/// points3d.ply / points3D.ply / sparse_pc.ply beside the JSON, when one can be read.
enum TransformsSceneLoader {
    /// The transforms file a folder holds: transforms_train.json (Blender split) or transforms.json.
    static func findJSON(in dir: String) -> String? {
        ["transforms_train.json", "transforms.json"].map { dir + "/" + $0 }.first { FileManager.default.fileExists(atPath: $0) }
    }

    enum Dialect: String { case blender, instantNGP = "instant-ngp", nerfstudio }

    struct Frame {
        var camera: Camera
        var sourceModel: String
        var isTest: Bool
    }

    static func load(jsonPath: String, options: SceneLoadOptions) throws -> Scene {
        let file = (jsonPath as NSString).lastPathComponent
        let dir = (jsonPath as NSString).deletingLastPathComponent
        var (frames, dialect, plyPath) = try readFile(jsonPath, isTest: false, options: options)
        var split: (train: [Int], test: [Int])? = nil
        if file == "transforms_train.json", FileManager.default.fileExists(atPath: dir + "/transforms_test.json") {
            frames += try readFile(dir + "/transforms_test.json", isTest: true, options: options).frames
        }
        frames.sort { $0.camera.name < $1.camera.name }
        var seen = Set<String>()
        for f in frames where !seen.insert(f.camera.name).inserted {
            throw InputError(jsonPath, "image '\(f.camera.name)' appears twice")
        }
        if frames.contains(where: \.isTest) {
            split = (frames.indices.filter { !frames[$0].isTest }, frames.indices.filter { frames[$0].isTest })
        }
        let s = split ?? Scene.everyEighthSplit(count: frames.count)
        let white = options.whiteBackground ?? (dialect == .blender)
        // Seed points are optional: an unreadable file leaves the scene without them.
        let seeds = plyPath.flatMap { try? PointPLY.read(path: $0) }
        return Scene(source: jsonPath, format: dialect.rawValue, cameras: frames.map(\.camera),
                     trainIndices: s.train, testIndices: s.test,
                     points: seeds?.points ?? [], pointColors: seeds?.colors ?? [],
                     background: white ? .one : .zero,
                     sourceCameraModels: Set(frames.map(\.sourceModel)).sorted())
    }

    static func readFile(_ path: String, isTest: Bool, options: SceneLoadOptions) throws -> (frames: [Frame], dialect: Dialect, plyPath: String?) {
        let data = try ImageCodec.readFile(path)
        let parsed: Any
        do { parsed = try JSONSerialization.jsonObject(with: data) } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? error.localizedDescription
            throw InputError(path, "invalid JSON (\(detail.split(separator: "\n").first ?? ""))")
        }
        guard let root = parsed as? [String: Any] else { throw InputError(path, "invalid JSON: the top level is not an object") }
        guard let frames = root["frames"] as? [Any], !frames.isEmpty else { throw InputError(path, "no \"frames\" list") }
        let dialect = detectDialect(root)
        let dir = (path as NSString).deletingLastPathComponent
        var out = [Frame]()
        for (i, item) in frames.enumerated() {
            guard let frame = item as? [String: Any] else { throw InputError(path, "frame \(i) is not an object") }
            // Per-frame intrinsics (nerfstudio) override the top-level ones.
            let keys = root.merging(frame) { _, f in f }
            let (camera, model) = try makeCamera(keys, frameIndex: i, file: path, dir: dir)
            out.append(Frame(camera: camera.downscaled(by: options.downscale), sourceModel: model, isTest: isTest))
        }
        let declared = (root["ply_file_path"] as? String).map { $0.hasPrefix("/") ? $0 : dir + "/" + $0 }
        let ply = declared ?? ["points3d.ply", "points3D.ply", "sparse_pc.ply"].map { dir + "/" + $0 }
            .first { FileManager.default.fileExists(atPath: $0) }
        return (out, dialect, ply)
    }

    static func detectDialect(_ root: [String: Any]) -> Dialect {
        let frames = root["frames"] as? [[String: Any]] ?? []
        if root["camera_model"] != nil || root["ply_file_path"] != nil || root["applied_transform"] != nil
            || frames.contains(where: { $0["fl_x"] != nil }) { return .nerfstudio }
        if root["fl_x"] != nil { return .instantNGP }
        return .blender
    }

    static func number(_ v: Any?) -> Double? {
        switch v {
        case let d as Double: return d
        case let i as Int: return Double(i)
        case let n as NSNumber: return n.doubleValue
        default: return nil
        }
    }

    static func makeCamera(_ keys: [String: Any], frameIndex i: Int, file: String, dir: String) throws -> (Camera, String) {
        func fail(_ problem: String) -> InputError { InputError(file, "frame \(i): \(problem)") }
        guard let rel = keys["file_path"] as? String, !rel.isEmpty else { throw fail("no file_path") }
        let (name, path) = try resolveImage(rel, dir: dir, file: file)
        // Sizes outside (0, 32768] are ignored: the image header gives the size instead.
        func size(_ key: String) -> Int { number(keys[key]).flatMap { $0 > 0 && $0 <= 32768 ? Int($0) : nil } ?? 0 }
        var width = size("w"), height = size("h")
        if width <= 0 || height <= 0 { (width, height) = try ImageCodec.readSize(path: path) }
        guard width > 0, height > 0, width <= 32768, height <= 32768 else { throw fail("invalid image size \(width)x\(height)") }

        let fx: Double, fy: Double
        if let f = number(keys["fl_x"]) {
            fx = f; fy = number(keys["fl_y"]) ?? f
        } else if let ax = number(keys["camera_angle_x"]) {
            fx = 0.5 * Double(width) / tan(0.5 * ax)
            fy = number(keys["camera_angle_y"]).map { 0.5 * Double(height) / tan(0.5 * $0) } ?? fx
        } else {
            throw fail("no focal length (fl_x or camera_angle_x)")
        }
        guard fx.isFinite, fy.isFinite, fx > 0, fy > 0 else { throw fail("invalid focal length") }
        let k = CameraIntrinsics(fx: fx, fy: fy, cx: number(keys["cx"]) ?? Double(width) / 2,
                                 cy: number(keys["cy"]) ?? Double(height) / 2, width: width, height: height)

        let declared = keys["camera_model"] as? String
        let accepted: Set<String> = ["OPENCV", "PINHOLE", "SIMPLE_PINHOLE", "SIMPLE_RADIAL", "RADIAL", "PERSPECTIVE"]
        if let m = declared, !accepted.contains(m.uppercased()) {
            throw fail("camera_model \(m) is not supported (only pinhole and OPENCV-style radial-tangential distortion)")
        }
        if (keys["is_fisheye"] as? Bool) == true { throw fail("fisheye cameras are not supported") }
        if (number(keys["k3"]) ?? 0) != 0 || (number(keys["k4"]) ?? 0) != 0 { throw fail("k3/k4 distortion is not supported") }
        let d = (number(keys["k1"]) ?? 0, number(keys["k2"]) ?? 0, number(keys["p1"]) ?? 0, number(keys["p2"]) ?? 0)
        let distortion = d == (0, 0, 0, 0) ? nil : LensDistortion(model: "OPENCV", source: k, k1: d.0, k2: d.1, p1: d.2, p2: d.3)
        let model = declared?.uppercased() ?? (distortion == nil ? "PINHOLE" : "OPENCV")
        return (Camera(name: name, imagePath: path, intrinsics: k, pose: try pose(keys["transform_matrix"], fail: fail),
                       distortion: distortion), model)
    }

    /// Name relative to the JSON folder and absolute path; Blender paths have no extension.
    static func resolveImage(_ rel: String, dir: String, file: String) throws -> (String, String) {
        var name = rel
        while name.hasPrefix("./") { name.removeFirst(2) }
        let base = name.hasPrefix("/") ? name : dir + "/" + name
        let fm = FileManager.default
        if (name as NSString).pathExtension.isEmpty || !fm.fileExists(atPath: base) {
            for ext in ["", ".png", ".jpg", ".jpeg", ".PNG", ".JPG"] where fm.fileExists(atPath: base + ext) {
                var isDir: ObjCBool = false
                if fm.fileExists(atPath: base + ext, isDirectory: &isDir), !isDir.boolValue { return (name + ext, base + ext) }
            }
            let shown = (name as NSString).pathExtension.isEmpty ? base + ".png" : base
            throw InputError(shown, "image file listed in \((file as NSString).lastPathComponent) is missing")
        }
        return (name, base)
    }

    /// OpenGL camera-to-world 4x4 (or 3x4) to an OpenCV world-to-camera pose.
    static func pose(_ value: Any?, fail: (String) -> InputError) throws -> CameraFromWorld {
        guard let rows = value as? [Any], rows.count >= 3 else { throw fail("transform_matrix is missing or not a 4x4 matrix") }
        var m = [[Double]]()
        for r in rows.prefix(3) {
            guard let row = r as? [Any], row.count >= 4 else { throw fail("transform_matrix is not a 4x4 matrix") }
            let v = row.prefix(4).compactMap(number)
            guard v.count == 4, v.allSatisfy(\.isFinite) else { throw fail("transform_matrix has non-finite or non-numeric entries") }
            m.append(v)
        }
        // Negate the camera Y and Z columns: OpenGL (+Y up, +Z back) to OpenCV (+Y down, +Z forward).
        let rwc = Matrix3(rows: [m[0][0], -m[0][1], -m[0][2]], [m[1][0], -m[1][1], -m[1][2]], [m[2][0], -m[2][1], -m[2][2]])
        guard abs(rwc.determinant - 1) < 1e-2 else { throw fail("transform_matrix rotation is not a rotation (det \(rwc.determinant))") }
        // Re-orthonormalise through a quaternion: JSON files store float32-rounded matrices.
        let r = Quaternion(rotationMatrix: rwc).rotationMatrix
        return CameraFromWorld(worldFromCameraRotation: r, center: SIMD3(m[0][3], m[1][3], m[2][3]))
    }
}
