// The two random-access passes over the (tile, Gaussian) list, with software prefetch: each
// reads records scattered over megabytes (the sorted pairs visit Gaussians in depth order), and
// fetching them a few dozen pairs ahead keeps several cache misses in flight.
#include "CBlend.h"

enum { AHEAD = 16 };   // pairs between a prefetch and the use

void cblend_gather(const float *splats, const uint32_t *sortedValues, const uint32_t *pairGaussian,
                   intptr_t begin, intptr_t end, float *pairSplats, uint32_t *sortedPosition) {
    for (intptr_t k = begin; k < end; k++) {
        if (k + 2 * AHEAD < end) {
            const uint32_t e = sortedValues[k + 2 * AHEAD];
            __builtin_prefetch(pairGaussian + e, 0, 0);
            __builtin_prefetch(sortedPosition + e, 1, 0);
        }
        if (k + AHEAD < end) {
            const float *ahead = splats + (intptr_t)pairGaussian[sortedValues[k + AHEAD]] * 12;
            __builtin_prefetch(ahead, 0, 0);
            __builtin_prefetch(ahead + 11, 0, 0);   // a 48-byte record may straddle two lines
        }
        const uint32_t e = sortedValues[k];
        sortedPosition[e] = (uint32_t)k;
        const float *src = splats + (intptr_t)pairGaussian[e] * 12;
        float *dst = pairSplats + k * 12;
        for (int lane = 0; lane < 12; lane++) dst[lane] = src[lane];
    }
}

void cblend_reduce(const float *pairGrads, const uint32_t *sortedPosition, const intptr_t *offsets,
                   const intptr_t *tileCounts, intptr_t begin, intptr_t end, float *grads2D) {
    if (end <= begin) return;
    const intptr_t slotsEnd = offsets[end - 1] + tileCounts[end - 1];   // emission order = Gaussian order
    for (intptr_t i = begin; i < end; i++) {
        const intptr_t first = offsets[i], last = first + tileCounts[i];
        float sum[9] = {0, 0, 0, 0, 0, 0, 0, 0, 0};
        for (intptr_t e = first; e < last; e++) {
            if (e + AHEAD < slotsEnd) {
                const float *ahead = pairGrads + (intptr_t)sortedPosition[e + AHEAD] * 9;
                __builtin_prefetch(ahead, 0, 0);
                __builtin_prefetch(ahead + 8, 0, 0);   // a 36-byte slot may straddle two lines
            }
            const float *src = pairGrads + (intptr_t)sortedPosition[e] * 9;
            for (int q = 0; q < 9; q++) sum[q] += src[q];
        }
        float *dst = grads2D + i * 9;
        for (int q = 0; q < 9; q++) dst[q] = sum[q];
    }
}
