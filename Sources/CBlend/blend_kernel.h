// One variant of the blend kernels. blend.c includes this file once per variant with
// FN(name) (the variant's name suffix) and KATTR (its target attribute) defined; the row loops
// are in blend_rows.h, included here once per vector width.
//
// Every pixel row of a tile is one 16-lane vector `v16f` (one zmm register on AVX-512, two ymm
// on AVX2, four xmm in plain C); lane c is column c of the tile in every variant, and every
// operation is element-wise with the same operands in the same order, so the variants give
// bit-identical results. The compiler fuses nothing (`#pragma clang fp contract(off)` in blend.c);
// the fused multiply-adds are explicit `FMA`s, the same in every variant (docs/rasterizer.md,
// "Blend kernels", lists them). The backward's per-pair sums add lane c's terms in row order and
// then fold the 16 lanes in a fixed tree (`total`).

#define VW 16
#define VF v16f
#define VI v16i
#define VU v16u
#define VD v16d
#define VSPLATD SPLATD16
#define VSPLAT SPLAT16
#define VSPLATI SPLATI16
#define VCOLUMNS COLUMNS16
#define RFN(name) FN(name##16)
#include "blend_rows.h"
#undef VW
#undef VF
#undef VI
#undef VU
#undef VD
#undef VSPLATD
#undef VSPLAT
#undef VSPLATI
#undef VCOLUMNS
#undef RFN

#define VW 8
#define VF v8f
#define VI v8i
#define VU v8u
#define VD v8d
#define VSPLATD SPLATD8
#define VSPLAT SPLAT8
#define VSPLATI SPLATI8
#define VCOLUMNS COLUMNS8
#define RFN(name) FN(name##8)
#include "blend_rows.h"
#undef VW
#undef VF
#undef VI
#undef VU
#undef VD
#undef VSPLATD
#undef VSPLAT
#undef VSPLATI
#undef VCOLUMNS
#undef RFN

/// Rows [*lo, *hi] of the tile starting at row ty0 that a Gaussian at (v, extent) can touch:
/// v ± extent (SplatLane.rowExtent, √(k²·Σyy) + 1 px) rounded inwards; *lo > *hi when none.
static inline __attribute__((always_inline)) KATTR void FN(rows)(const CBlendLists *L, float v, float extent,
                                                                  int ty0, int *lo, int *hi) {
    int top = (ty0 + 16 < L->height ? ty0 + 16 : L->height) - 1;
    if (!L->useRowExtent) { *lo = ty0; *hi = top; return; }
    if (!(extent >= 0.0f)) { *lo = 1; *hi = 0; return; }
    float a = __builtin_ceilf(v - extent), b = __builtin_floorf(v + extent);
    a = a > (float)ty0 ? a : (float)ty0;
    a = a < (float)(top + 1) ? a : (float)(top + 1);
    b = b > (float)(ty0 - 1) ? b : (float)(ty0 - 1);
    b = b < (float)top ? b : (float)top;
    *lo = (int)a; *hi = (int)b;
}

/// Tile-local columns [*c0, *c1] where the Gaussian can reach α ≥ 1/255: the bounding box of the
/// ellipse dᵀΣ⁻¹d ≤ k² (with the slack of BlendRules.footprintLimit), u ± √(k²·Σxx) + 1 px, with
/// Σxx = C / (AC − B²) from the conic. Only used to pick a half row, so anything in doubt (the test
/// modes, a non-positive or non-finite determinant) gives the whole row.
static inline __attribute__((always_inline)) KATTR void FN(columns)(const CBlendLists *L, float u, const float *s,
                                                                     int *c0, int *c1) {
    *c0 = 0; *c1 = 15;
    if (!L->useRowExtent || L->alphaMin <= 0.0f) return;
    const float a = s[2], b = s[3], c = s[4], k2 = s[11];
    const float det = a * c - b * b;
    const float limit = k2 > 0.0f ? k2 * 1.001f + 1e-3f : -1.0f;
    const float extentSquared = limit * c / det;
    if (!(det > 0.0f) || !(extentSquared >= 0.0f) || !(extentSquared < 1e6f)) return;
    const float halfWidth = __builtin_sqrtf(extentSquared) + 1.0f;
    const float lo = __builtin_ceilf(u - halfWidth), hi = __builtin_floorf(u + halfWidth);
    if (lo > 0.0f) *c0 = lo < 16.0f ? (int)lo : 16;
    if (hi < 15.0f) *c1 = hi > -1.0f ? (int)hi : -1;
}

