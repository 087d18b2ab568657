import SplatCore
import SplatIO

/// The train views at the reduced sizes of the resolution warm-up (Schedules.swift,
/// `imageDownscale`): cameras, images and masks area-downscaled by an integer factor, with
/// intrinsics that match the downscaled pixels exactly (`Camera.downscaled(by:)`, x/f). Made
/// on first use; a level is dropped once the run moves to a larger size, since the warm-up
/// never returns to it.
final class ResolutionLevels {
    struct Level {
        let factor: Int
        let cameras: [Camera]
        let images: [Image8]
        let masks: [Image8?]
        func mask(_ view: Int) -> Image8? { view < masks.count ? masks[view] : nil }
    }

    let views: TrainingViews
    private var current: Level?

    init(views: TrainingViews) { self.views = views }

    /// The train views downscaled by `factor` (1 = as loaded).
    func level(_ factor: Int) -> Level {
        if let current, current.factor == factor { return current }
        let made: Level
        if factor == 1 {
            made = Level(factor: 1, cameras: views.trainCameras, images: views.trainImages, masks: views.trainMasks)
        } else {
            made = Level(factor: factor,
                         cameras: views.trainCameras.map { $0.downscaled(by: factor) },
                         images: views.trainImages.map { ImageOps.downscaleArea($0, by: factor) },
                         masks: views.trainMasks.map { $0.map { ImageOps.downscaleArea($0, by: factor) } })
        }
        current = made
        return made
    }
}
