// The per-row work for one (tile, Gaussian) pair at one vector width. blend_kernel.h includes
// this file twice per variant: VW = 16 (a whole tile row) and VW = 8 (the left or right half of
// a row, for Gaussians whose columns all fall in that half). RFN(name) names a function of this
// width; VF/VI/VU are the float/int/uint vectors of VW lanes and VSPLAT/VSPLATI/VCOLUMNS build them.
//
// Lane c of a VW-lane row vector at offset `off` is tile column off + c, the same pixel and the
// same operations as in the 16-lane form, so both widths give the same bits.

/// 2^t for t in [−125, 125] (t in log2 units, already clamped): the polynomial of FastExp.swift, with its
/// Horner steps as fused multiply-adds.
static inline __attribute__((always_inline)) KATTR VF RFN(exp2_poly)(VF t) {
    const VF magic = VSPLAT(12582912.0f);
    VF shifted = t + magic;
    VF n = shifted - magic;
    VF l = (t - n) * 0.69314718f;
    VF p = FMA(l, VSPLAT(0.001388889f), VSPLAT(0.008333334f));
    p = FMA(p, l, VSPLAT(0.041666668f));
    p = FMA(p, l, VSPLAT(0.16666667f));
    p = FMA(p, l, VSPLAT(0.5f));
    p = FMA(p, l, VSPLAT(1.0f));
    p = FMA(p, l, VSPLAT(1.0f));
    VU exponent = ((VU)shifted - (VU)magic) << 23;   // unsigned: wrapping, as Swift's &- and &<<
    return (VF)((VU)p + exponent);
}

/// e^x for x ≤ 0 (x > 0 gives 1).
static inline __attribute__((always_inline)) KATTR VF RFN(exp_nonpos)(VF x) {
    VF t = x * 1.44269504f;
    t = VSEL(t < -125.0f, VSPLAT(-125.0f), t);
    t = VSEL(t > 0.0f, VSPLAT(0.0f), t);
    return RFN(exp2_poly)(t);
}

/// e^x for |x| ≤ 86 as float, x in double: the range reduction x = n·ln2 + l in double, then Cephes
/// expf's polynomial (≈ 1 ulp; the exp path's Taylor polynomial is 1.2e−7 off at |l| = ½ln2, and R0's
/// error is multiplied by the row count) on the float l.
static inline __attribute__((always_inline)) KATTR VF RFN(exp_double)(VD x) {
    const VD magic = VSPLATD(6755399441055744.0);   // 1.5·2^52: t + magic − magic rounds t to an integer
    const VD n = (x * 1.4426950408889634 + magic) - magic;
    const VF l = __builtin_convertvector(x - n * 0.6931471805599453, VF);
    VF p = FMA(l, VSPLAT(1.9875691500e-4f), VSPLAT(1.3981999507e-3f));
    p = FMA(p, l, VSPLAT(8.3334519073e-3f));
    p = FMA(p, l, VSPLAT(4.1665795894e-2f));
    p = FMA(p, l, VSPLAT(1.6666665459e-1f));
    p = FMA(p, l, VSPLAT(5.0000001201e-1f));
    p = FMA(p, l * l, l) + 1.0f;
    const VU exponent = (VU)__builtin_convertvector(n, VI) << 23;
    return (VF)((VU)p + exponent);
}

/// e^x for x in [−81, 0], scalar double (the recurrence's e^−C): Taylor to degree 8 after the
/// range reduction, ≈ 2e−10 relative; inline, and the same bits on every machine (libm's exp was
/// ~75 instructions a call, a third of the recurrence's setup).
static inline __attribute__((always_inline)) KATTR double RFN(exp_scalar)(double x) {
    const double magic = 6755399441055744.0;
    const double n = (x * 1.4426950408889634 + magic) - magic;
    const double l = x - n * 0.6931471805599453;
    double p = 1.0 / 40320.0;
    p = p * l + 1.0 / 5040.0;
    p = p * l + 1.0 / 720.0;
    p = p * l + 1.0 / 120.0;
    p = p * l + 1.0 / 24.0;
    p = p * l + 1.0 / 6.0;
    p = p * l + 0.5;
    p = p * l + 1.0;
    p = p * l + 1.0;
    const uint64_t bits = (uint64_t)((int64_t)n + 1023) << 52;
    double scale;
    __builtin_memcpy(&scale, &bits, 8);
    return p * scale;
}

