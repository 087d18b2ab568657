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
    float recurrenceFloor;        // least corner power for the row recurrence (blend_rows.h); > 0: never
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

/// The camera as the projection uses it (SplatRender's ViewParameters).
typedef struct {
    float r[9];                   // world→camera rotation, row-major
    float t[3], center[3];
    float fx, fy, cx, cy;
    float limX[2], limY[2];       // x/z, y/z range of the EWA Jacobian
    int32_t width, height, tilesX, tilesY;
} CProjectView;

/// A cloud's parameter arrays (GaussianCloud layout) and the projection's switches.
typedef struct {
    const float *means, *logScales, *rotations, *logits, *dc, *rest;   // [N*3], [N*3], [N*4], [N], [N*3], [N*restCount*3]
    intptr_t count;               // N
    int32_t restCount, shDegree;
    int32_t smooth, exactTiles, antialiased;
} CProjectInputs;

/// SplatRender's ProjectionBuffers.
typedef struct {
    float *splats;                // [N * 12], SplatLane layout
    int32_t *tileRects;           // [N * 4]: x0, y0, x1, y1 (exclusive)
    intptr_t *tileCounts;         // [N]; 0 = not drawn
    uint8_t *flags;               // [N], ClampFlag bits
    uint64_t *tileMasks;          // [N], where the rectangle is 2x2 to 64 tiles
} CProjectOutputs;

/// Projects Gaussians [begin, end) (SplatRender's ProjectForward, several Gaussians per vector);
/// returns how many were skipped as non-finite.
intptr_t cproject_forward(int32_t variant, const CProjectInputs *in, const CProjectView *view,
                          const CProjectOutputs *out, intptr_t begin, intptr_t end);

/// Whether the projected record s (SplatLane layout) reaches tile (tx, ty) of the view: the exact
/// tile test the projection counts with, for TileBinning.emitKeys to emit the same pairs.
int32_t cproject_tile_reaches(const float *s, const CProjectView *view, int32_t tx, int32_t ty);

/// SplatRender's GradientPointers: every array of a GaussianGradients.
typedef struct {
    float *means, *logScales, *rotations, *logits, *dc, *rest;
} CProjectGradients;

/// The per-Gaussian chain rule (SplatRender's ProjectBackward) for Gaussians [begin, end): from
/// each one's screen-space gradient grads2D[i] (9 floats) and the forward's projection to every
/// parameter's gradient; Gaussians that were not drawn get zeros.
void cproject_backward(int32_t variant, const CProjectInputs *in, const CProjectView *view,
                       const CProjectOutputs *projection, const float *grads2D, const CProjectGradients *out,
                       intptr_t begin, intptr_t end);

#endif
