// The per-Gaussian projection and its chain rule (docs/rasterizer.md, "Projection kernel"):
// SplatRender's ProjectForward.projectOne and ProjectBackward.one, VW Gaussians per vector.
// project_kernel.h (forward) and project_backward_kernel.h are included once per variant, like
// the blend kernels; the scalar parts here (the exact tile test of rectangles too big for a
// mask, writing the lanes of a block that is not full) are plain C shared by all. No FMA
// contraction and no fast-math: each vector operation rounds as the Swift one it replaces, and
// the variants agree bit for bit.
#include "CBlend.h"

#pragma clang fp contract(off)
#pragma STDC FP_CONTRACT OFF
#pragma clang diagnostic ignored "-Wpsabi"

#include "vector_types.h"
typedef int64_t v16l __attribute__((vector_size(128)));
typedef uint64_t v16ul __attribute__((vector_size(128)));
typedef uint8_t v16b __attribute__((vector_size(16)));
typedef int64_t v8l __attribute__((vector_size(64)));
typedef uint64_t v8ul __attribute__((vector_size(64)));
typedef uint8_t v8b __attribute__((vector_size(8)));

#define FMA(a, b, c) __builtin_elementwise_fma((a), (b), (c))

/// A lane's fate (projectOne's early returns: drawn, skipped as non-finite, or not drawn).
enum { LANE_DRAWN = 0, LANE_SKIPPED = 1, LANE_HIDDEN = 2 };

/// The results of a block that is not full, in lane order, for finish_lane: the 12 record lanes,
/// the tile rectangle (already clamped, as floats), the clamp flags and the lane's fate.
typedef struct {
    float record[12][16];
    float rect[4][16];
    int32_t flags[16], status[16];
    int32_t tested[16];           // the exact tile test ran in the vector part: its answers are in the mask
    uint32_t maskLo[16], maskHi[16];
} ProjectedBlock;

#define SH_C0 0.28209479f

/// TileCoverage.reaches, operation for operation (the Swift one is the twin the tests compare). Swift's min(x, y) is y < x ? y : x, max is y >= x ? y : x.
static inline __attribute__((always_inline)) int tile_reaches(const float *s, float bOverA, float bOverC, float limit,
                                                              const CProjectView *V, int tx, int ty) {
    if (!(limit >= 0.0f)) return 0;
    const float u = s[0], v = s[1], a = s[2], b = s[3], c = s[4];
    const int xe = tx * 16 + 16 < V->width ? tx * 16 + 16 : V->width;
    const int ye = ty * 16 + 16 < V->height ? ty * 16 + 16 : V->height;
    const float x0 = (float)(tx * 16) - u, x1 = (float)(xe - 1) - u;
    const float y0 = (float)(ty * 16) - v, y1 = (float)(ye - 1) - v;
    if (x0 <= 0 && x1 >= 0 && y0 <= 0 && y1 >= 0) return 1;
    float best[4];
    const float ev[2] = {x0, x1}, eh[2] = {y0, y1};
    for (int k = 0; k < 2; k++) {
        const float e = ev[k];
        float dy = -bOverC * e;
        dy = y0 >= dy ? y0 : dy;
        dy = y1 < dy ? y1 : dy;
        best[k] = a * e * e + 2 * b * e * dy + c * dy * dy;
    }
    for (int k = 0; k < 2; k++) {
        const float e = eh[k];
        float dx = -bOverA * e;
        dx = x0 >= dx ? x0 : dx;
        dx = x1 < dx ? x1 : dx;
        best[2 + k] = a * dx * dx + 2 * b * dx * e + c * e * e;
    }
    const float m01 = best[1] < best[0] ? best[1] : best[0];
    const float m23 = best[3] < best[2] ? best[3] : best[2];
    const float m = m23 < m01 ? m23 : m01;
    return m <= limit;
}

/// The exact tile test over a rectangle too big for a mask (more than 64 tiles): only the count.
/// TileBinning.emitKeys tests these tiles again through cproject_tile_reaches, which makes the
/// same decisions from the same record, so the pairs emitted are exactly the pairs counted.
static intptr_t count_tiles(const float *s, int x0, int y0, int x1, int y1, const CProjectView *V) {
    intptr_t covered = 0;
    for (int ty = y0; ty < y1; ty++) {
        for (int tx = x0; tx < x1; tx++) covered += cproject_tile_reaches(s, V, tx, ty);
    }
    return covered;
}