/// The row recurrence (docs/rasterizer.md, "Row recurrence"). Along a column the power is a
/// quadratic in the row, so G = e^power steps down the rows as G(j+1) = G(j)·R0·Q(j), with
/// R0 = e^(power(row0+1) − power(row0)) per lane and Q(j) = e^(−C·j) a scalar kept in double:
/// two vector multiplies per row instead of an exp. Taken only when every factor is a normal
/// float (no slow denormal multiplies, no overflow): the conic is positive definite, so the power
/// is concave and its least value over the pair's rows × lanes is at a corner, which must be
/// ≥ L->recurrenceFloor (−80; e^−80 ≈ 1.8e−35 > FLT_MIN), so every G and every row factor
/// e^(power(j+1) − power(j)) lies in [e^−80, e^80]; C·(rows − 2) ≤ 80 keeps Q(j) normal. For such a
/// conic power > 0 is only the exp path's rounding, so the recurrence has no such test.
/// Sets *g = G(row0), *r = R0, *q = e^(−C), or returns 0 for the exp path. The forward and the
/// backward call this with the same arguments and step identically (through the rows either
/// skips too), so both see the same α bits.
static inline __attribute__((always_inline)) KATTR int RFN(recurrence)(
    const CBlendLists *L, const int off, const int row0, const int row1, const float u, const float vl,
    const float *s, const VF dx, VF *g, VF *r, double *q) {
    const float ca = s[2], cb = s[3], cc = s[4], o = s[5];
    if (row1 - row0 < CBLEND_RECURRENCE_MIN_ROWS - 1) return 0;
    const double a = ca, b = cb, c = cc;
    if (!(a > 0.0 && c > 0.0 && a * c - b * b > 0.0)) return 0;
    // α = o·G with G within a few 1e-6 of e^power (≤ 1): keep α < 1 where no clamp does.
    if (!(L->alphaMax < 1.0f || o < 0.9999f)) return 0;
    if (!(c <= 80.0 && c * (double)(row1 - row0 - 1) <= 80.0)) return 0;
    // The four corners' −2·power = x·(A·x + 2B·y) + C·y², as one 4-lane vector.
    const double xa = (double)u - (double)off, xb = xa - (double)(VW - 1);
    const double ya = (double)vl - (double)row0, yb = (double)vl - (double)row1;
    const v4d cx = {xa, xa, xb, xb}, cy = {ya, yb, ya, yb};
    const v4d m2p = cx * (a * cx + (2.0 * b) * cy) + c * (cy * cy);
    if (!ALL4(m2p <= -2.0 * (double)L->recurrenceFloor)) return 0;
    // G(row0) and R0 from double arguments and a double range reduction: a float power near −80
    // is ±4e−6 off, and every row below inherits that error (measured: 1.3e−5 relative instead of 1.5e−6).
    const float dy = vl - (float)row0;
    const VD x = __builtin_convertvector(dx, VD);
    *g = RFN(exp_double)(x * (x * (-0.5 * a) - b * (double)dy) - 0.5 * c * (double)dy * (double)dy);
    // power(row + 1) − power(row) = B·dx + C·(dy − ½) (dy = vl − row).
    *r = RFN(exp_double)(x * b + c * ((double)dy - 0.5));
    *q = RFN(exp_scalar)(-c);
    return 1;
}

/// G(j+1) from G(j) (Q = Q(j), advanced in place).
static inline __attribute__((always_inline)) KATTR VF RFN(recurrence_step)(VF g, VF r, double *Q, double q) {
    const VF next = g * (r * (float)*Q);
    *Q = *Q * q;
    return next;
}

#define ROW(array, row) (*(VF *)((float *)&(array)[row] + off))
#define ROWI(array, row) (*(VI *)((int32_t *)&(array)[row] + off))

