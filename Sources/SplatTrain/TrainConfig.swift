import Foundation

/// Every setting of a training run, named as in 3DGS/EDGS. Defaults follow docs/how-edgs-works.md §2, docs/config.md;
/// docs/config.md documents each key. Paths are absolute once loaded (`ConfigLoader`).
public struct TrainConfig: Sendable, Equatable {
    // Run
    public var scene = ""
    public var downscale = 1
    /// A Gaussian PLY path, `sfm` (the scene's sparse points as Gaussians) or `random:N`.
    public var initialization = "sfm"
    public var output = ""
    /// Step limit (0 with a time budget: none). The default recipe is 20000 steps or 20 minutes,
    /// whichever comes first (docs/config.md, "Run length").
    public var iterations = 20000
    /// Minutes of wall time the run may train for, loading included (0 = no limit); TimeBudget.swift.
    public var timeBudget = 20.0
    public var whiteBackground: Bool? = nil
    public var seed = 0
    /// 0 = all cores.
    public var threads = 0
    /// The threads a run uses: `threads`, or every core when it is 0.
    public var threadCount: Int { threads > 0 ? threads : ProcessInfo.processInfo.activeProcessorCount }
    /// Hold out every 8th view for evaluation (3DGS --eval); false trains on every view.
    public var eval = true
    /// Longest image side allowed before an extra integer downscale (0 = no limit); MaxResolution.swift.
    public var maxResolution = 1600
    /// Loss masks: `auto` (a masks/ folder when present), `alpha` (the image's alpha) or `none`; LossMask.swift.
    public var masks = "auto"
    /// Per-image affine colour transform learned with the splat (Exposure.swift).
    public var exposure = false
    public var exposureLRInit = 0.01
    public var exposureLRFinal = 0.001
    /// Mip-Splatting's 2D filter in training and in every later render of the model (the PLY
    /// records it); RenderSettings.antialiased.
    public var antialiasing = false
    // Learning rates
    public var positionLRInit = 0.00016
    public var positionLRFinal = 0.0000016
    public var positionLRDelayMult = 0.01
    public var positionLRDelaySteps = 0
    public var positionLRMaxSteps = 30000
    /// EDGS: the position schedule is evaluated at max(step, this).
    public var positionLRStartStep = 8000
    public var featureLR = 0.0025
    public var opacityLR = 0.025
    public var scalingLR = 0.005
    public var rotationLR = 0.001
    // Loss and schedules
    /// The run length the step-valued schedule keys are written for (0 = literal steps); Schedules.swift.
    public var scheduleIterations = 30000
    /// Resolution warm-up: halvings of the image size at the start, one fewer every resolution_schedule reference steps.
    public var numDownscales = 2
    public var resolutionSchedule = 3000
    public var lambdaDSSIM = 0.2
    /// Penalty on Gaussians whose longest axis exceeds this many times their shortest (or
    /// middle, `scaleRatioAxis`) one (ScaleRatioPenalty.swift); off while `scale_ratio_weight` is 0.
    public var scaleRatioMax = 10.0
    public var scaleRatioAxis = ScaleRatioPenalty.Against.shortest.rawValue
    public var scaleRatioWeight = 0.0
    public var shDegree = 3
    public var shDegreeInterval = 1000
    public var opacityDecay = 0.99
    public var opacityDecayInterval = 10
    public var opacityDecayUntil = 30000   // the whole run (docs/config.md: measured on four scenes)
    public var pruneOpacity = 0.005
    public var pruneInterval = 10
    public var pruneUntil = 30000
    // Reporting
    public var testInterval = 0
    public var checkpointInterval = 1000
    public var logInterval = 100
    /// Steps between previews for `splat view` (TrainingPreview.swift); 0 = none.
    public var previewInterval = 100

    public init() {}

    /// The step limit, nil when a time budget alone decides (`iterations: 0`, `time_budget` > 0).
    public var stepLimit: Int? { timeBudget > 0 && iterations == 0 ? nil : iterations }

    /// Sets the run length the user named (flags, or the keys a run.yaml gives). A length named
    /// in one unit only replaces both limits, so `--iterations N` alone is exactly N steps
    /// (deterministic) and `--minutes M` alone trains until the deadline; both named: whichever
    /// comes first; neither: the limits stay as they are.
    public mutating func setRunLength(iterations: Int?, minutes: Double?) {
        switch (iterations, minutes) {
        case let (n?, m?): self.iterations = n; timeBudget = m
        case let (n?, nil): self.iterations = n; timeBudget = 0
        case let (nil, m?): self.iterations = 0; timeBudget = m
        case (nil, nil): break
        }
    }