static inline __attribute__((always_inline)) KATTR void FN(forward_tile_impl)(
    const CBlendLists *L, const CBlendForwardOutputs *O, intptr_t tile, const int withDepth) {
    const int tx0 = (int)(tile % L->tilesX) * 16, ty0 = (int)(tile / L->tilesX) * 16;
    const int cols = L->width - tx0 < 16 ? L->width - tx0 : 16;
    const int rowsIn = L->height - ty0 < 16 ? L->height - ty0 : 16;
    // trans is 0 for pixels that are done (and outside the image), so a done pixel needs no mask
    // and takes nothing; stoppedT keeps the transmittance a pixel stopped at.
    ForwardTile tileState, *T = &tileState;
    T->live = 0;
    const v16f column = COLUMNS16;
    for (int row = 0; row < 16; row++) {
        v16i inside = (column < (float)cols) & SPLATI16(row < rowsIn ? -1 : 0);
        T->trans[row] = SEL16(inside, SPLAT16(1.0f), SPLAT16(0.0f));
        T->red[row] = T->green[row] = T->blue[row] = T->depth[row] = T->stoppedT[row] = SPLAT16(0.0f);
        T->last[row] = SPLATI16(0);
        T->rowLive[row] = row < rowsIn ? cols : 0;
        T->live += T->rowLive[row];
    }
    const intptr_t start = L->ranges[tile * 2], end = L->ranges[tile * 2 + 1];
    for (intptr_t k = start; k < end && T->live > 0; k++) {
        const float *s = L->pairSplats + k * 12;
        int rlo, rhi, c0, c1;
        FN(rows)(L, s[1], s[10], ty0, &rlo, &rhi);
        if (rlo > rhi) continue;
        const float u = s[0] - (float)tx0, vl = s[1] - (float)ty0;
        FN(columns)(L, u, s, &c0, &c1);
        const int32_t position = (int32_t)(k - start + 1);
        if (c0 > c1) continue;   // no column of this tile can reach α ≥ 1/255
        if (c1 < 8) {
            FN(forward_pair8)(T, 0, rlo - ty0, rhi - ty0, u, vl, s, position, L, withDepth);
        } else if (c0 >= 8) {
            FN(forward_pair8)(T, 8, rlo - ty0, rhi - ty0, u, vl, s, position, L, withDepth);
        } else {
            FN(forward_pair16)(T, 0, rlo - ty0, rhi - ty0, u, vl, s, position, L, withDepth);
        }
    }
    const float bgR = L->background[0], bgG = L->background[1], bgB = L->background[2];
    for (int row = 0; row < rowsIn; row++) {
        for (int x = 0; x < cols; x++) {
            const intptr_t idx = (intptr_t)(ty0 + row) * L->width + tx0 + x;
            const float tr = T->trans[row][x];
            const float t = tr > 0.0f ? tr : T->stoppedT[row][x];
            O->image[idx * 3] = T->red[row][x] + t * bgR;
            O->image[idx * 3 + 1] = T->green[row][x] + t * bgG;
            O->image[idx * 3 + 2] = T->blue[row][x] + t * bgB;
            O->finalT[idx] = t;
            O->lastIndex[idx] = T->last[row][x];
            if (O->alpha) O->alpha[idx] = 1.0f - t;
            if (withDepth) O->depth[idx] = t < 1.0f ? T->depth[row][x] / (1.0f - t) : 0.0f;
        }
    }
}

KATTR void FN(cblend_forward_tiles)(const CBlendLists *L, const CBlendForwardOutputs *O,
                                    intptr_t tileBegin, intptr_t tileEnd) {
    // Two copies of the loop: the depth sum costs a load and a store per pixel row.
    if (O->depth) {
        for (intptr_t tile = tileBegin; tile < tileEnd; tile++) FN(forward_tile_impl)(L, O, tile, 1);
    } else {
        for (intptr_t tile = tileBegin; tile < tileEnd; tile++) FN(forward_tile_impl)(L, O, tile, 0);
    }
}