/// One row of forward_pair: blends α = min(alphaMax, o·gauss), invalid where `invalid` or below alphaMin.
static inline __attribute__((always_inline)) KATTR void RFN(forward_row)(
    ForwardTile *T, const int off, const int row, const VF gauss, const VI invalid, const float *s,
    const VI positions, const CBlendLists *L, const int withDepth) {
    const float o = s[5], r = s[6], g = s[7], b = s[8], z = s[9];
    const float alphaMax = L->alphaMax, alphaMin = L->alphaMin, minT = L->minTransmittance;
    VF a = o * gauss;
    a = VSEL(a > alphaMax, VSPLAT(alphaMax), a);
    a = VSEL(invalid | (a < alphaMin), VSPLAT(0.0f), a);
    const VF t = ROW(T->trans, row);
    const VF nextT = t * (1.0f - a);
    // The stop rule: a Gaussian that would take T below minT is not blended and the pixel is done.
    const VI stop = (nextT < minT) & (t > 0.0f);
    a = VSEL(stop | (t == 0.0f), VSPLAT(0.0f), a);
    const VF w = a * t;
    ROW(T->red, row) = FMA(w, VSPLAT(r), ROW(T->red, row));
    ROW(T->green, row) = FMA(w, VSPLAT(g), ROW(T->green, row));
    ROW(T->blue, row) = FMA(w, VSPLAT(b), ROW(T->blue, row));
    if (withDepth) ROW(T->depth, row) = FMA(w, VSPLAT(z), ROW(T->depth, row));
    ROWI(T->last, row) = VSELI(a > 0.0f, positions, ROWI(T->last, row));
    // A pixel stops once: the bookkeeping of a stop is branched around, not selected in.
    if (!ANY(stop)) {
        ROW(T->trans, row) = nextT;
        return;
    }
    ROW(T->stoppedT, row) = VSEL(stop, t, ROW(T->stoppedT, row));
    ROW(T->trans, row) = VSEL(stop, VSPLAT(0.0f), nextT);
    const int stops = COUNT(stop);
    T->rowLive[row] -= stops;
    T->live -= stops;
}

/// Blends one Gaussian into rows [row0, row1] of the tile, columns off ..< off + VW.
static inline __attribute__((always_inline)) KATTR void RFN(forward_pair)(
    ForwardTile *T, const int off, const int row0, const int row1, const float u, const float vl, const float *s,
    const int32_t position, const CBlendLists *L, const int withDepth) {
    const float ca = s[2], cb = s[3], cc = s[4];
    const VI positions = VSPLATI(position);
    const VF dx = u - (VCOLUMNS + (float)off);
    // The power −½(A·dx² + C·dy²) − B·dx·dy as −½A·dx² + (−½C·dy²) + (−B·dx)·dy, the last product
    // fused (halving is exact, so only the fusion rounds differently); the row-independent parts
    // once per pair.
    const VF hqx = -0.5f * (ca * dx * dx), nbdx = -(cb * dx);
    VF gauss, ratio;
    double q;
    if (RFN(recurrence)(L, off, row0, row1, u, vl, s, dx, &gauss, &ratio, &q)) {
        // Skipped rows still step the recurrence: the backward skips other rows.
        double Q = 1.0;
        for (int row = row0;; row++) {
            if (T->rowLive[row] > 0) RFN(forward_row)(T, off, row, gauss, VSPLATI(0), s, positions, L, withDepth);
            if (row == row1) break;
            gauss = RFN(recurrence_step)(gauss, ratio, &Q, q);
        }
        return;
    }
    for (int row = row0; row <= row1; row++) {
        if (T->rowLive[row] <= 0) continue;
        const float dy = vl - (float)row;
        const VF power = FMA(nbdx, VSPLAT(dy), hqx + -0.5f * (cc * dy * dy));
        RFN(forward_row)(T, off, row, RFN(exp_nonpos)(power), power > 0.0f, s, positions, L, withDepth);
    }
}

/// Σ of the lanes as a fixed tree: lanes c and c + VW/2, then c and c + VW/4, ... For VW = 8 this
/// is the 16-lane tree of a vector whose other half is zero (the accumulators start at +0 and
/// so are never −0, and x + 0 = x exactly).
static inline __attribute__((always_inline)) KATTR float RFN(total)(VF v) {
    float h[VW];
    for (int i = 0; i < VW; i++) h[i] = v[i];
    for (int width = VW / 2; width >= 1; width /= 2) {
        for (int i = 0; i < width; i++) h[i] = h[i] + h[i + width];
    }
    return h[0];
}

/// The backward's nine per-lane gradient sums of one pair.
typedef struct {
    VF x, y, xx, xy, yy, o, r, g, b;
} RFN(Sums);