    enum Field {
        case int(WritableKeyPath<TrainConfig, Int>, ClosedRange<Int>)
        case double(WritableKeyPath<TrainConfig, Double>, ClosedRange<Double>)
        case optionalBool(WritableKeyPath<TrainConfig, Bool?>)
        case bool(WritableKeyPath<TrainConfig, Bool>)
        /// One of a fixed list of words.
        case choice(WritableKeyPath<TrainConfig, String>, [String])
        case path(WritableKeyPath<TrainConfig, String>)
        /// `sfm`, `random:N`, or a PLY path (resolved like other paths).
        case initialization(WritableKeyPath<TrainConfig, String>)
    }

    /// YAML key → field, in the order the effective config is written.
    static var fields: [(key: String, field: Field)] { [
        ("scene", .path(\.scene)),
        ("downscale", .int(\.downscale, 1...64)),
        ("init", .initialization(\.initialization)),
        ("output", .path(\.output)),
        ("iterations", .int(\.iterations, 0...10_000_000)),
        ("time_budget", .double(\.timeBudget, 0...1e6)),
        ("white_background", .optionalBool(\.whiteBackground)),
        ("seed", .int(\.seed, 0...Int.max)),
        ("threads", .int(\.threads, 0...1024)),
        ("eval", .bool(\.eval)),
        ("max_resolution", .int(\.maxResolution, 0...65536)),
        ("masks", .choice(\.masks, ["auto", "alpha", "none"])),
        ("exposure", .bool(\.exposure)),
        ("exposure_lr_init", .double(\.exposureLRInit, 0...1e3)),
        ("exposure_lr_final", .double(\.exposureLRFinal, 0...1e3)),
        ("antialiasing", .bool(\.antialiasing)),
        ("position_lr_init", .double(\.positionLRInit, 0...1e3)),
        ("position_lr_final", .double(\.positionLRFinal, 0...1e3)),
        ("position_lr_delay_mult", .double(\.positionLRDelayMult, 0...1)),
        ("position_lr_delay_steps", .int(\.positionLRDelaySteps, 0...10_000_000)),
        ("position_lr_max_steps", .int(\.positionLRMaxSteps, 1...10_000_000)),
        ("position_lr_start_step", .int(\.positionLRStartStep, 0...10_000_000)),
        ("feature_lr", .double(\.featureLR, 0...1e3)),
        ("opacity_lr", .double(\.opacityLR, 0...1e3)),
        ("scaling_lr", .double(\.scalingLR, 0...1e3)),
        ("rotation_lr", .double(\.rotationLR, 0...1e3)),
        ("lambda_dssim", .double(\.lambdaDSSIM, 0...1)),
        ("scale_ratio_max", .double(\.scaleRatioMax, 1...1e6)),
        ("scale_ratio_weight", .double(\.scaleRatioWeight, 0...1e3)),
        ("scale_ratio_axis", .choice(\.scaleRatioAxis, ScaleRatioPenalty.Against.allCases.map(\.rawValue))),
        ("schedule_iterations", .int(\.scheduleIterations, 0...10_000_000)),
        ("num_downscales", .int(\.numDownscales, 0...6)),
        ("resolution_schedule", .int(\.resolutionSchedule, 0...10_000_000)),
        ("sh_degree", .int(\.shDegree, 0...3)),
        ("sh_degree_interval", .int(\.shDegreeInterval, 1...10_000_000)),
        ("opacity_decay", .double(\.opacityDecay, 0...1)),
        ("opacity_decay_interval", .int(\.opacityDecayInterval, 0...10_000_000)),
        ("opacity_decay_until", .int(\.opacityDecayUntil, 0...10_000_000)),
        ("prune_opacity", .double(\.pruneOpacity, 0...1)),
        ("prune_interval", .int(\.pruneInterval, 0...10_000_000)),
        ("prune_until", .int(\.pruneUntil, 0...10_000_000)),
        ("test_interval", .int(\.testInterval, 0...10_000_000)),
        ("checkpoint_interval", .int(\.checkpointInterval, 0...10_000_000)),
        ("log_interval", .int(\.logInterval, 1...10_000_000)),
        ("preview_interval", .int(\.previewInterval, 0...10_000_000)),
    ] }

    public static var keys: [String] { fields.map(\.key) }

    /// The effective configuration as YAML, every key, in documentation order.
    public func yaml() -> String {
        var out = "# Effective configuration of this run (defaults filled in, paths absolute).\n"
        for (key, field) in Self.fields {
            let value: String
            switch field {
            case let .int(kp, _): value = String(self[keyPath: kp])
            case let .double(kp, _): value = "\(self[keyPath: kp])"
            case let .optionalBool(kp): value = self[keyPath: kp].map { $0 ? "true" : "false" } ?? "null"
            case let .bool(kp): value = self[keyPath: kp] ? "true" : "false"
            case let .choice(kp, _): value = self[keyPath: kp]
            case let .path(kp), let .initialization(kp):
                if self[keyPath: kp].isEmpty { continue }   // unset path: leave the key out
                value = Self.quoted(self[keyPath: kp])
            }
            out += "\(key): \(value)\n"
        }
        return out
    }

    static func quoted(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
