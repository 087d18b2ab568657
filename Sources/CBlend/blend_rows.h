// The per-row work for one (tile, Gaussian) pair at one vector width. blend_kernel.h includes
// this file twice per variant: VW = 16 (a whole tile row) and VW = 8 (the left or right half of
// a row, for Gaussians whose columns all fall in that half). RFN(name) names a function of this
// width; VF/VI/VU are the float/int/uint vectors of VW lanes and VSPLAT/VSPLATI/VCOLUMNS build them.
//
// Lane c of a VW-lane row vector at offset `off` is tile column off + c, the same pixel and the
// same operations as in the 16-lane form, so both widths give the same bits.

/// e^x for x ≤ 0: the polynomial of FastExp.swift, with its Horner steps as fused multiply-adds.
static inline __attribute__((always_inline)) KATTR VF RFN(exp_nonpos)(VF x) {
    VF t = x * 1.44269504f;
    t = VSEL(t < -125.0f, VSPLAT(-125.0f), t);
    t = VSEL(t > 0.0f, VSPLAT(0.0f), t);
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

#define ROW(array, row) (*(VF *)((float *)&(array)[row] + off))
#define ROWI(array, row) (*(VI *)((int32_t *)&(array)[row] + off))

/// Blends one Gaussian into rows [row0, row1] of the tile, columns off ..< off + VW.
static inline __attribute__((always_inline)) KATTR void RFN(forward_pair)(
    ForwardTile *T, const int off, const int row0, const int row1, const float u, const float vl, const float *s,
    const int32_t position, const CBlendLists *L, const int withDepth) {
    const float ca = s[2], cb = s[3], cc = s[4], o = s[5];
    const float r = s[6], g = s[7], b = s[8], z = s[9];
    const float alphaMax = L->alphaMax, alphaMin = L->alphaMin, minT = L->minTransmittance;
    const VI positions = VSPLATI(position);
    const VF dx = u - (VCOLUMNS + (float)off);
    // The power −½(A·dx² + C·dy²) − B·dx·dy as −½A·dx² + (−½C·dy²) + (−B·dx)·dy, the last product
    // fused (halving is exact, so only the fusion rounds differently); the row-independent parts
    // once per pair.
    const VF hqx = -0.5f * (ca * dx * dx), nbdx = -(cb * dx);
    for (int row = row0; row <= row1; row++) {
        if (T->rowLive[row] <= 0) continue;
        const float dy = vl - (float)row;
        const VF power = FMA(nbdx, VSPLAT(dy), hqx + -0.5f * (cc * dy * dy));
        VF a = o * RFN(exp_nonpos)(power);
        a = VSEL(a > alphaMax, VSPLAT(alphaMax), a);
        a = VSEL((power > 0.0f) | (a < alphaMin), VSPLAT(0.0f), a);
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
            continue;
        }
        ROW(T->stoppedT, row) = VSEL(stop, t, ROW(T->stoppedT, row));
        ROW(T->trans, row) = VSEL(stop, VSPLAT(0.0f), nextT);
        const int stops = COUNT(stop);
        T->rowLive[row] -= stops;
        T->live -= stops;
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

/// Un-blends one Gaussian from rows [row0, row1], columns off ..< off + VW, and writes its nine
/// gradient sums to out.
static inline __attribute__((always_inline)) KATTR void RFN(backward_pair)(
    BackwardTile *T, const int off, const int row0, const int row1, const float u, const float vl, const float *s,
    const int32_t k, const CBlendLists *L, float *out) {
    const float ca = s[2], cb = s[3], cc = s[4], o = s[5];
    const float cr = s[6], cgr = s[7], cbl = s[8];
    const float alphaMax = L->alphaMax, alphaMin = L->alphaMin;
    const VI position = VSPLATI(k);   // pixel p saw this Gaussian iff k < last[p]
    const VF dx = u - (VCOLUMNS + (float)off);
    const VF hqx = -0.5f * (ca * dx * dx), nbdx = -(cb * dx);   // as in forward_pair
    // With m = G·dL/dα per pixel (G = e^power; dx, dy = mean − pixel as above),
    // dL/dG = o·dL/dα, dpower/du = −(A·dx + B·dy), dpower/dA = −dx²/2, dpower/dB = −dx·dy,
    // dpower/dC = −dy²/2: so every geometric term is o, A, B or C (per pair) times one of five
    // sums of m·{dx, dy, dx², dx·dy, dy²}. The loop accumulates those sums and the constants are
    // applied once per pair below: 6 multiplies per row instead of 15.
    VF sX = VSPLAT(0.0f), sY = VSPLAT(0.0f), sXX = VSPLAT(0.0f), sXY = VSPLAT(0.0f), sYY = VSPLAT(0.0f);
    VF sO = VSPLAT(0.0f), sR = VSPLAT(0.0f), sG = VSPLAT(0.0f), sBl = VSPLAT(0.0f);
    // Rows where every pixel's last contributor is in front of this Gaussian are skipped.
    for (int row = row0; row <= row1; row++) {
        if (!(T->rowLast[row] > k)) continue;
        const float dy = vl - (float)row;
        const VF power = FMA(nbdx, VSPLAT(dy), hqx + -0.5f * (cc * dy * dy));
        const VF gauss = RFN(exp_nonpos)(power);
        VF alpha = o * gauss;
        alpha = VSEL(alpha > alphaMax, VSPLAT(alphaMax), alpha);
        const VI invalid = (position >= ROWI(T->last, row)) | (power > 0.0f) | (alpha < alphaMin);
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
        sX = sX + mdx;
        sY = sY + mdy;
        sXX = FMA(mdx, dx, sXX);
        sXY = FMA(mdx, VSPLAT(dy), sXY);
        sYY = FMA(mdy, VSPLAT(dy), sYY);
        sO = sO + m;
        sR = FMA(weight, pr, sR);
        sG = FMA(weight, pg, sG);
        sBl = FMA(weight, pb, sBl);
        ROW(T->trans, row) = t;
        ROW(T->behind, row) = FMA(weight, cgv, bh);
    }
    const float x = RFN(total)(sX), y = RFN(total)(sY);
    out[0] = -o * (ca * x + cb * y);
    out[1] = -o * (cc * y + cb * x);
    out[2] = -0.5f * o * RFN(total)(sXX);
    out[3] = -o * RFN(total)(sXY);
    out[4] = -0.5f * o * RFN(total)(sYY);
    out[5] = RFN(total)(sO);
    out[6] = RFN(total)(sR); out[7] = RFN(total)(sG); out[8] = RFN(total)(sBl);
}

#undef ROW
#undef ROWI
