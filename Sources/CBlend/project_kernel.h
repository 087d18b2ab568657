// One variant of the projection kernel. project.c includes this file once per variant with FN,
// KATTR, VW (lanes: Gaussians per vector), VF and VI defined. Every operation is element-wise and
// written in the order of the Swift code it replaces (ProjectForward.swift, Covariance.swift,
// SHColor.swift), so the vector width changes no bit; only e^x and ln x differ from Swift's
// libm calls (the polynomials below, the same in every variant).

#define VSPLAT(x) ((float)(x) - (VF){})   // x − (+0) = x, also for −0
#define VSPLATI(x) ((VI){} + (int32_t)(x))
#define VSEL(m, a, b) ((VF)(((VI)(a) & (m)) | ((VI)(b) & ~(m))))
#define VSELI(m, a, b) (((a) & (m)) | ((b) & ~(m)))
// Swift's max(x, y) = y >= x ? y : x and min(x, y) = y < x ? y : x (which NaN wins matters).
#define SMAX(x, y) VSEL((y) >= (x), (y), (x))
#define SMIN(x, y) VSEL((y) < (x), (y), (x))
// Bit 31 set when the float is NaN or ±inf (ProjectForward.nonFinite).
#define NONFINITE(x) ((((VI)(x)) & VSPLATI(0x7F800000)) + VSPLATI(0x00800000))
#define ISFINITE(x) ((((VI)(x)) & VSPLATI(0x7F800000)) != VSPLATI(0x7F800000))

/// e^x (Cephes expf: Cody–Waite reduction by n·ln 2, degree-7 polynomial on |r| ≤ ½ln 2, ≈ 1 ulp):
/// +inf above 88.72, 0 below −87.33 (where libm gives denormals), NaN stays NaN.
static inline __attribute__((always_inline)) KATTR VF FN(vexp)(VF x) {
    const VF xc = SMIN(SMAX(x, VSPLAT(-87.33f)), VSPLAT(88.72f));
    const VF n = __builtin_elementwise_floor(xc * VSPLAT(1.44269504088896341f) + VSPLAT(0.5f));
    VF r = FMA(n, VSPLAT(-0.693359375f), xc);
    r = FMA(n, VSPLAT(2.12194440e-4f), r);
    const VF z = r * r;
    VF p = VSPLAT(1.9875691500e-4f);
    p = FMA(p, r, VSPLAT(1.3981999507e-3f));
    p = FMA(p, r, VSPLAT(8.3334519073e-3f));
    p = FMA(p, r, VSPLAT(4.1665795894e-2f));
    p = FMA(p, r, VSPLAT(1.6666665459e-1f));
    p = FMA(p, r, VSPLAT(5.0000001201e-1f));
    const VF y = FMA(p, z, r) + VSPLAT(1.0f);
    // 2^n for n ≤ 127 from the exponent bits; n = 128 (just below the overflow) as 2^127·2.
    const VI ni = __builtin_convertvector(n, VI);
    const VI top = ni > VSPLATI(127);
    const VF scale = (VF)((VSELI(top, VSPLATI(127), ni) + VSPLATI(127)) << 23);
    VF e = y * scale * VSEL(top, VSPLAT(2.0f), VSPLAT(1.0f));
    e = VSEL(x > VSPLAT(88.72283f), VSPLAT(__builtin_inff()), e);
    e = VSEL(x < VSPLAT(-87.33f), VSPLAT(0.0f), e);
    return VSEL(x != x, x, e);
}

/// ln x for x ≥ 0 (Cephes logf: mantissa in [√½, √2), degree-8 polynomial, ≈ 1 ulp); −inf at 0.
/// Denormals are scaled up first. Only called on 255·opacity, which is never negative or infinite.
static inline __attribute__((always_inline)) KATTR VF FN(vlog)(VF x) {
    const VI tiny = x < VSPLAT(1.17549435e-38f);
    const VF xs = VSEL(tiny, x * VSPLAT(33554432.0f), x);   // · 2^25
    const VI bits = (VI)xs;
    VF e = __builtin_convertvector(((bits >> 23) & VSPLATI(0xFF)) - VSPLATI(126), VF);
    e = VSEL(tiny, e - VSPLAT(25.0f), e);
    VF m = (VF)((bits & VSPLATI((int32_t)0x807FFFFF)) | VSPLATI(0x3F000000));   // [½, 1)
    const VI low = m < VSPLAT(0.707106781186547524f);
    e = VSEL(low, e - VSPLAT(1.0f), e);
    m = VSEL(low, m + m - VSPLAT(1.0f), m - VSPLAT(1.0f));
    const VF z = m * m;
    VF p = VSPLAT(7.0376836292e-2f);
    p = FMA(p, m, VSPLAT(-1.1514610310e-1f));
    p = FMA(p, m, VSPLAT(1.1676998740e-1f));
    p = FMA(p, m, VSPLAT(-1.2420140846e-1f));
    p = FMA(p, m, VSPLAT(1.4249322787e-1f));
    p = FMA(p, m, VSPLAT(-1.6668057665e-1f));
    p = FMA(p, m, VSPLAT(2.0000714765e-1f));
    p = FMA(p, m, VSPLAT(-2.4999993993e-1f));
    p = FMA(p, m, VSPLAT(3.3333331174e-1f));
    VF y = p * m * z;
    y = FMA(e, VSPLAT(-2.12194440e-4f), y);
    y = FMA(z, VSPLAT(-0.5f), y);
    VF l = m + y;
    l = FMA(e, VSPLAT(0.693359375f), l);
    return VSEL(x == VSPLAT(0.0f), VSPLAT(-__builtin_inff()), l);
}

