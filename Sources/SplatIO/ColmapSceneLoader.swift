import Foundation
import SplatCore

/// Turns a COLMAP scene folder (`images/` + `sparse/0` or `sparse/`) into a `Scene`.
///
/// Distorted models (SIMPLE_RADIAL, RADIAL, OPENCV) become a pinhole camera with the *same*
/// focal lengths, principal point and size as the source (COLMAP's image_undistorter starts
/// from the same choice), plus a `LensDistortion` that `SceneImages.loadRGB` uses to resample
/// the stored image; see docs/formats-input.md.
enum ColmapSceneLoader {
    /// The model folder and whether it holds .bin (preferred) or .txt files.
    static func locateModel(scene: String, explicit: String?) throws -> (directory: String, binary: Bool) {
        let fm = FileManager.default
        let candidates = explicit.map { [$0] } ?? [scene + "/sparse/0", scene + "/sparse"]
        for dir in candidates {
            if fm.fileExists(atPath: dir + "/cameras.bin") { return (dir, true) }
            if fm.fileExists(atPath: dir + "/cameras.txt") { return (dir, false) }
        }
        throw InputError(explicit ?? scene, "no COLMAP model: looked for cameras.bin or cameras.txt in \(candidates.joined(separator: ", "))")
    }

    static func load(scene: String, options: SceneLoadOptions) throws -> Scene {
        let (dir, binary) = try locateModel(scene: scene, explicit: options.colmapModelPath)
        let model = binary ? try ColmapBinaryReader.read(directory: dir) : try ColmapTextReader.read(directory: dir)
        let ext = binary ? "bin" : "txt"
        let camerasFile = dir + "/cameras." + ext, imagesFile = dir + "/images." + ext

        var cameraById = [UInt32: ColmapCamera]()
        for c in model.cameras {
            guard cameraById.updateValue(c, forKey: c.id) == nil else { throw InputError(camerasFile, "camera id \(c.id) appears twice") }
        }
        let factor = options.downscale
        let reducedDir = scene + "/images_\(factor)"
        let useReduced = factor > 1 && FileManager.default.fileExists(atPath: reducedDir)
        let imagesDir = useReduced ? reducedDir : scene + "/images"

        var cameras = [Camera](), seen = Set<String>(), models = Set<String>()
        for image in model.images.sorted(by: { $0.name < $1.name }) {
            guard seen.insert(image.name).inserted else { throw InputError(imagesFile, "image name '\(image.name)' appears twice") }
            guard let source = cameraById[image.cameraId] else {
                throw InputError(imagesFile, "image '\(image.name)' refers to unknown camera id \(image.cameraId)")
            }
            let q = image.rotation
            guard [q.w, q.x, q.y, q.z].allSatisfy(\.isFinite), q.norm > 1e-12,
                  image.translation.x.isFinite, image.translation.y.isFinite, image.translation.z.isFinite else {
                throw InputError(imagesFile, "image '\(image.name)' has a non-finite or zero pose")
            }
            let (pinhole, distortion) = try intrinsics(of: source, file: camerasFile)
            models.insert(source.model)
            let path = imagesDir + "/" + image.name
            let stored = try storedSize(path, listedIn: imagesFile)
            var camera = Camera(name: image.name, imagePath: path, intrinsics: pinhole,
                                pose: CameraFromWorld(quaternion: q, translation: image.translation), distortion: distortion)
            if useReduced {
                // images_N was made by another tool: trust its size if it is W/N rounded either way.
                let ew = Double(source.width) / Double(factor), eh = Double(source.height) / Double(factor)
                guard abs(Double(stored.width) - ew) < 1, abs(Double(stored.height) - eh) < 1 else {
                    throw InputError(path, "image is \(stored.width)x\(stored.height) but \(source.width)x\(source.height) downscaled by \(factor) is expected")
                }
                camera.intrinsics = pinhole.resized(width: stored.width, height: stored.height)
            } else {
                guard stored.width == source.width, stored.height == source.height else {
                    throw InputError(path, "image is \(stored.width)x\(stored.height) but \(camerasFile) says \(source.width)x\(source.height)")
                }
                camera = camera.downscaled(by: factor)
            }
            cameras.append(camera)
        }
        guard !cameras.isEmpty else { throw InputError(imagesFile, "no registered images") }
        let split = Scene.everyEighthSplit(count: cameras.count)
        var scene = Scene(source: scene, format: binary ? "colmap-bin" : "colmap-txt", cameras: cameras,
                     trainIndices: split.train, testIndices: split.test,
                     points: model.points.map { SIMD3<Float>($0.position) }, pointColors: model.points.map(\.color),
                     background: (options.whiteBackground ?? false) ? .one : .zero,
                     sourceCameraModels: models.sorted())
        scene.observedPoints = observedPoints(model)
        return scene
    }

    /// Per image in name order (the order of `cameras`), the indices of the points it observes;
    /// ids missing from the points file are ignored.
    static func observedPoints(_ model: ColmapModel) -> [[Int32]] {
        var index = [UInt64: Int32]()
        for (i, p) in model.points.enumerated() { index[p.id] = Int32(i) }
        return model.images.sorted(by: { $0.name < $1.name }).map { image in
            Array(Set(image.point3DIds.compactMap { $0 < 0 ? nil : index[UInt64($0)] })).sorted()
        }
    }

    /// Width and height from the header; a missing file is reported as such.
    static func storedSize(_ path: String, listedIn listing: String) throws -> (width: Int, height: Int) {
        guard FileManager.default.fileExists(atPath: path) else {
            throw InputError(path, "image file listed in \((listing as NSString).lastPathComponent) is missing")
        }
        return try ImageCodec.readSize(path: path)
    }

    /// Pinhole intrinsics for a COLMAP camera and the distortion of its stored images.
    static func intrinsics(of c: ColmapCamera, file: String) throws -> (CameraIntrinsics, LensDistortion?) {
        let p = c.params
        guard p.allSatisfy(\.isFinite) else { throw InputError(file, "camera \(c.id) has non-finite parameters") }
        func pinhole(_ fx: Double, _ fy: Double, _ cx: Double, _ cy: Double) throws -> CameraIntrinsics {
            guard fx > 0, fy > 0 else { throw InputError(file, "camera \(c.id) has a non-positive focal length") }
            return CameraIntrinsics(fx: fx, fy: fy, cx: cx, cy: cy, width: c.width, height: c.height)
        }
        let k: CameraIntrinsics
        var coeffs = (k1: 0.0, k2: 0.0, p1: 0.0, p2: 0.0)
        switch c.model {
        case "SIMPLE_PINHOLE": k = try pinhole(p[0], p[0], p[1], p[2])
        case "PINHOLE": k = try pinhole(p[0], p[1], p[2], p[3])
        case "SIMPLE_RADIAL": k = try pinhole(p[0], p[0], p[1], p[2]); coeffs.k1 = p[3]
        case "RADIAL": k = try pinhole(p[0], p[0], p[1], p[2]); coeffs.k1 = p[3]; coeffs.k2 = p[4]
        case "OPENCV": k = try pinhole(p[0], p[1], p[2], p[3]); coeffs = (p[4], p[5], p[6], p[7])
        default:
            throw InputError(file, "camera \(c.id) uses the \(c.model) model, which splat does not undistort; run `colmap image_undistorter` to get PINHOLE cameras")
        }
        if coeffs == (0, 0, 0, 0) { return (k, nil) }
        return (k, LensDistortion(model: c.model, source: k, k1: coeffs.k1, k2: coeffs.k2, p1: coeffs.p1, p2: coeffs.p2))
    }
}