KATTR static void FN(backward_tile)(const CBlendLists *L, const CBlendBackwardIO *IO, intptr_t tile) {
    const int tx0 = (int)(tile % L->tilesX) * 16, ty0 = (int)(tile / L->tilesX) * 16;
    const int cols = L->width - tx0 < 16 ? L->width - tx0 : 16;
    const int rowsIn = L->height - ty0 < 16 ? L->height - ty0 : 16;
    // Walking back to front, `behind` holds Σ_{j behind} wⱼ·(cⱼ·g), the colour already accounted
    // for behind the current Gaussian projected on g = dL/dpixel; with it
    // dL/dα = T·(c·g) − (behind + T_final·(bg·g)) / (1 − α) (docs/rasterizer.md).
    BackwardTile tileState, *T = &tileState;
    int32_t maxLast = 0;
    const float bgR = L->background[0], bgG = L->background[1], bgB = L->background[2];
    for (int row = 0; row < 16; row++) {
        T->trans[row] = SPLAT16(1.0f);
        T->behind[row] = T->background[row] = T->gR[row] = T->gG[row] = T->gB[row] = SPLAT16(0.0f);
        T->last[row] = SPLATI16(0);
        T->rowLast[row] = 0;
    }
    for (int row = 0; row < rowsIn; row++) {
        for (int x = 0; x < cols; x++) {
            const intptr_t idx = (intptr_t)(ty0 + row) * L->width + tx0 + x;
            const float t = IO->finalT[idx];
            const int32_t l = IO->lastIndex[idx];
            const float r = IO->dLdImage[idx * 3], g = IO->dLdImage[idx * 3 + 1], b = IO->dLdImage[idx * 3 + 2];
            T->trans[row][x] = t;
            T->last[row][x] = l;
            if (l > maxLast) maxLast = l;
            if (l > T->rowLast[row]) T->rowLast[row] = l;
            T->gR[row][x] = r; T->gG[row][x] = g; T->gB[row][x] = b;
            T->background[row][x] = t * (r * bgR + g * bgG + b * bgB);
        }
    }
    const intptr_t start = L->ranges[tile * 2], end = L->ranges[tile * 2 + 1];
    // Pairs behind every pixel's last contributor get no gradient.
    for (intptr_t k = start + maxLast; k < end; k++) {
        float *out = IO->pairGrads + k * 9;
        for (int q = 0; q < 9; q++) out[q] = 0.0f;
    }
    for (int32_t k = maxLast - 1; k >= 0; k--) {
        const float *s = L->pairSplats + (start + k) * 12;
        float *out = IO->pairGrads + (start + k) * 9;
        int rlo, rhi, c0, c1;
        FN(rows)(L, s[1], s[10], ty0, &rlo, &rhi);
        if (rlo > rhi) {
            for (int q = 0; q < 9; q++) out[q] = 0.0f;
            continue;
        }
        const float u = s[0] - (float)tx0, vl = s[1] - (float)ty0;
        FN(columns)(L, u, s, &c0, &c1);
        if (c0 > c1) {
            for (int q = 0; q < 9; q++) out[q] = 0.0f;
        } else if (c1 < 8) {
            FN(backward_pair8)(T, 0, rlo - ty0, rhi - ty0, u, vl, s, k, L, out);
        } else if (c0 >= 8) {
            FN(backward_pair8)(T, 8, rlo - ty0, rhi - ty0, u, vl, s, k, L, out);
        } else {
            FN(backward_pair16)(T, 0, rlo - ty0, rhi - ty0, u, vl, s, k, L, out);
        }
    }
}

KATTR void FN(cblend_backward_tiles)(const CBlendLists *L, const CBlendBackwardIO *IO,
                                     intptr_t tileBegin, intptr_t tileEnd) {
    for (intptr_t tile = tileBegin; tile < tileEnd; tile++) FN(backward_tile)(L, IO, tile);
}
