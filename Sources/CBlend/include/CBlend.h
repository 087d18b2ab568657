// The rasterizer's two blend loops (docs/rasterizer.md, "Blend kernels"): front-to-back per
// 16x16 tile, and its backward with one gradient slot per (tile, Gaussian) pair. One C source
// is compiled as three variants (AVX-512, AVX2, plain C); the caller picks one per call.
#ifndef CBLEND_H
#define CBLEND_H

#include <stdint.h>

/// The sorted (tile, Gaussian) list and how to blend it (SplatRender's TileLists and BlendRules).
typedef struct {
    const float *pairSplats;      // [pairs * 12]: u v A B C opacity r g b z rowExtent k², list order
    const intptr_t *ranges;       // [tiles * 2]: start, end of each tile's list
    int32_t width, height, tilesX;
    int32_t useRowExtent;         // 0: every row of the tile (test mode)
    float background[3];
    float alphaMax, alphaMin, minTransmittance;
} CBlendLists;

typedef struct {
    float *image;                 // [H*W*3]
    float *alpha;                 // [H*W] or NULL
    float *depth;                 // [H*W] or NULL
    float *finalT;                // [H*W]
    int32_t *lastIndex;           // [H*W], 1-based position in the tile's list, 0 = none
} CBlendForwardOutputs;

typedef struct {
    const float *finalT;          // [H*W], from the forward
    const int32_t *lastIndex;     // [H*W], from the forward
    const float *dLdImage;        // [H*W*3]
    float *pairGrads;             // [pairs * 9]: u v A B C opacity r g b, list order
} CBlendBackwardIO;

/// Kernel variants; all give bit-identical results.
enum { CBLEND_GENERIC = 0, CBLEND_AVX2 = 1, CBLEND_AVX512 = 2 };

/// 1 when `variant` was compiled in and this CPU (and OS) can run it.
int32_t cblend_supported(int32_t variant);

/// Blends tiles [tileBegin, tileEnd) with the given variant (which must be supported).
void cblend_forward_tiles(int32_t variant, const CBlendLists *lists, const CBlendForwardOutputs *out,
                          intptr_t tileBegin, intptr_t tileEnd);

/// Writes the screen-space gradient of every pair of tiles [tileBegin, tileEnd).
void cblend_backward_tiles(int32_t variant, const CBlendLists *lists, const CBlendBackwardIO *io,
                           intptr_t tileBegin, intptr_t tileEnd);

/// pairSplats[k] = splats[pairGaussian[sortedValues[k]]] (12 floats) and
/// sortedPosition[sortedValues[k]] = k, for k in [begin, end).
void cblend_gather(const float *splats, const uint32_t *sortedValues, const uint32_t *pairGaussian,
                   intptr_t begin, intptr_t end, float *pairSplats, uint32_t *sortedPosition);

/// grads2D[i] (9 floats) = Σ of pairGrads[sortedPosition[e]] over e in [offsets[i], offsets[i] +
/// tileCounts[i]), in that order, for Gaussians i in [begin, end).
void cblend_reduce(const float *pairGrads, const uint32_t *sortedPosition, const intptr_t *offsets,
                   const intptr_t *tileCounts, intptr_t begin, intptr_t end, float *grads2D);

#endif