/// ProjectForward.tileIndex: ⌊value⌋ clamped to [0, limit], kept as a float.
static inline __attribute__((always_inline)) KATTR VF FN(tile_index)(VF value, float limit) {
    return SMIN(SMAX(__builtin_elementwise_floor(value), VSPLAT(0.0f)), VSPLAT(limit));
}

/// Covariance3D and EWAJacobian for a block, shared by the projection and its chain rule (which
/// recomputes them from the parameters, as ProjectBackward does): Σ = R(q)·diag(s)²·R(q)ᵀ from the
/// log scales and the quaternion, x/z and y/z clamped to the widened frustum, T = J·W and the 2D
/// covariance T·Σ·Tᵀ before the low-pass. Every operation in the Swift order.
typedef struct {
    VF s0, s1, s2, qNorm, qw, qx, qy, qz;      // scales, |q| and q/|q|
    VF r00, r01, r02, r10, r11, r12, r20, r21, r22;   // R(q)
    VF m00, m01, m02, m10, m11, m12, m20, m21, m22;   // M = R·diag(s)
    VF sxx, sxy, sxz, syy, syz, szz;           // Σ
    VI clampX, clampY;                         // the Jacobian's clamps (ClampFlag.jacobianX/Y)
    VF tx, ty, zz2;                            // clamped x, y and z²
    VF t00, t01, t02, t10, t11, t12;           // rows of T = J·W
    VF rawA, rawB, rawC;                       // T·Σ·Tᵀ: xx, xy, yy
} FN(EWAProjection);

static inline __attribute__((always_inline)) KATTR FN(EWAProjection) FN(ewa_projection)(
    VF px, VF py, VF pz, const VF *logScale, const VF *q, const CProjectView *V) {
    FN(EWAProjection) E;
    const VF one = VSPLAT(1.0f), two = VSPLAT(2.0f);
    E.s0 = FN(vexp)(logScale[0]); E.s1 = FN(vexp)(logScale[1]); E.s2 = FN(vexp)(logScale[2]);
    E.qNorm = __builtin_elementwise_sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
    const VF w = q[0] / E.qNorm, x = q[1] / E.qNorm, y = q[2] / E.qNorm, z = q[3] / E.qNorm;
    E.qw = w; E.qx = x; E.qy = y; E.qz = z;
    E.r00 = one - two * (y * y + z * z); E.r01 = two * (x * y - w * z); E.r02 = two * (x * z + w * y);
    E.r10 = two * (x * y + w * z); E.r11 = one - two * (x * x + z * z); E.r12 = two * (y * z - w * x);
    E.r20 = two * (x * z - w * y); E.r21 = two * (y * z + w * x); E.r22 = one - two * (x * x + y * y);
    E.m00 = E.r00 * E.s0; E.m01 = E.r01 * E.s1; E.m02 = E.r02 * E.s2;
    E.m10 = E.r10 * E.s0; E.m11 = E.r11 * E.s1; E.m12 = E.r12 * E.s2;
    E.m20 = E.r20 * E.s0; E.m21 = E.r21 * E.s1; E.m22 = E.r22 * E.s2;
    E.sxx = E.m00 * E.m00 + E.m01 * E.m01 + E.m02 * E.m02; E.sxy = E.m00 * E.m10 + E.m01 * E.m11 + E.m02 * E.m12;
    E.sxz = E.m00 * E.m20 + E.m01 * E.m21 + E.m02 * E.m22; E.syy = E.m10 * E.m10 + E.m11 * E.m11 + E.m12 * E.m12;
    E.syz = E.m10 * E.m20 + E.m11 * E.m21 + E.m12 * E.m22; E.szz = E.m20 * E.m20 + E.m21 * E.m21 + E.m22 * E.m22;

    const VF xz = px / pz, yz = py / pz;
    E.clampX = (xz < VSPLAT(V->limX[0])) | (xz > VSPLAT(V->limX[1]));
    E.clampY = (yz < VSPLAT(V->limY[0])) | (yz > VSPLAT(V->limY[1]));
    VF cxz = VSEL(xz < VSPLAT(V->limX[0]), VSPLAT(V->limX[0]), xz);
    cxz = VSEL(xz > VSPLAT(V->limX[1]), VSPLAT(V->limX[1]), cxz);
    VF cyz = VSEL(yz < VSPLAT(V->limY[0]), VSPLAT(V->limY[0]), yz);
    cyz = VSEL(yz > VSPLAT(V->limY[1]), VSPLAT(V->limY[1]), cyz);
    E.tx = VSEL(E.clampX, cxz * pz, px); E.ty = VSEL(E.clampY, cyz * pz, py);
    E.zz2 = pz * pz;
    const VF j00 = VSPLAT(V->fx) / pz, j02 = VSPLAT(-V->fx) * E.tx / E.zz2;
    const VF j11 = VSPLAT(V->fy) / pz, j12 = VSPLAT(-V->fy) * E.ty / E.zz2;
    const float *R = V->r;
    E.t00 = j00 * VSPLAT(R[0]) + j02 * VSPLAT(R[6]);
    E.t01 = j00 * VSPLAT(R[1]) + j02 * VSPLAT(R[7]);
    E.t02 = j00 * VSPLAT(R[2]) + j02 * VSPLAT(R[8]);
    E.t10 = j11 * VSPLAT(R[3]) + j12 * VSPLAT(R[6]);
    E.t11 = j11 * VSPLAT(R[4]) + j12 * VSPLAT(R[7]);
    E.t12 = j11 * VSPLAT(R[5]) + j12 * VSPLAT(R[8]);
    const VF st00 = E.sxx * E.t00 + E.sxy * E.t01 + E.sxz * E.t02;
    const VF st01 = E.sxy * E.t00 + E.syy * E.t01 + E.syz * E.t02;
    const VF st02 = E.sxz * E.t00 + E.syz * E.t01 + E.szz * E.t02;
    const VF st10 = E.sxx * E.t10 + E.sxy * E.t11 + E.sxz * E.t12;
    const VF st11 = E.sxy * E.t10 + E.syy * E.t11 + E.syz * E.t12;
    const VF st12 = E.sxz * E.t10 + E.syz * E.t11 + E.szz * E.t12;
    E.rawA = E.t00 * st00 + E.t01 * st01 + E.t02 * st02;
    E.rawB = E.t00 * st10 + E.t01 * st11 + E.t02 * st12;
    E.rawC = E.t10 * st10 + E.t11 * st11 + E.t12 * st12;
    return E;
}

