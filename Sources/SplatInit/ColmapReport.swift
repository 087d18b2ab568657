/// What COLMAP did with a folder of photos (docs/init.md, "Image folders without poses"):
/// written to `<workspace>/report.json`, printed by `splat init` / `splat run`, and copied
/// into init.json as `colmap`.
public struct ColmapReport: Sendable, Codable, Equatable {
    /// Settings as resolved for these photos (`auto` replaced by what was chosen).
    public struct Settings: Sendable, Codable, Equatable {
        public var matcher: String
        public var sharedCamera: Bool
        public var cameraModel: String
        public var maxImageSize: Int
        /// SIFT peak threshold passed to COLMAP; nil: its default.
        public var siftPeakThreshold: Double? = nil
        /// Why the camera was (not) shared, e.g. "all 26 photos 800x600, no EXIF model".
        public var cameraReason: String
    }

    public var settings: Settings
    /// Photos given (image files in the folder).
    public var images: Int
    /// Photos with a pose in the chosen model.
    public var registered: Int
    /// Given photos the chosen model does not contain, by name.
    public var leftOut: [String]
    /// Mean reprojection error over the chosen model's observations, pixels.
    public var meanReprojectionErrorPx: Double
    /// SfM points of the chosen model.
    public var points: Int
    /// Registered photos of every model the mapper made (sparse/0, sparse/1, …).
    public var models: [Int]
    /// Index of the model used (the one with the most registered photos).
    public var chosenModel: Int
    /// Wall seconds of each COLMAP step (feature_extractor, matcher, mapper, image_undistorter).
    public var seconds: [String: Double] = [:]
    /// Set when fewer than `ColmapOptions.warnBelowRegistered` of the photos registered.
    public var warning: String?

    public var registeredFraction: Double { images > 0 ? Double(registered) / Double(images) : 0 }

    /// The lines `splat init` and `splat run` print.
    public var lines: [String] {
        var out = [String]()
        let models = self.models.count > 1
            ? "; the mapper made \(self.models.count) models (\(self.models.map(String.init).joined(separator: ", ")) photos), using model \(chosenModel), the largest"
            : ""
        out.append("colmap: registered \(registered) of \(images) photos, \(points) points, mean reprojection error "
                   + String(format: "%.2f", meanReprojectionErrorPx) + " px\(models)")
        if !leftOut.isEmpty {
            let shown = leftOut.prefix(12).joined(separator: ", ")
            out.append("colmap: left out \(leftOut.count): \(shown)\(leftOut.count > 12 ? ", … (all in init.json)" : "")")
        }
        out.append("colmap: \(settings.matcher) matching, \(settings.sharedCamera ? "one shared" : "one per photo") \(settings.cameraModel) camera (\(settings.cameraReason)), SIFT at ≤ \(settings.maxImageSize) px"
                   + (settings.siftPeakThreshold.map { ", peak threshold \($0)" } ?? ""))
        if !seconds.isEmpty {
            let order = ["feature_extractor", "exhaustive_matcher", "sequential_matcher", "mapper", "image_undistorter"]
            out.append("colmap: wall time " + order.compactMap { k in seconds[k].map { "\(k) \(Int($0.rounded())) s" } }.joined(separator: ", "))
        }
        if let warning { out.append("warning: " + warning) }
        return out
    }
}
