import ArgumentParser
import SplatTrain

/// Flags of `splat optimize` and `splat run` that override run.yaml keys of the training
/// features (docs/config.md: eval, max_resolution, masks, exposure, antialiasing).
struct TrainingFeatureOptions: ParsableArguments {
    @Flag(help: "Train on every view, holding none out (run.yaml 'eval: false'); evaluation then reports that nothing is held out.")
    var noHoldout = false

    @Option(help: "Longest image side before an extra integer downscale, overriding 'max_resolution' (default 1600; 0 = no limit).")
    var maxResolution: Int?

    @Option(help: "Loss masks, overriding 'masks': auto (<scene>/masks when present), alpha (the image's alpha channel) or none.")
    var masks: String?

    @Flag(inversion: .prefixedNo, help: "Learn a per-image colour transform (exposure compensation), overriding 'exposure'.")
    var exposure: Bool?

    @Flag(inversion: .prefixedNo, help: "Train with the Mip-Splatting 2D filter (3DGS --antialiasing), overriding 'antialiasing'; point_cloud.ply records it, so render, eval and view use it too.")
    var antialiasing: Bool?

    func validate() throws {
        if let maxResolution, !(0...65536).contains(maxResolution) {
            throw ValidationError("--max-resolution must be between 0 and 65536 (got \(maxResolution))")
        }
        if let masks, !["auto", "alpha", "none"].contains(masks) {
            throw ValidationError("--masks must be auto, alpha or none (got '\(masks)')")
        }
    }

    func apply(to c: inout TrainConfig) {
        if noHoldout { c.eval = false }
        if let maxResolution { c.maxResolution = maxResolution }
        if let masks { c.masks = masks }
        if let exposure { c.exposure = exposure }
        if let antialiasing { c.antialiasing = antialiasing }
    }
}