/// SHColor.basis: β_k(d) for k < (degree + 1)² at the unit direction (x, y, z), shared by the
/// colour and its chain rule.
static inline __attribute__((always_inline)) KATTR void FN(sh_basis)(VF x, VF y, VF z, int degree, VF *beta) {
    beta[0] = VSPLAT(SH_C0);
    if (degree < 1) return;
    beta[1] = VSPLAT(-0.48860251f) * y; beta[2] = VSPLAT(0.48860251f) * z; beta[3] = VSPLAT(-0.48860251f) * x;
    if (degree < 2) return;
    const VF xx = x * x, yy = y * y, zz = z * z;
    const VF two = VSPLAT(2.0f), three = VSPLAT(3.0f), four = VSPLAT(4.0f);
    beta[4] = VSPLAT(1.0925484f) * x * y; beta[5] = VSPLAT(-1.0925484f) * y * z;
    beta[6] = VSPLAT(0.31539157f) * (two * zz - xx - yy);
    beta[7] = VSPLAT(-1.0925484f) * x * z; beta[8] = VSPLAT(0.5462742f) * (xx - yy);
    if (degree < 3) return;
    beta[9] = VSPLAT(-0.5900436f) * y * (three * xx - yy);
    beta[10] = VSPLAT(2.8906114f) * x * y * z;
    beta[11] = VSPLAT(-0.4570458f) * y * (four * zz - xx - yy);
    beta[12] = VSPLAT(0.37317633f) * z * (two * zz - three * xx - three * yy);
    beta[13] = VSPLAT(-0.4570458f) * x * (four * zz - xx - yy);
    beta[14] = VSPLAT(1.4453057f) * z * (xx - yy);
    beta[15] = VSPLAT(-0.5900436f) * x * (xx - three * yy);
}

/// Lane l of dst[c] = p[3l + c], c < 3: a full block of a [N*3] array in three loads and six shuffles.
static inline __attribute__((always_inline)) KATTR void FN(load_stride3)(const float *p, VF *dst) {
    VF v0, v1, v2;
    __builtin_memcpy(&v0, p, sizeof(VF)); __builtin_memcpy(&v1, p + VW, sizeof(VF)); __builtin_memcpy(&v2, p + 2 * VW, sizeof(VF));
#define S3A(l, c) ((3 * (l) + (c)) < 2 * VW ? 3 * (l) + (c) : -1)
#define S3B(l, c) ((3 * (l) + (c)) < 2 * VW ? (l) : 3 * (l) + (c) - VW)
    dst[0] = __builtin_shufflevector(__builtin_shufflevector(v0, v1, LANES(S3A, 0)), v2, LANES(S3B, 0));
    dst[1] = __builtin_shufflevector(__builtin_shufflevector(v0, v1, LANES(S3A, 1)), v2, LANES(S3B, 1));
    dst[2] = __builtin_shufflevector(__builtin_shufflevector(v0, v1, LANES(S3A, 2)), v2, LANES(S3B, 2));
#undef S3A
#undef S3B
}