/// One row of backward_pair: un-blends α = min(alphaMax, o·gauss) (invalid where `invalid`, below alphaMin
/// or where this Gaussian is behind the pixel's last contributor) and adds the row's terms to S.
static inline __attribute__((always_inline)) KATTR void RFN(backward_row)(
    BackwardTile *T, const int off, const int row, const float dy, const VF dx, const VF gauss, const VI invalidPower,
    const float *s, const VI position, const CBlendLists *L, RFN(Sums) *S) {
    const float o = s[5], cr = s[6], cgr = s[7], cbl = s[8];
    const float alphaMax = L->alphaMax, alphaMin = L->alphaMin;
    VF alpha = o * gauss;
    alpha = VSEL(alpha > alphaMax, VSPLAT(alphaMax), alpha);
    const VI invalid = (position >= ROWI(T->last, row)) | invalidPower | (alpha < alphaMin);
    const VF a = VSEL(invalid, VSPLAT(0.0f), alpha);
    const VF keep = 1.0f / (1.0f - a);
    const VF t = ROW(T->trans, row) * keep;
    const VF pr = ROW(T->gR, row), pg = ROW(T->gG, row), pb = ROW(T->gB, row);
    const VF cgv = FMA(VSPLAT(cbl), pb, FMA(VSPLAT(cgr), pg, cr * pr));
    const VF bh = ROW(T->behind, row);
    const VF dAlpha = t * cgv - (bh + ROW(T->background, row)) * keep;
    const VF dLdAlpha = VSEL(invalid, VSPLAT(0.0f), dAlpha);
    const VF weight = a * t;
    const VF m = gauss * dLdAlpha;
    const VF mdx = m * dx, mdy = m * dy;
    S->x = S->x + mdx;
    S->y = S->y + mdy;
    S->xx = FMA(mdx, dx, S->xx);
    S->xy = FMA(mdx, VSPLAT(dy), S->xy);
    S->yy = FMA(mdy, VSPLAT(dy), S->yy);
    S->o = S->o + m;
    S->r = FMA(weight, pr, S->r);
    S->g = FMA(weight, pg, S->g);
    S->b = FMA(weight, pb, S->b);
    ROW(T->trans, row) = t;
    ROW(T->behind, row) = FMA(weight, cgv, bh);
}

/// Un-blends one Gaussian from rows [row0, row1], columns off ..< off + VW, and writes its nine
/// gradient sums to out.
static inline __attribute__((always_inline)) KATTR void RFN(backward_pair)(
    BackwardTile *T, const int off, const int row0, const int row1, const float u, const float vl, const float *s,
    const int32_t k, const CBlendLists *L, float *out) {
    const float ca = s[2], cb = s[3], cc = s[4], o = s[5];
    const VI position = VSPLATI(k);   // pixel p saw this Gaussian iff k < last[p]
    const VF dx = u - (VCOLUMNS + (float)off);
    const VF hqx = -0.5f * (ca * dx * dx), nbdx = -(cb * dx);   // as in forward_pair
    // With m = G·dL/dα per pixel (G = e^power; dx, dy = mean − pixel as above),
    // dL/dG = o·dL/dα, dpower/du = −(A·dx + B·dy), dpower/dA = −dx²/2, dpower/dB = −dx·dy,
    // dpower/dC = −dy²/2: so every geometric term is o, A, B or C (per pair) times one of five
    // sums of m·{dx, dy, dx², dx·dy, dy²}. The loop accumulates those sums and the constants are
    // applied once per pair below: 6 multiplies per row instead of 15.
    const VF zero = VSPLAT(0.0f);
    RFN(Sums) S = {zero, zero, zero, zero, zero, zero, zero, zero, zero};
    // Rows where every pixel's last contributor is in front of this Gaussian are skipped.
    VF gauss, ratio;
    double q;
    if (RFN(recurrence)(L, off, row0, row1, u, vl, s, dx, &gauss, &ratio, &q)) {
        double Q = 1.0;   // stepped through skipped rows too, as in forward_pair
        for (int row = row0;; row++) {
            if (T->rowLast[row] > k) RFN(backward_row)(T, off, row, vl - (float)row, dx, gauss, VSPLATI(0), s, position, L, &S);
            if (row == row1) break;
            gauss = RFN(recurrence_step)(gauss, ratio, &Q, q);
        }
    } else {
        for (int row = row0; row <= row1; row++) {
            if (!(T->rowLast[row] > k)) continue;
            const float dy = vl - (float)row;
            const VF power = FMA(nbdx, VSPLAT(dy), hqx + -0.5f * (cc * dy * dy));
            RFN(backward_row)(T, off, row, dy, dx, RFN(exp_nonpos)(power), power > 0.0f, s, position, L, &S);
        }
    }
    const float x = RFN(total)(S.x), y = RFN(total)(S.y);
    out[0] = -o * (ca * x + cb * y);
    out[1] = -o * (cc * y + cb * x);
    out[2] = -0.5f * o * RFN(total)(S.xx);
    out[3] = -o * RFN(total)(S.xy);
    out[4] = -0.5f * o * RFN(total)(S.yy);
    out[5] = RFN(total)(S.o);
    out[6] = RFN(total)(S.r); out[7] = RFN(total)(S.g); out[8] = RFN(total)(S.b);
}

#undef ROW
#undef ROWI
