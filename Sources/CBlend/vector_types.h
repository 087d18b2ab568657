// The clang vector types every CBlend kernel works in: 16 float or int32 lanes (one zmm on
// AVX-512, two ymm on AVX2) and 8 lanes (one ymm).
#ifndef CBLEND_VECTOR_TYPES_H
#define CBLEND_VECTOR_TYPES_H
#include <stdint.h>

typedef float v16f __attribute__((vector_size(64)));
typedef int32_t v16i __attribute__((vector_size(64)));
typedef uint32_t v16u __attribute__((vector_size(64)));
typedef float v8f __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));
typedef uint32_t v8u __attribute__((vector_size(32)));
// Doubles: the blend kernels' row recurrence sets up in double (blend_rows.h), four corners at once in v4d.
typedef double v16d __attribute__((vector_size(128)));
typedef double v4d __attribute__((vector_size(32)));
typedef long long v4l __attribute__((vector_size(32)));
typedef double v8d __attribute__((vector_size(64)));

#endif
