import ArgumentParser
import SplatInit

/// The EDGS initialization flags shared by `splat init` and `splat run`.
struct InitArguments: ParsableArguments {
    @Option(help: "Reference views (k-means clusters of train cameras; clamped to the number of train views). Default: half the train views, at least 20, at most 64.")
    var numRefs: Int?

    @Option(help: "Neighbour views matched against each reference.")
    var nnsPerRef = InitOptions().nnsPerRef

    @Option(help: "Reference pixels sampled (and triangulated) per reference view. Default: 160000 over the references, 3000 to 20000 each.")
    var matchesPerRef: Int?

    @Option(help: "Long side, in pixels, of the images the built-in matcher works on (smaller is faster).")
    var matchSize = MatcherOptions().maxSide

    @Option(help: "Initial Gaussian size: knn (3DGS: from the 3 nearest points) or distance (EDGS: 0.0005 x distance to the reference camera; meant for millions of points).")
    var initialScale = InitialScale.nearestNeighbors

    @Option(help: "Add the scene's SfM points to the dense ones: always (as EDGS's add_SfM_init), auto (only when fewer than 4x as many dense points survive) or never.")
    var sfmPoints = InitOptions().sfmPoints

    @Option(help: "Cells along the long side of a grid over each reference; every cell no kept match covers gets one Gaussian at the depth of the nearest covered cell, coloured as the cell (textureless walls, ceilings). 0 = no fill.")
    var coverageCells = InitOptions().coverageCells

    func validate() throws {
        guard (0...4096).contains(coverageCells) else { throw ValidationError("--coverage-cells must be between 0 and 4096") }
        if let numRefs, numRefs < 1 { throw ValidationError("--num-refs must be at least 1") }
        guard nnsPerRef >= 1 else { throw ValidationError("--nns-per-ref must be at least 1") }
        if let matchesPerRef, matchesPerRef < 1 { throw ValidationError("--matches-per-ref must be at least 1") }
        guard matchSize >= 16 else { throw ValidationError("--match-size must be at least 16 pixels") }
    }

    /// Initializer options with these flags applied.
    func options(seed: UInt64) -> InitOptions {
        var o = InitOptions()
        o.numRefs = numRefs ?? 0; o.nnsPerRef = nnsPerRef; o.matchesPerRef = matchesPerRef ?? 0
        o.matcher.maxSide = matchSize
        o.initialScale = initialScale
        o.sfmPoints = sfmPoints
        o.coverageCells = coverageCells
        o.seed = seed
        return o
    }
}

extension InitialScale: ExpressibleByArgument {}
extension SfMPointsPolicy: ExpressibleByArgument {}