/// Lane l of dst[c] = p[4l + c], c < 4.
static inline __attribute__((always_inline)) KATTR void FN(load_stride4)(const float *p, VF *dst) {
    VF v[4];
    for (int k = 0; k < 4; k++) __builtin_memcpy(&v[k], p + k * VW, sizeof(VF));
#define S4A(l, c) ((l) < VW / 2 ? 4 * (l) + (c) : -1)
#define S4B(l, c) ((l) >= VW / 2 ? 4 * (l) + (c) - 2 * VW : -1)
#define S4C(l, c) ((l) < VW / 2 ? (l) : VW + (l))
#define COMPONENT(c) __builtin_shufflevector(__builtin_shufflevector(v[0], v[1], LANES(S4A, c)), \
                                             __builtin_shufflevector(v[2], v[3], LANES(S4B, c)), LANES(S4C, c))
    dst[0] = COMPONENT(0); dst[1] = COMPONENT(1); dst[2] = COMPONENT(2); dst[3] = COMPONENT(3);
#undef COMPONENT
#undef S4A
#undef S4B
#undef S4C
}

/// Transposes VW rows of VW lanes in place: each stage swaps blocks of d lanes between rows d apart.
static inline __attribute__((always_inline)) KATTR void FN(transpose)(VF *rows) {
#define TLO(j, d) (((j) & (d)) ? VW + (j) - (d) : (j))
#define THI(j, d) (((j) & (d)) ? VW + (j) : (j) + (d))
#define STAGE(d) for (int r = 0; r < VW; r++) if (!(r & (d))) { \
        const VF A = rows[r], B = rows[r + (d)]; \
        rows[r] = __builtin_shufflevector(A, B, LANES(TLO, d)); \
        rows[r + (d)] = __builtin_shufflevector(A, B, LANES(THI, d)); }
#if VW == 16
    STAGE(8)
#endif
    STAGE(4) STAGE(2) STAGE(1)
#undef STAGE
#undef TLO
#undef THI
}

/// Lane l of dst[k] = p[(i0 + l) * stride + k] for k < count, for a full block whose rows may be
/// read VW floats at a time (the caller checks that this stays inside the array).
static inline __attribute__((always_inline)) KATTR void FN(load_rows)(const float *p, intptr_t stride, intptr_t i0,
                                                                      int count, VF *dst) {
    for (int k0 = 0; k0 < count; k0 += VW) {
        VF rows[VW];
        for (int l = 0; l < VW; l++) __builtin_memcpy(&rows[l], p + (i0 + l) * stride + k0, sizeof(VF));
        FN(transpose)(rows);
        for (int k = 0; k < VW && k0 + k < count; k++) dst[k0 + k] = rows[k];
    }
}

/// p[3l + c] = lane l of src[c], c < 3: the inverse of load_stride3.
static inline __attribute__((always_inline)) KATTR void FN(store_stride3)(float *p, const VF *src) {
    // Output vector j holds elements e = j·VW + m: component e % 3 of lane e / 3.
#define E3(m, j) ((j) * VW + (m))
#define T3A(m, j) (E3(m, j) % 3 == 0 ? E3(m, j) / 3 : E3(m, j) % 3 == 1 ? VW + E3(m, j) / 3 : -1)
#define T3B(m, j) (E3(m, j) % 3 == 2 ? VW + E3(m, j) / 3 : (m))
#define OUT3(j) __builtin_shufflevector(__builtin_shufflevector(src[0], src[1], LANES(T3A, j)), src[2], LANES(T3B, j))
    const VF o0 = OUT3(0), o1 = OUT3(1), o2 = OUT3(2);
    __builtin_memcpy(p, &o0, sizeof(VF)); __builtin_memcpy(p + VW, &o1, sizeof(VF)); __builtin_memcpy(p + 2 * VW, &o2, sizeof(VF));
#undef OUT3
#undef T3A
#undef T3B
#undef E3
}

/// p[4l + c] = lane l of src[c], c < 4: the inverse of load_stride4.
static inline __attribute__((always_inline)) KATTR void FN(store_stride4)(float *p, const VF *src) {
#define E4(m, j) ((j) * VW + (m))
#define T4A(m, j) (E4(m, j) % 4 == 0 ? E4(m, j) / 4 : E4(m, j) % 4 == 1 ? VW + E4(m, j) / 4 : -1)
#define T4B(m, j) (E4(m, j) % 4 == 2 ? E4(m, j) / 4 : E4(m, j) % 4 == 3 ? VW + E4(m, j) / 4 : -1)
#define T4C(m, j) (E4(m, j) % 4 < 2 ? (m) : VW + (m))
#define OUT4(j) __builtin_shufflevector(__builtin_shufflevector(src[0], src[1], LANES(T4A, j)), \
                                        __builtin_shufflevector(src[2], src[3], LANES(T4B, j)), LANES(T4C, j))
    const VF o[4] = {OUT4(0), OUT4(1), OUT4(2), OUT4(3)};
    for (int k = 0; k < 4; k++) __builtin_memcpy(p + k * VW, &o[k], sizeof(VF));
