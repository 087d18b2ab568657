import Foundation
import SplatCore

/// Per-image loss masks (docs/config.md, `masks`): a `masks/` folder beside the scene's images
/// with the same names (as Brush and COLMAP's `mask_path` use), or the image's own alpha
/// channel. A mask becomes one 8-bit weight per pixel of the camera's image: 255 = full loss,
/// 0 = no loss. It is brought into the camera's frame the way its image is (undistorted, then
/// area-downscaled), so the weights line up with the training image pixel for pixel.
public enum SceneMasks {
    /// The folder masks are looked for in: `<scene>/masks`, or `masks/` beside a transforms file.
    public static func folder(of scene: Scene) -> String {
        var isDir: ObjCBool = false
        let root = FileManager.default.fileExists(atPath: scene.source, isDirectory: &isDir) && isDir.boolValue
            ? scene.source : (scene.source as NSString).deletingLastPathComponent
        return root + "/masks"
    }

    /// The mask file of `camera` in `folder`: the image's name (with its folders, then without),
    /// as is, with its extension replaced by .png, or with .png appended (COLMAP's convention).
    public static func maskPath(for camera: Camera, in folder: String) -> String? {
        let name = camera.name, base = (name as NSString).lastPathComponent
        let fm = FileManager.default
        for rel in Set([name, base]).sorted(by: { $0.count > $1.count }) {
            let stem = (rel as NSString).deletingPathExtension
            for candidate in [rel, stem + ".png", rel + ".png"] where fm.fileExists(atPath: folder + "/" + candidate) {
                return folder + "/" + candidate
            }
        }
        return nil
    }

    /// Weights from a mask file: gray value, or the mean of R, G, B, times alpha when the file has one.
    public static func load(path: String, camera: Camera) throws -> Image8 {
        let decoded = try ImageCodec.decode(path: path)
        return try toCameraFrame(weights(of: decoded, alphaOnly: false), camera: camera, file: path)
    }

    /// Weights from the alpha channel of the camera's image; nil when the image has none.
    public static func alpha(of camera: Camera) throws -> Image8? {
        guard let path = camera.imagePath else { throw InputError(camera.name, "camera has no image file") }
        let decoded = try ImageCodec.decode(path: path)
        guard decoded.hasAlpha else { return nil }
        return try toCameraFrame(weights(of: decoded, alphaOnly: true), camera: camera, file: path)
    }

    /// One weight per pixel, replicated into 3 channels (the resamplers work on RGB).
    static func weights(of image: Image8, alphaOnly: Bool) -> Image8 {
        let ch = image.channels, count = image.width * image.height
        var out = [UInt8](repeating: 0, count: count * 3)
        image.pixels.withUnsafeBufferPointer { src in
            for i in 0..<count {
                let p = i * ch
                let a = image.hasAlpha ? UInt32(src[p + ch - 1]) : 255
                let value: UInt32
                if alphaOnly { value = a }
                else {
                    let gray = ch >= 3 ? (UInt32(src[p]) + UInt32(src[p + 1]) + UInt32(src[p + 2]) + 1) / 3 : UInt32(src[p])
                    value = (gray * a + 127) / 255
                }
                out[3 * i] = UInt8(value); out[3 * i + 1] = UInt8(value); out[3 * i + 2] = UInt8(value)
            }
        }
        return Image8(width: image.width, height: image.height, channels: 3, pixels: out)
    }

    /// Undistorts and downscales like `SceneImages.loadRGB`. A mask may be stored at any integer
    /// multiple of the camera's size (e.g. full-size masks beside an images_N folder).
    static func toCameraFrame(_ rgb: Image8, camera: Camera, file: String) throws -> Image8 {
        let factor = max(1, rgb.width / max(1, camera.width))
        guard rgb.width / factor == camera.width, rgb.height / factor == camera.height, factor <= ImageOps.maxDownscale else {
            throw InputError(file, "mask is \(rgb.width)x\(rgb.height), which is not the size of image \(camera.name) (\(camera.width)x\(camera.height)) or an integer multiple of it")
        }
        var m = rgb
        if let d = camera.distortion {
            m = Undistortion.resample(m, distortion: d, into: camera.intrinsics.resized(width: rgb.width, height: rgb.height))
        }
        m = ImageOps.downscaleArea(m, by: factor)
        let n = m.width * m.height
        var gray = [UInt8](repeating: 0, count: n)
        for i in 0..<n { gray[i] = m.pixels[3 * i] }
        return Image8(width: m.width, height: m.height, channels: 1, pixels: gray)
    }
}
