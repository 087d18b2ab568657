import ArgumentParser
import SplatInit

/// COLMAP flags shared by `splat init` and `splat run` (used only for a folder of photos without
/// poses; docs/commands.md).
struct ColmapArguments: ParsableArguments {
    @Option(help: "COLMAP feature matching: auto (exhaustive for a set of photos, sequential for video frames), exhaustive or sequential.")
    var colmapMatcher = ColmapMatching.auto

    @Option(help: "COLMAP cameras: auto (one shared camera when all photos have the same size and EXIF camera), single or per-image.")
    var colmapCamera = ColmapCameraSharing.auto

    @Option(help: "COLMAP camera model (default: OPENCV for one shared camera, SIMPLE_RADIAL per image).")
    var colmapCameraModel: String?

    @Option(help: "Long side, in pixels, photos are reduced to for COLMAP's SIFT features.")
    var colmapMaxImageSize = ColmapOptions().maxImageSize

    @Option(help: "SIFT peak threshold for COLMAP (lower finds more features; default: COLMAP's 0.0067, or 0.002 for photos under 600 px).")
    var colmapSiftPeakThreshold: Double?

    func validate() throws {
        if let t = colmapSiftPeakThreshold, !(t > 0 && t < 1) { throw ValidationError("--colmap-sift-peak-threshold must be in (0, 1)") }
        guard colmapMaxImageSize >= 100 else { throw ValidationError("--colmap-max-image-size must be at least 100 pixels") }
        if let m = colmapCameraModel {
            let known = ["SIMPLE_PINHOLE", "PINHOLE", "SIMPLE_RADIAL", "RADIAL", "OPENCV"]
            guard known.contains(m) else { throw ValidationError("--colmap-camera-model must be one of \(known.joined(separator: ", ")) (got '\(m)')") }
        }
    }

    var options: ColmapOptions {
        var o = ColmapOptions()
        o.matching = colmapMatcher; o.camera = colmapCamera; o.cameraModel = colmapCameraModel
        o.maxImageSize = colmapMaxImageSize; o.siftPeakThreshold = colmapSiftPeakThreshold
        return o
    }
}

extension ColmapMatching: ExpressibleByArgument {}
extension ColmapCameraSharing: ExpressibleByArgument {}