#undef OUT4
#undef T4A
#undef T4B
#undef T4C
#undef E4
}

/// p[(i0 + l) · count + k] = lane l of src[k], k < count ≤ 48, for a full block of rows that are
/// exactly `count` floats apart: the rows are transposed back and stored in order, each in whole
/// vectors whose spill into the next row is overwritten when that row is stored; the block's
/// last row, whose next row may belong to another thread, is stored lane by lane.
static inline __attribute__((always_inline)) KATTR void FN(store_rows)(float *p, int count, intptr_t i0, const VF *src) {
    VF rows[3][VW];
    const int chunks = (count + VW - 1) / VW;
    for (int c = 0; c < chunks; c++) {
        for (int k = 0; k < VW; k++) rows[c][k] = c * VW + k < count ? src[c * VW + k] : VSPLAT(0.0f);
        FN(transpose)(rows[c]);
    }
    for (int l = 0; l < VW; l++) {
        float *dst = p + (i0 + l) * count;
        for (int c = 0; c < chunks; c++) {
            const int n = count - c * VW < VW ? count - c * VW : VW;
            if (n == VW || l < VW - 1) __builtin_memcpy(dst + c * VW, &rows[c][l], sizeof(VF));
            else for (int k = 0; k < n; k++) dst[c * VW + k] = rows[c][l][k];
        }
    }
}

/// p[index[l] * stride + k] = lane l of src[k], k < count, for lanes l < lanes (any block).
static inline __attribute__((always_inline)) KATTR void FN(store_lanes)(float *p, intptr_t stride, const intptr_t *index,
                                                                        int lanes, int count, const VF *src) {
    for (int l = 0; l < lanes; l++) {
        float *dst = p + index[l] * stride;
        for (int k = 0; k < count; k++) dst[k] = src[k][l];
    }
}

/// Lane l of the result = p[index[l] * stride + k] for each k < count, as `count` vectors.
static inline __attribute__((always_inline)) KATTR void FN(load_lanes)(const float *p, intptr_t stride, const intptr_t *index,
                                                                       int count, VF *dst) {
    float buffer[48][VW];
    for (int l = 0; l < VW; l++) {
        const float *src = p + index[l] * stride;
        for (int k = 0; k < count; k++) buffer[k][l] = src[k];
    }
    for (int k = 0; k < count; k++) __builtin_memcpy(&dst[k], buffer[k], sizeof(VF));
}

