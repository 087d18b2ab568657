import Foundation
import SplatCore
import SplatInit
import SplatIO
import SplatTrain

/// The numbers of `MemoryEstimate` for each command, gathered from the scene, options and
/// file headers before anything big is allocated.
enum MemoryCheck {
    /// `splat init` on a loaded scene (image sizes come from the cameras; nothing decoded yet).
    static func initialization(_ s: Scene, options o: InitOptions) -> MemoryEstimate {
        let train = s.trainIndices.map { s.cameras[$0] }
        let refs = o.references(trainViews: train.count), nns = min(o.nnsPerRef, max(0, train.count - 1))
        let views = min(train.count, refs * (1 + nns))
        let largest = train.map { $0.width * $0.height }.max() ?? 0
        let camera = train.max { $0.width * $0.height < $1.width * $1.height }
        var matchPixels = 0
        if let c = camera {
            let f = max(1, (max(c.width, c.height) + o.matcher.maxSide - 1) / max(1, o.matcher.maxSide))
            matchPixels = ((c.width + f - 1) / f) * ((c.height + f - 1) / f)
        }
        return .initialization(loadedImagePixels: views * largest, loadedViews: views, matchPixels: matchPixels,
                               depthSamples: o.matcher.maxDepthSamples,
                               concurrentSweeps: min(2 * nns, ProcessInfo.processInfo.activeProcessorCount),
                               neighbours: nns, points: refs * o.samplesPerReference(references: refs))
    }

    /// `splat optimize` / the optimize stage of `splat run`: the Gaussian count comes from the
    /// checkpoint (resume), the init PLY's header, the scene's sparse points or `random:N`.
    static func training(_ c: TrainConfig, scene s: Scene, resume: Bool) -> MemoryEstimate {
        var gaussians = 0
        if resume {
            gaussians = (try? Checkpoint.gaussianCount(path: c.output + "/checkpoint.bin")) ?? 0
        } else if c.initialization == "sfm" {
            gaussians = s.points.count
        } else if c.initialization.hasPrefix("random:") {
            gaussians = Int(c.initialization.dropFirst(7)) ?? 0
        } else {
            gaussians = (try? GaussianPLY.vertexCount(path: c.initialization)) ?? 0
        }
        let pixels = s.cameras.map { $0.width * $0.height }
        return .training(gaussians: max(0, gaussians), shDegree: c.shDegree,
                         cachedImagePixels: pixels.reduce(0, &+), largestViewPixels: pixels.max() ?? 0)
    }

    /// `splat render` / `eval`: a model already read, the largest output image.
    static func rendering(_ cloud: GaussianCloud, cameras: [Camera]) -> MemoryEstimate {
        .rendering(gaussians: cloud.count, shDegree: cloud.maxSHDegree, pixels: cameras.map { $0.width * $0.height }.max() ?? 0)
    }
}