int32_t cproject_tile_reaches(const float *s, const CProjectView *V, int32_t tx, int32_t ty) {
    const float k2 = s[11];
    const float limit = k2 > 0 ? k2 * 1.001f + 1e-3f : -1.0f;   // BlendRules.footprintLimit
    const float bOverA = s[3] / s[2], bOverC = s[3] / s[4];
    return tile_reaches(s, bOverA, bOverC, limit, V, tx, ty);
}

/// Writes lane l of a block (one that is not full) for Gaussian i; returns 1 when it was skipped
/// as non-finite.
static inline __attribute__((always_inline)) int finish_lane(const ProjectedBlock *B, int l, intptr_t i,
                                                             const CProjectInputs *in, const CProjectView *V,
                                                             const CProjectOutputs *out) {
    out->tileCounts[i] = 0;
    out->flags[i] = 0;
    const int32_t status = B->status[l];
    if (status != LANE_DRAWN) return status == LANE_SKIPPED;
    float *s = out->splats + i * 12;
    for (int k = 0; k < 12; k++) s[k] = B->record[k][l];
    const int x0 = (int)B->rect[0][l], y0 = (int)B->rect[1][l], x1 = (int)B->rect[2][l], y1 = (int)B->rect[3][l];
    intptr_t covered = (intptr_t)(x1 - x0) * (y1 - y0);
    if (B->tested[l]) {
        const uint64_t mask = (uint64_t)B->maskHi[l] << 32 | B->maskLo[l];
        covered = __builtin_popcountll(mask);
        out->tileMasks[i] = mask;
    } else if (in->exactTiles && x1 - x0 >= 2 && y1 - y0 >= 2) {
        covered = count_tiles(s, x0, y0, x1, y1, V);
    }
    int32_t *r = out->tileRects + i * 4;
    r[0] = x0; r[1] = y0; r[2] = x1; r[3] = y1;
    out->tileCounts[i] = covered;
    out->flags[i] = (uint8_t)B->flags[l];
    return 0;
}

#if defined(__x86_64__)
#define CPROJECT_X86 1
#endif

#define FN(name) name##_generic
#define KATTR
#define VW 8
#define VF v8f
#define VI v8i
#define VU v8u
#define VL v8l
#define VUL v8ul
#define VB v8b
#define LANES(M, a) M(0, a), M(1, a), M(2, a), M(3, a), M(4, a), M(5, a), M(6, a), M(7, a)
#include "project_kernel.h"   // undefines the parameters above at its end

#ifdef CPROJECT_X86
#define FN(name) name##_avx2
#define KATTR __attribute__((target("avx2,fma,bmi,bmi2,popcnt")))
#define VW 8
#define VF v8f
#define VI v8i
#define VU v8u
#define VL v8l
#define VUL v8ul
#define VB v8b
#define LANES(M, a) M(0, a), M(1, a), M(2, a), M(3, a), M(4, a), M(5, a), M(6, a), M(7, a)
#include "project_kernel.h"   // undefines the parameters above at its end

#define FN(name) name##_avx512
#define KATTR __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma,bmi,bmi2,popcnt")))
#define VW 16
#define VF v16f
#define VI v16i
#define VU v16u
#define VL v16l
#define VUL v16ul
#define VB v16b
#define LANES(M, a) M(0, a), M(1, a), M(2, a), M(3, a), M(4, a), M(5, a), M(6, a), M(7, a), \
    M(8, a), M(9, a), M(10, a), M(11, a), M(12, a), M(13, a), M(14, a), M(15, a)
#include "project_kernel.h"   // undefines the parameters above at its end
#endif

intptr_t cproject_forward(int32_t variant, const CProjectInputs *in, const CProjectView *view,
                          const CProjectOutputs *out, intptr_t begin, intptr_t end) {
    switch (variant) {
#ifdef CPROJECT_X86
    case CBLEND_AVX512: return cproject_forward_avx512(in, view, out, begin, end);
    case CBLEND_AVX2: return cproject_forward_avx2(in, view, out, begin, end);
#endif
    default: return cproject_forward_generic(in, view, out, begin, end);
    }
}

void cproject_backward(int32_t variant, const CProjectInputs *in, const CProjectView *view,
                       const CProjectOutputs *projection, const float *grads2D, const CProjectGradients *out,
                       intptr_t begin, intptr_t end) {
    switch (variant) {
#ifdef CPROJECT_X86
    case CBLEND_AVX512: cproject_backward_avx512(in, view, projection, grads2D, out, begin, end); return;
    case CBLEND_AVX2: cproject_backward_avx2(in, view, projection, grads2D, out, begin, end); return;
#endif
    default: cproject_backward_generic(in, view, projection, grads2D, out, begin, end); return;
    }
}
