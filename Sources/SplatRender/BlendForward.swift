import CBlend
import Foundation
import SplatCore

/// Per-pixel outputs of the forward blend that the backward walks again.
struct BlendState {
    var finalT: UnsafeMutablePointer<Float>     // [H*W]
    var lastIndex: UnsafeMutablePointer<Int32>  // [H*W], 1-based position in the tile's list, 0 = none
}

/// Front-to-back blending per 16x16 tile (docs/rendering-maths.md step 9), in the C kernels of
/// CBlend (docs/rasterizer.md, "Blend kernels"): each tile keeps its pixels' state in 16-lane
/// rows and, for one Gaussian at a time, updates each row it can reach branch-free; done pixels
/// hold T = 0 and so take nothing, rows whose 16 pixels are all done are skipped, and the tile
/// stops once all of its pixels are done.
enum BlendForward {
    struct Outputs {
        var image: UnsafeMutablePointer<Float>   // [H*W*3]
        var alpha: UnsafeMutablePointer<Float>?  // [H*W]
        var depth: UnsafeMutablePointer<Float>?  // [H*W]
        var state: BlendState
    }

    static func run(_ input: TileLists, _ output: Outputs, kernel: BlendKernel, threads: Int) {
        var lists = input.cLists
        var out = CBlendForwardOutputs(image: output.image, alpha: output.alpha, depth: output.depth,
                                       finalT: output.state.finalT, lastIndex: output.state.lastIndex)
        withUnsafePointer(to: &lists) { l in
            withUnsafePointer(to: &out) { o in
                Parallel.chunks(input.view.tileCount, chunkSize: 4, threads: threads) { range in
                    cblend_forward_tiles(kernel.rawValue, l, o, range.lowerBound, range.upperBound)
                }
            }
        }
    }
}

/// Which compiled variant of the C kernels (blends, projection, chain rule) runs (all give
/// bit-identical results). The default
/// is the widest this CPU supports, unless the environment variable SPLAT_SIMD names one
/// (`avx512`, `avx2`, `generic`), for tests, benchmarks and valgrind (which cannot run AVX-512).
public enum BlendKernel: Int32, CaseIterable, Sendable {
    case generic = 0   // CBLEND_GENERIC
    case avx2 = 1      // CBLEND_AVX2
    case avx512 = 2    // CBLEND_AVX512

    public var name: String {
        switch self {
        case .generic: "generic"
        case .avx2: "avx2"
        case .avx512: "avx512"
        }
    }

    /// Compiled in, and this CPU and OS can run it.
    public var isSupported: Bool { cblend_supported(rawValue) != 0 }

    /// The widest supported variant.
    public static let best: BlendKernel = [.avx512, .avx2].first { $0.isSupported } ?? .generic

    /// `best`, or the one SPLAT_SIMD asks for when this machine supports it (else a warning on
    /// stderr and `best`).
    public static let `default`: BlendKernel = {
        guard let requested = ProcessInfo.processInfo.environment["SPLAT_SIMD"], !requested.isEmpty else { return best }
        if let kernel = allCases.first(where: { $0.name == requested.lowercased() }), kernel.isSupported { return kernel }
        FileHandle.standardError.write(Data(
            "warning: SPLAT_SIMD=\(requested) is not a supported kernel here (avx512, avx2, generic); using \(best.name)\n".utf8))
        return best
    }()
}

extension TileLists {
    var cLists: CBlendLists {
        CBlendLists(pairSplats: pairSplats, ranges: ranges, width: Int32(view.width), height: Int32(view.height),
                    tilesX: Int32(view.tilesX), useRowExtent: rules.useRowExtent ? 1 : 0,
                    background: (background.x, background.y, background.z),
                    alphaMax: rules.alphaMax, alphaMin: rules.alphaMin, minTransmittance: rules.minTransmittance,
                    recurrenceFloor: rules.recurrenceFloor)
    }
}
