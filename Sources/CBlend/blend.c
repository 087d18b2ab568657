// The blend kernels, compiled once per variant from blend_kernel.h (docs/rasterizer.md, "Blend
// kernels"). No -ffast-math and no FMA contraction: every variant rounds after every operation
// (the explicit FMAs, rounded once, included), so all variants agree bit for bit.
#include "CBlend.h"

#pragma clang fp contract(off)
#pragma STDC FP_CONTRACT OFF
// The 64-byte vectors passed between the always-inline helpers never cross a real call.
#pragma clang diagnostic ignored "-Wpsabi"

#include "vector_types.h"

#define SPLAT16(x) ((v16f){(x), (x), (x), (x), (x), (x), (x), (x), (x), (x), (x), (x), (x), (x), (x), (x)})
#define SPLATI16(x) ((v16i){(x), (x), (x), (x), (x), (x), (x), (x), (x), (x), (x), (x), (x), (x), (x), (x)})
#define COLUMNS16 ((v16f){0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
#define SPLATD16(x) ((v16d){(x), (x), (x), (x), (x), (x), (x), (x), (x), (x), (x), (x), (x), (x), (x), (x)})
#define SPLATD8(x) ((v8d){(x), (x), (x), (x), (x), (x), (x), (x)})
#define SPLAT8(x) ((v8f){(x), (x), (x), (x), (x), (x), (x), (x)})
#define SPLATI8(x) ((v8i){(x), (x), (x), (x), (x), (x), (x), (x)})
#define COLUMNS8 ((v8f){0, 1, 2, 3, 4, 5, 6, 7})
// Lane-wise m ? a : b for masks of all-ones / all-zero lanes (what vector comparisons return).
#define SEL16(m, a, b) ((v16f)(((v16i)(a) & (m)) | ((v16i)(b) & ~(m))))
#define VSEL(m, a, b) ((VF)(((VI)(a) & (m)) | ((VI)(b) & ~(m))))
#define VSELI(m, a, b) (((a) & (m)) | ((b) & ~(m)))
// a·b + c rounded once, in every variant (the plain one without FMA hardware calls fmaf: slow, same bits).
#define FMA(a, b, c) __builtin_elementwise_fma((a), (b), (c))
#define ANY(m) (__builtin_reduce_or(m) != 0)
#define ALL4(m) (__builtin_reduce_and((v4l)(m)) != 0)
#define COUNT(m) (-__builtin_reduce_add(m))

/// A forward tile's pixel state, one 16-lane vector per row.
typedef struct {
    v16f trans[16], red[16], green[16], blue[16], depth[16], stoppedT[16];
    v16i last[16];
    int rowLive[16], live;
} ForwardTile;

/// A backward tile's pixel state.
typedef struct {
    v16f trans[16], behind[16], background[16], gR[16], gG[16], gB[16];
    v16i last[16];
    int32_t rowLast[16];
} BackwardTile;

// Pairs of fewer rows use the exp path: the recurrence's setup (two exps with a double range
// reduction, the corner test) costs more than it saves on one or two rows.
#define CBLEND_RECURRENCE_MIN_ROWS 3

#if defined(__x86_64__)
#define CBLEND_X86 1
#endif

// Plain C: whatever the compiler's baseline target is (SSE2 on x86-64, NEON on arm64).
#define FN(name) name##_generic
#define KATTR
#include "blend_kernel.h"
#undef FN
#undef KATTR

#ifdef CBLEND_X86
#define FN(name) name##_avx2
#define KATTR __attribute__((target("avx2,fma,bmi,bmi2,popcnt")))
#include "blend_kernel.h"
#undef FN
#undef KATTR

#define FN(name) name##_avx512
#define KATTR __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma,bmi,bmi2,popcnt")))
#include "blend_kernel.h"
#undef FN
#undef KATTR
#endif

int32_t cblend_supported(int32_t variant) {
    switch (variant) {
    case CBLEND_GENERIC:
        return 1;
#ifdef CBLEND_X86
    case CBLEND_AVX2:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi2")
            && __builtin_cpu_supports("popcnt");
    case CBLEND_AVX512:
        __builtin_cpu_init();
        return cblend_supported(CBLEND_AVX2) && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")
            && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq");
#endif
    default:
        return 0;
    }
}

void cblend_forward_tiles(int32_t variant, const CBlendLists *lists, const CBlendForwardOutputs *out,
                          intptr_t tileBegin, intptr_t tileEnd) {
    switch (variant) {
#ifdef CBLEND_X86
    case CBLEND_AVX512: cblend_forward_tiles_avx512(lists, out, tileBegin, tileEnd); return;
    case CBLEND_AVX2: cblend_forward_tiles_avx2(lists, out, tileBegin, tileEnd); return;
#endif
    default: cblend_forward_tiles_generic(lists, out, tileBegin, tileEnd); return;
    }
}

void cblend_backward_tiles(int32_t variant, const CBlendLists *lists, const CBlendBackwardIO *io,
                           intptr_t tileBegin, intptr_t tileEnd) {
    switch (variant) {
#ifdef CBLEND_X86
    case CBLEND_AVX512: cblend_backward_tiles_avx512(lists, io, tileBegin, tileEnd); return;
    case CBLEND_AVX2: cblend_backward_tiles_avx2(lists, io, tileBegin, tileEnd); return;
#endif
    default: cblend_backward_tiles_generic(lists, io, tileBegin, tileEnd); return;
    }
}
