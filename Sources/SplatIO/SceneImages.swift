import Foundation
import SplatCore

/// Loads a camera's image exactly as the camera describes it: decoded, composited on the
/// background (RGBA and gray+alpha), undistorted into the pinhole intrinsics when the file is
/// distorted, then area-downscaled by `camera.imageDownscale`. Compositing comes first so that
/// the resampling and averaging blend colours, not unpremultiplied alpha.
public enum SceneImages {
    public static func loadRGB(_ camera: Camera, background: SIMD3<Float>) throws -> Image8 {
        guard let path = camera.imagePath else { throw InputError(camera.name, "camera has no image file") }
        let decoded = try ImageCodec.decode(path: path)
        let factor = max(1, camera.imageDownscale)
        guard decoded.width / factor == camera.width && decoded.height / factor == camera.height else {
            throw InputError(path, "image is \(decoded.width)x\(decoded.height) but the camera expects \(camera.width * factor)x\(camera.height * factor)")
        }
        var rgb = ImageOps.toRGB(decoded, background: background)
        if let d = camera.distortion {
            // Undistort at the file's resolution into the pinhole camera scaled to that size.
            let pinhole = camera.intrinsics.resized(width: decoded.width, height: decoded.height)
            rgb = Undistortion.resample(rgb, distortion: d, into: pinhole)
        }
        rgb = ImageOps.downscaleArea(rgb, by: factor)
        return rgb
    }
}