/// The vector part of projectOne for Gaussians index[0..<VW] (duplicates fill a short block).
/// Returns the number of lanes skipped as non-finite when the block is full (and writes it),
/// else leaves every lane's results in B for finish_lane.
static inline __attribute__((always_inline)) KATTR intptr_t FN(project_block)(const CProjectInputs *in, const CProjectView *V,
                                                                              const CProjectOutputs *out, const intptr_t *index,
                                                                              int full, ProjectedBlock *B) {
    VF mean[3], logScale[3], q[4], logit[1], dc[3], rest[48];
    const int degree = in->shDegree;
    const int used = (degree + 1) * (degree + 1) - 1;
    const intptr_t i0 = index[0], restStride = (intptr_t)in->restCount * 3;
    if (full) {
        // Consecutive Gaussians: contiguous loads and shuffles instead of one load per lane.
        FN(load_stride3)(in->means + i0 * 3, mean);
        FN(load_stride3)(in->logScales + i0 * 3, logScale);
        FN(load_stride4)(in->rotations + i0 * 4, q);
        __builtin_memcpy(&logit[0], in->logits + i0, sizeof(VF));
        FN(load_stride3)(in->dc + i0 * 3, dc);
    } else {
        FN(load_lanes)(in->means, 3, index, 3, mean);
        FN(load_lanes)(in->logScales, 3, index, 3, logScale);
        FN(load_lanes)(in->rotations, 4, index, 4, q);
        FN(load_lanes)(in->logits, 1, index, 1, logit);
        FN(load_lanes)(in->dc, 3, index, 3, dc);
    }
    if (used > 0) {
        // Rows are read in whole vectors: only where the last one stays inside the array.
        const intptr_t lastRead = (i0 + VW - 1) * restStride + (used * 3 + VW - 1) / VW * VW;
        if (full && lastRead <= in->count * restStride) FN(load_rows)(in->rest, restStride, i0, used * 3, rest);
        else FN(load_lanes)(in->rest, restStride, index, used * 3, rest);
    }

    VI bad = VSPLATI(0);
    for (int k = 0; k < 3; k++) bad |= NONFINITE(mean[k]) | NONFINITE(logScale[k]) | NONFINITE(dc[k]);
    for (int k = 0; k < 4; k++) bad |= NONFINITE(q[k]);
    bad |= NONFINITE(logit[0]);
    for (int k = 0; k < used * 3; k++) bad |= NONFINITE(rest[k]);
    // The lane's fate, decided in projectOne's order: the first early return wins.
    VI open = (bad & VSPLATI((int32_t)0x80000000)) == VSPLATI(0);
    VI status = VSELI(open, VSPLATI(LANE_DRAWN), VSPLATI(LANE_SKIPPED));
#define DECIDE(cond, fate) do { const VI hit = open & (cond); status = VSELI(hit, VSPLATI(fate), status); open &= ~hit; } while (0)

    const float *R = V->r;
    const VF px = VSPLAT(R[0]) * mean[0] + VSPLAT(R[1]) * mean[1] + VSPLAT(R[2]) * mean[2] + VSPLAT(V->t[0]);
    const VF py = VSPLAT(R[3]) * mean[0] + VSPLAT(R[4]) * mean[1] + VSPLAT(R[5]) * mean[2] + VSPLAT(V->t[1]);
    const VF pz = VSPLAT(R[6]) * mean[0] + VSPLAT(R[7]) * mean[1] + VSPLAT(R[8]) * mean[2] + VSPLAT(V->t[2]);
    DECIDE(~(pz > VSPLAT(0.2f)), LANE_HIDDEN);

    // Covariance3D and EWAJacobian (Covariance.swift).
    const FN(EWAProjection) E = FN(ewa_projection)(px, py, pz, logScale, q, V);
    const VF one = VSPLAT(1.0f), two = VSPLAT(2.0f);
    const VF rawA = E.rawA, rawB = E.rawB, rawC = E.rawC;
    const VI clampX = E.clampX, clampY = E.clampY;
    const VF a = rawA + VSPLAT(0.3f), b = rawB, cc = rawC + VSPLAT(0.3f);
    const VF det = a * cc - b * b;
    DECIDE(~ISFINITE(det), LANE_SKIPPED);
    DECIDE(~(det > VSPLAT(0.0f)), LANE_HIDDEN);
    const VF invDet = one / det;
    const VF mid = VSPLAT(0.5f) * (a + cc);
    const VF lambda = mid + __builtin_elementwise_sqrt(SMAX(VSPLAT(0.1f), mid * mid - det));
    const VF radius = __builtin_elementwise_ceil(VSPLAT(3.0f) * __builtin_elementwise_sqrt(lambda));
    const VF u = VSPLAT(V->fx) * px / pz + VSPLAT(V->cx) - VSPLAT(0.5f);
    const VF v = VSPLAT(V->fy) * py / pz + VSPLAT(V->cy) - VSPLAT(0.5f);
    DECIDE(~(ISFINITE(radius) & ISFINITE(u) & ISFINITE(v)), LANE_SKIPPED);

    const float tilesX = (float)V->tilesX, tilesY = (float)V->tilesY;
    const VF sixteen = VSPLAT(16.0f);
    VF x0 = FN(tile_index)((u - radius) / sixteen, tilesX);
    VF x1 = FN(tile_index)((u + radius + VSPLAT(15.0f)) / sixteen, tilesX);
    VF y0 = FN(tile_index)((v - radius) / sixteen, tilesY);
    VF y1 = FN(tile_index)((v + radius + VSPLAT(15.0f)) / sixteen, tilesY);
    DECIDE(~((x1 > x0) & (y1 > y0)), LANE_HIDDEN);
    if (in->smooth) { x0 = VSPLAT(0.0f); y0 = VSPLAT(0.0f); x1 = VSPLAT(tilesX); y1 = VSPLAT(tilesY); }

    VF opacity = one / (one + FN(vexp)(-logit[0]));
    if (in->antialiased) {
        // AntialiasFilter.compensationSquared, then its square root.
        opacity = opacity * __builtin_elementwise_sqrt(SMAX(rawA * rawC - rawB * rawB, VSPLAT(0.0f)) / det);
    }

    // SHColor.color in the direction camera centre → mean.
    const VF ox = mean[0] - VSPLAT(V->center[0]), oy = mean[1] - VSPLAT(V->center[1]), oz = mean[2] - VSPLAT(V->center[2]);
    const VF dist = __builtin_elementwise_sqrt(ox * ox + oy * oy + oz * oz);
    const VF dx = ox / dist, dy = oy / dist, dz = oz / dist;
    VF beta[16];
    FN(sh_basis)(dx, dy, dz, degree, beta);
    VF red = dc[0] * beta[0] + VSPLAT(0.5f), green = dc[1] * beta[0] + VSPLAT(0.5f), blue = dc[2] * beta[0] + VSPLAT(0.5f);
    for (int k = 0; k < used; k++) {
        red = red + rest[k * 3] * beta[k + 1];
        green = green + rest[k * 3 + 1] * beta[k + 1];
        blue = blue + rest[k * 3 + 2] * beta[k + 1];
    }
    DECIDE(~(ISFINITE(red) & ISFINITE(green) & ISFINITE(blue)), LANE_SKIPPED);
    VI flags = (clampX & VSPLATI(8)) | (clampY & VSPLATI(16));
    const VF zero = VSPLAT(0.0f);
    flags |= ((red < zero) & VSPLATI(1)) | ((green < zero) & VSPLATI(2)) | ((blue < zero) & VSPLATI(4));
    red = VSEL(red < zero, zero, red);
    green = VSEL(green < zero, zero, green);
    blue = VSEL(blue < zero, zero, blue);

    // α = o·e^power ≥ 1/255 needs dᵀΣ⁻¹d ≤ k² = 2·ln(255·o); that ellipse spans ±√(k²·Σyy) rows.
    const VF k2 = two * FN(vlog)(VSPLAT(255.0f) * opacity);
    const VF rowExtent = in->smooth ? VSPLAT(3.40282347e38f)
        : VSEL(k2 > zero, __builtin_elementwise_sqrt(k2 * cc) + one, VSPLAT(-1.0f));
    if (in->exactTiles) {
        // The α ≥ 1/255 bounding box within the 3σ rectangle (BlendRules.footprintLimit's slack).
        const VF limit = VSEL(k2 > zero, k2 * VSPLAT(1.001f) + VSPLAT(1e-3f), VSPLAT(-1.0f));
        DECIDE(~(limit >= zero), LANE_HIDDEN);
        const VF extentX = __builtin_elementwise_sqrt(limit * a), extentY = __builtin_elementwise_sqrt(limit * cc);
        const VF bx0 = FN(tile_index)((u - extentX) / sixteen, tilesX);
        const VF bx1 = FN(tile_index)((u + extentX) / sixteen, tilesX - 1) + one;
        const VF by0 = FN(tile_index)((v - extentY) / sixteen, tilesY);
        const VF by1 = FN(tile_index)((v + extentY) / sixteen, tilesY - 1) + one;
        x0 = VSEL(bx0 > x0, bx0, x0); x1 = VSEL(bx1 < x1, bx1, x1);
        y0 = VSEL(by0 > y0, by0, y0); y1 = VSEL(by1 < y1, by1, y1);
        DECIDE(~((x1 > x0) & (y1 > y0)), LANE_HIDDEN);
    }
#undef DECIDE

    // The exact tile test (TileCoverage.reaches, operation for operation) for the rectangles of
    // 2x2 to 64 tiles, one tile of each lane's rectangle per step, row by row as the mask's bits go.
    const VF conicA = cc * invDet, conicB = -b * invDet, conicC = a * invDet;
    VI maskLo = VSPLATI(0), maskHi = VSPLATI(0), tested = VSPLATI(0);
    if (in->exactTiles) {
        const VI drawn = status == VSPLATI(LANE_DRAWN);
        const VI ix0 = __builtin_convertvector(VSEL(drawn, x0, zero), VI), iy0 = __builtin_convertvector(VSEL(drawn, y0, zero), VI);
        const VI w = __builtin_convertvector(VSEL(drawn, x1, zero), VI) - ix0;
        const VI h = __builtin_convertvector(VSEL(drawn, y1, zero), VI) - iy0;
        tested = drawn & (w >= VSPLATI(2)) & (h >= VSPLATI(2)) & (w * h <= VSPLATI(64));
        const VI tiles = VSELI(tested, w * h, VSPLATI(0));
        const int steps = __builtin_reduce_max(tiles);
        if (steps > 0) {
            const VF bOverA = conicB / conicA, bOverC = conicB / conicC;
            const VF limit = k2 * VSPLAT(1.001f) + VSPLAT(1e-3f);   // k² > 0 wherever a lane is drawn
            const VI width = VSPLATI(V->width), height = VSPLATI(V->height);
            VI tx = ix0, ty = iy0;
            for (int j = 0; j < steps; j++) {
                const VI xe = VSELI(tx * 16 + 16 < width, tx * 16 + 16, width);
                const VI ye = VSELI(ty * 16 + 16 < height, ty * 16 + 16, height);
                const VF ex0 = __builtin_convertvector(tx * 16, VF) - u, ex1 = __builtin_convertvector(xe - 1, VF) - u;
                const VF ey0 = __builtin_convertvector(ty * 16, VF) - v, ey1 = __builtin_convertvector(ye - 1, VF) - v;
                const VI inside = (ex0 <= zero) & (ex1 >= zero) & (ey0 <= zero) & (ey1 >= zero);
                // On a vertical edge dx = e the minimum is at dy = −B e / C, clamped to the edge.
                VF dyA = SMIN(SMAX(-bOverC * ex0, ey0), ey1), dyB = SMIN(SMAX(-bOverC * ex1, ey0), ey1);
                VF dxA = SMIN(SMAX(-bOverA * ey0, ex0), ex1), dxB = SMIN(SMAX(-bOverA * ey1, ex0), ex1);
                const VF v0 = conicA * ex0 * ex0 + two * conicB * ex0 * dyA + conicC * dyA * dyA;
                const VF v1 = conicA * ex1 * ex1 + two * conicB * ex1 * dyB + conicC * dyB * dyB;
                const VF h0 = conicA * dxA * dxA + two * conicB * dxA * ey0 + conicC * ey0 * ey0;
                const VF h1 = conicA * dxB * dxB + two * conicB * dxB * ey1 + conicC * ey1 * ey1;
                const VF best = SMIN(SMIN(v0, v1), SMIN(h0, h1));
                const VI hit = (VSPLATI(j) < tiles) & (inside | (best <= limit));
                if (j < 32) maskLo |= hit & VSPLATI((int32_t)(1u << j));
                else maskHi |= hit & VSPLATI((int32_t)(1u << (j - 32)));
                tx = tx + 1;
                const VI wrap = tx >= ix0 + w;
                tx = VSELI(wrap, ix0, tx);
                ty = ty - wrap;
            }
        }
    }

    const VF lanes[12] = {u, v, conicA, conicB, conicC, opacity, red, green, blue, pz, rowExtent, k2};
    if (!full) {
        for (int k = 0; k < 12; k++) __builtin_memcpy(B->record[k], &lanes[k], sizeof(VF));
        const VF rect[4] = {x0, y0, x1, y1};
        for (int k = 0; k < 4; k++) __builtin_memcpy(B->rect[k], &rect[k], sizeof(VF));
        __builtin_memcpy(B->flags, &flags, sizeof(VI));
        __builtin_memcpy(B->status, &status, sizeof(VI));
        __builtin_memcpy(B->tested, &tested, sizeof(VI));
        __builtin_memcpy(B->maskLo, &maskLo, sizeof(VI));
        __builtin_memcpy(B->maskHi, &maskHi, sizeof(VI));
        return 0;
    }
    // A full block is written with vector stores: every lane's record, rectangle and mask (only
    // those of drawn Gaussians are ever read), tile counts and flags (0 where not drawn).
    FN(store_rows)(out->splats, 12, i0, lanes);
    const VI drawn = status == VSPLATI(LANE_DRAWN);
    const VI rx0 = __builtin_convertvector(VSEL(drawn, x0, zero), VI), ry0 = __builtin_convertvector(VSEL(drawn, y0, zero), VI);
    const VI rx1 = __builtin_convertvector(VSEL(drawn, x1, zero), VI), ry1 = __builtin_convertvector(VSEL(drawn, y1, zero), VI);
    const VF rectBits[4] = {(VF)rx0, (VF)ry0, (VF)rx1, (VF)ry1};
    FN(store_stride4)((float *)(out->tileRects + i0 * 4), rectBits);
    const VI rw = rx1 - rx0, rh = ry1 - ry0;
    VI counts = VSELI(tested, (VI)(__builtin_elementwise_popcount((VU)maskLo) + __builtin_elementwise_popcount((VU)maskHi)), rw * rh);
    counts = VSELI(drawn, counts, VSPLATI(0));
    const VL counts64 = __builtin_convertvector(counts, VL);
    __builtin_memcpy(out->tileCounts + i0, &counts64, sizeof(VL));
    const VB flags8 = __builtin_convertvector(VSELI(drawn, flags, VSPLATI(0)), VB);
    __builtin_memcpy(out->flags + i0, &flags8, sizeof(VB));
    const VUL masks = __builtin_convertvector((VU)maskLo, VUL) | __builtin_convertvector((VU)maskHi, VUL) << 32;
    __builtin_memcpy(out->tileMasks + i0, &masks, sizeof(VUL));
    if (in->exactTiles) {
        // Rectangles of more than 64 tiles (rare): the exact test without a mask, one by one.
        const VI big = drawn & ~tested & (rw >= VSPLATI(2)) & (rh >= VSPLATI(2));
        if (__builtin_reduce_or(big) != 0) {
            for (int l = 0; l < VW; l++) {
                if (big[l]) out->tileCounts[i0 + l] = count_tiles(out->splats + (i0 + l) * 12, rx0[l], ry0[l], rx1[l], ry1[l], V);
            }
        }
    }
    return -__builtin_reduce_add(status == VSPLATI(LANE_SKIPPED));
}

KATTR static intptr_t FN(cproject_forward)(const CProjectInputs *in, const CProjectView *view,
                                           const CProjectOutputs *out, intptr_t begin, intptr_t end) {
    intptr_t skipped = 0;
    ProjectedBlock block;
    for (intptr_t i0 = begin; i0 < end; i0 += VW) {
        const int count = end - i0 < VW ? (int)(end - i0) : VW;
        intptr_t index[VW];
        for (int l = 0; l < VW; l++) index[l] = i0 + (l < count ? l : count - 1);
        if (count == VW) {
            skipped += FN(project_block)(in, view, out, index, 1, &block);
        } else {
            FN(project_block)(in, view, out, index, 0, &block);
            for (int l = 0; l < count; l++) skipped += finish_lane(&block, l, i0 + l, in, view, out);
        }
    }
    return skipped;
}

#include "project_backward_kernel.h"

#undef VSPLAT
#undef VSPLATI
#undef VSEL
#undef VSELI
#undef SMAX
#undef SMIN
#undef NONFINITE
#undef ISFINITE
// The variant's parameters, defined by project.c before each inclusion.
#undef FN
#undef KATTR
#undef VW
#undef VF
#undef VI
#undef VU
#undef VL
#undef VUL
#undef VB
#undef LANES
