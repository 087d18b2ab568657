import Foundation

/// The judgements behind init's warnings and its SfM fallback (docs/init.md, "The SfM points
/// too, and when few matches survive"), kept apart from the pipeline so that each rule is one
/// small function.
enum InitDiagnosis {
    /// A warning for a reference that kept less than `failing` of its samples, naming the
    /// main reason; nil when it did its part.
    static func failingReference(_ r: InitReport.Reference, minAgreeing: Int, failing: Double) -> String? {
        guard Double(r.kept) < failing * Double(max(r.sampled, 1)) else { return nil }
        let angles = r.anglesDegrees.map { String(format: "%.0f°", $0) }.joined(separator: ", ")
        let views = r.neighbours.isEmpty ? "" : " (neighbours \(r.neighbours.joined(separator: ", "))\(angles.isEmpty ? "" : " at \(angles)"))"
        if r.sampled == 0 {
            return "no confident match with any neighbour\(views): too little texture, or the neighbours see other parts of the scene"
        }
        let worst = [(r.droppedNoTriangulation, "gave no valid triangulation (rays nearly parallel or behind a camera)"),
                     (r.droppedReprojection, "reprojected beyond the tolerance"),
                     (r.droppedAgreement, "were not confirmed by \(minAgreeing) neighbours (neighbours too far apart or too close for depths to agree)")]
            .max { $0.0 < $1.0 }!
        return "kept \(r.kept) of \(r.sampled) samples; \(worst.0) \(worst.1)\(views)"
    }

    /// Whether the SfM points join the dense ones.
    static func addsSfMPoints(dense: Int, sfm: Int, options: InitOptions) -> Bool {
        guard sfm > 0 else { return false }
        switch options.sfmPoints {
        case .never: return false
        case .always: return true
        case .auto: return Double(dense) < options.fewDensePerSfMPoint * Double(sfm)
        }
    }

    /// The run's warning when few dense points survived; nil when they are plenty.
    static func fewDense(dense: Int, sampled: Int, sfm: Int, added: Bool, options: InitOptions) -> String? {
        let few = sfm > 0 ? Double(dense) < options.fewDensePerSfMPoint * Double(sfm) : Double(dense) < 0.05 * Double(max(sampled, 1))
        guard few else { return nil }
        let what = "only \(dense) of \(sampled) sampled matches survived triangulation"
        if added { return "\(what); added the scene's \(sfm) SfM points so training does not start from fewer points than an SfM start (--sfm-points never turns this off)" }
        if sfm > 0 { return "\(what), fewer than \(Int(options.fewDensePerSfMPoint))x the \(sfm) SfM points; --sfm-points auto or always would add them" }
        return "\(what); the scene has no SfM points to fall back to: try more --nns-per-ref, a larger --match-size, or photos closer together"
    }
}
