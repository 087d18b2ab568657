/// How COLMAP matches features between photos.
public enum ColmapMatching: String, Sendable, Codable, Equatable, CaseIterable {
    /// Sequential for video frames (`ColmapOptions.videoFrames`), exhaustive otherwise.
    case auto
    /// Every pair of photos: right for unordered sets; cost grows with the square of the count.
    case exhaustive
    /// Each photo against the next ones in name order (`ColmapOptions.sequentialOverlap`):
    /// right for frames of a video.
    case sequential
}

/// Whether COLMAP calibrates one camera for all photos or one per photo.
public enum ColmapCameraSharing: String, Sendable, Codable, Equatable, CaseIterable {
    /// One shared camera when every photo has the same size and the same EXIF make and model.
    case auto
    case single
    case perImage = "per-image"
}

/// Settings of the COLMAP run for a folder of photos without poses (docs/init.md, "Image
/// folders without poses"; the CLI flags are in docs/commands.md).
public struct ColmapOptions: Sendable, Codable, Equatable {
    public var matching = ColmapMatching.auto
    /// The photos are frames of one video, in name order (set by video input): `auto` matching
    /// is then sequential.
    public var videoFrames = false
    public var camera = ColmapCameraSharing.auto
    /// COLMAP camera model; nil: OPENCV for one shared camera (its 8 parameters are well
    /// constrained by many photos), SIMPLE_RADIAL per photo (3 parameters each).
    public var cameraModel: String? = nil
    /// SIFT runs on photos reduced to this long side (COLMAP's default is 3200; on the CPU 1600
    /// is ~3x faster and loses little for the 0.5–2 MP photos splat trains on).
    public var maxImageSize = 1600
    /// SIFT peak threshold; nil: COLMAP's default (0.0067), except for small photos (long side
    /// under `smallPhotoSide`), which get `smallPhotoPeakThreshold`: on the 200x150 example SIFT
    /// finds ~80 features a photo and COLMAP registered 14 of 77; at 0.002, ~250 and 39.
    public var siftPeakThreshold: Double? = nil
    public static let smallPhotoSide = 600, smallPhotoPeakThreshold = 0.002
    /// Sequential matching: photos matched ahead of each one.
    public var sequentialOverlap = 10
    /// Below this fraction of photos registered the run warns (docs/init.md).
    public var warnBelowRegistered = 0.8

    public init() {}

    /// The matcher actually used.
    public var resolvedMatching: ColmapMatching {
        matching != .auto ? matching : (videoFrames ? .sequential : .exhaustive)
    }
}
