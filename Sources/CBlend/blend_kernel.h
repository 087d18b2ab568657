// One variant of the blend kernels. blend.c includes this file once per variant with
// FN(name) (the variant's name suffix) and KATTR (its target attribute) defined.
//
// Every pixel row of a tile is one 16-lane vector `v16f` (one zmm register on AVX-512, two ymm
// on AVX2, four xmm in plain C); lane c is column c of the tile in every variant, and every
// operation is element-wise with the same operands in the same order, so the variants give
// bit-identical results (no FMA contraction anywhere: `#pragma clang fp contract(off)` in blend.c).
// The per-lane arithmetic is, operation for operation, the Swift code this replaced, so the
// image is bit-identical to it; the backward's per-pair sums add lane c's terms in row order and
// then fold the 16 lanes in a fixed tree (`FN(total)`).

/// e^x for x ≤ 0: the polynomial of FastExp.swift, operation for operation.
static inline __attribute__((always_inline)) KATTR v16f FN(exp_nonpos)(v16f x) {
    v16f t = x * 1.44269504f;
    t = SEL(t < -125.0f, SPLAT(-125.0f), t);
    t = SEL(t > 0.0f, SPLAT(0.0f), t);
    const v16f magic = SPLAT(12582912.0f);
    v16f shifted = t + magic;
    v16f n = shifted - magic;
    v16f l = (t - n) * 0.69314718f;
    v16f p = l * 0.001388889f + 0.008333334f;
    p = p * l + 0.041666668f;
    p = p * l + 0.16666667f;
    p = p * l + 0.5f;
    p = p * l + 1.0f;
    p = p * l + 1.0f;
    v16u exponent = ((v16u)shifted - (v16u)magic) << 23;   // unsigned: wrapping, as Swift's &- and &<<
    return (v16f)((v16u)p + exponent);
}

/// Rows [*lo, *hi] of the tile starting at row ty0 that a Gaussian at (v, extent) can touch
/// (BlendRules.rows); *lo > *hi when none.
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

static inline __attribute__((always_inline)) KATTR void FN(forward_tile_impl)(
    const CBlendLists *L, const CBlendForwardOutputs *O, intptr_t tile, const int withDepth) {
    const int tx0 = (int)(tile % L->tilesX) * 16, ty0 = (int)(tile / L->tilesX) * 16;
    const int cols = L->width - tx0 < 16 ? L->width - tx0 : 16;
    const int rowsIn = L->height - ty0 < 16 ? L->height - ty0 : 16;
    // trans is 0 for pixels that are done (and outside the image), so a done pixel needs no mask
    // and takes nothing; stoppedT keeps the transmittance a pixel stopped at.
    v16f trans[16], red[16], green[16], blue[16], depth[16], stoppedT[16];
    v16i last[16];
    int rowLive[16], live = 0;
    const v16f column = COLUMNS;
    for (int row = 0; row < 16; row++) {
        v16i inside = (column < (float)cols) & (v16i)SPLATI(row < rowsIn ? -1 : 0);
        trans[row] = SEL(inside, SPLAT(1.0f), SPLAT(0.0f));
        red[row] = green[row] = blue[row] = depth[row] = stoppedT[row] = SPLAT(0.0f);
        last[row] = SPLATI(0);
        rowLive[row] = row < rowsIn ? cols : 0;
        live += rowLive[row];
    }
    const float alphaMax = L->alphaMax, alphaMin = L->alphaMin, minT = L->minTransmittance;
    const intptr_t start = L->ranges[tile * 2], end = L->ranges[tile * 2 + 1];
    for (intptr_t k = start; k < end && live > 0; k++) {
        const float *s = L->pairSplats + k * 12;
        int rlo, rhi;
        FN(rows)(L, s[1], s[10], ty0, &rlo, &rhi);
        if (rlo > rhi) continue;
        const float u = s[0] - (float)tx0, vl = s[1] - (float)ty0;
        const float ca = s[2], cb = s[3], cc = s[4], o = s[5];
        const float r = s[6], g = s[7], b = s[8], z = s[9];
        const v16i position = SPLATI((int32_t)(k - start + 1));
        const v16f dx = u - column;
        const v16f qx = ca * dx * dx, cbdx = cb * dx;   // the row-independent parts of the power
        for (int row = rlo - ty0; row <= rhi - ty0; row++) {
            if (rowLive[row] <= 0) continue;
            const float dy = vl - (float)row;
            const v16f power = -0.5f * (qx + cc * dy * dy) - cbdx * dy;
            v16f a = o * FN(exp_nonpos)(power);
            a = SEL(a > alphaMax, SPLAT(alphaMax), a);
            a = SEL((power > 0.0f) | (a < alphaMin), SPLAT(0.0f), a);
            const v16f t = trans[row];
            const v16f nextT = t * (1.0f - a);
            // The stop rule: a Gaussian that would take T below minT is not blended and the pixel is done.
            const v16i stop = (nextT < minT) & (t > 0.0f);
            a = SEL(stop | (t == 0.0f), SPLAT(0.0f), a);
            const v16f w = a * t;
            red[row] = red[row] + w * r;
            green[row] = green[row] + w * g;
            blue[row] = blue[row] + w * b;
            if (withDepth) depth[row] = depth[row] + w * z;
            last[row] = SELI(a > 0.0f, position, last[row]);
            // A pixel stops once: the bookkeeping of a stop is branched around, not selected in.
            if (!ANY(stop)) {
                trans[row] = nextT;
                continue;
            }
            stoppedT[row] = SEL(stop, t, stoppedT[row]);
            trans[row] = SEL(stop, SPLAT(0.0f), nextT);
            const int stops = COUNT(stop);
            rowLive[row] -= stops;
            live -= stops;
        }
    }
    const float bgR = L->background[0], bgG = L->background[1], bgB = L->background[2];
    for (int row = 0; row < rowsIn; row++) {
        for (int x = 0; x < cols; x++) {
            const intptr_t idx = (intptr_t)(ty0 + row) * L->width + tx0 + x;
            const float tr = trans[row][x];
            const float t = tr > 0.0f ? tr : stoppedT[row][x];
            O->image[idx * 3] = red[row][x] + t * bgR;
            O->image[idx * 3 + 1] = green[row][x] + t * bgG;
            O->image[idx * 3 + 2] = blue[row][x] + t * bgB;
            O->finalT[idx] = t;
            O->lastIndex[idx] = last[row][x];
            if (O->alpha) O->alpha[idx] = 1.0f - t;
            if (withDepth) O->depth[idx] = t < 1.0f ? depth[row][x] / (1.0f - t) : 0.0f;
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

/// Σ of the 16 lanes as a fixed tree: lanes c and c + 8, then c and c + 4, c and c + 2, 0 and 1.
static inline __attribute__((always_inline)) KATTR float FN(total)(v16f v) {
    float h8[8], h4[4], h2[2];
    for (int i = 0; i < 8; i++) h8[i] = v[i] + v[i + 8];
    for (int i = 0; i < 4; i++) h4[i] = h8[i] + h8[i + 4];
    for (int i = 0; i < 2; i++) h2[i] = h4[i] + h4[i + 2];
    return h2[0] + h2[1];
}

KATTR static void FN(backward_tile)(const CBlendLists *L, const CBlendBackwardIO *IO, intptr_t tile) {
    const int tx0 = (int)(tile % L->tilesX) * 16, ty0 = (int)(tile / L->tilesX) * 16;
    const int cols = L->width - tx0 < 16 ? L->width - tx0 : 16;
    const int rowsIn = L->height - ty0 < 16 ? L->height - ty0 : 16;
    // Walking back to front, `behind` holds Σ_{j behind} wⱼ·(cⱼ·g), the colour already accounted
    // for behind the current Gaussian projected on g = dL/dpixel; with it
    // dL/dα = T·(c·g) − (behind + T_final·(bg·g)) / (1 − α) (docs/rasterizer.md).
    v16f trans[16], behind[16], background[16], gR[16], gG[16], gB[16];
    v16i last[16];
    int32_t rowLast[16], maxLast = 0;
    const float bgR = L->background[0], bgG = L->background[1], bgB = L->background[2];
    for (int row = 0; row < 16; row++) {
        trans[row] = SPLAT(1.0f);
        behind[row] = background[row] = gR[row] = gG[row] = gB[row] = SPLAT(0.0f);
        last[row] = SPLATI(0);
        rowLast[row] = 0;
    }
    for (int row = 0; row < rowsIn; row++) {
        for (int x = 0; x < cols; x++) {
            const intptr_t idx = (intptr_t)(ty0 + row) * L->width + tx0 + x;
            const float t = IO->finalT[idx];
            const int32_t l = IO->lastIndex[idx];
            const float r = IO->dLdImage[idx * 3], g = IO->dLdImage[idx * 3 + 1], b = IO->dLdImage[idx * 3 + 2];
            trans[row][x] = t;
            last[row][x] = l;
            if (l > maxLast) maxLast = l;
            if (l > rowLast[row]) rowLast[row] = l;
            gR[row][x] = r; gG[row][x] = g; gB[row][x] = b;
            background[row][x] = t * (r * bgR + g * bgG + b * bgB);
        }
    }
    const intptr_t start = L->ranges[tile * 2], end = L->ranges[tile * 2 + 1];
    // Pairs behind every pixel's last contributor get no gradient.
    for (intptr_t k = start + maxLast; k < end; k++) {
        float *out = IO->pairGrads + k * 9;
        for (int q = 0; q < 9; q++) out[q] = 0.0f;
    }
    const float alphaMax = L->alphaMax, alphaMin = L->alphaMin;
    const v16f column = COLUMNS;
    for (int32_t k = maxLast - 1; k >= 0; k--) {
        const float *s = L->pairSplats + (start + k) * 12;
        float *out = IO->pairGrads + (start + k) * 9;
        int rlo, rhi;
        FN(rows)(L, s[1], s[10], ty0, &rlo, &rhi);
        if (rlo > rhi) {
            for (int q = 0; q < 9; q++) out[q] = 0.0f;
            continue;
        }
        const float u = s[0] - (float)tx0, vl = s[1] - (float)ty0;
        const float ca = s[2], cb = s[3], cc = s[4], o = s[5];
        const float cr = s[6], cg_ = s[7], cbl = s[8];
        const v16i position = SPLATI(k);   // pixel p saw this Gaussian iff k < last[p]
        const v16f dx = u - column;
        const v16f qx = ca * dx * dx, cbdx = cb * dx;
        v16f sU = SPLAT(0.0f), sV = SPLAT(0.0f), sA = SPLAT(0.0f), sB = SPLAT(0.0f), sC = SPLAT(0.0f);
        v16f sO = SPLAT(0.0f), sR = SPLAT(0.0f), sG = SPLAT(0.0f), sBl = SPLAT(0.0f);
        // Rows where every pixel's last contributor is in front of this Gaussian are skipped.
        for (int row = rlo - ty0; row <= rhi - ty0; row++) {
            if (!(rowLast[row] > k)) continue;
            const float dy = vl - (float)row;
            const v16f power = -0.5f * (qx + cc * dy * dy) - cbdx * dy;
            const v16f gauss = FN(exp_nonpos)(power);
            v16f alpha = o * gauss;
            alpha = SEL(alpha > alphaMax, SPLAT(alphaMax), alpha);
            const v16i invalid = (position >= last[row]) | (power > 0.0f) | (alpha < alphaMin);
            const v16f a = SEL(invalid, SPLAT(0.0f), alpha);
            const v16f keep = 1.0f / (1.0f - a);
            const v16f t = trans[row] * keep;
            const v16f pr = gR[row], pg = gG[row], pb = gB[row];
            const v16f cgv = cr * pr + cg_ * pg + cbl * pb;
            const v16f bh = behind[row];
            const v16f dAlpha = t * cgv - (bh + background[row]) * keep;
            const v16f dLdAlpha = SEL(invalid, SPLAT(0.0f), dAlpha);
            const v16f weight = a * t;
            const v16f dLdG = o * dLdAlpha;
            const v16f gdx = gauss * dx, gdy = gauss * dy;
            sU = sU + dLdG * (-gdx * ca - gdy * cb);
            sV = sV + dLdG * (-gdy * cc - gdx * cb);
            sA = sA + -0.5f * gdx * dx * dLdG;
            sB = sB + -gdx * dy * dLdG;
            sC = sC + -0.5f * gdy * dy * dLdG;
            sO = sO + gauss * dLdAlpha;
            sR = sR + weight * pr;
            sG = sG + weight * pg;
            sBl = sBl + weight * pb;
            trans[row] = t;
            behind[row] = bh + weight * cgv;
        }
        out[0] = FN(total)(sU); out[1] = FN(total)(sV);
        out[2] = FN(total)(sA); out[3] = FN(total)(sB); out[4] = FN(total)(sC);
        out[5] = FN(total)(sO);
        out[6] = FN(total)(sR); out[7] = FN(total)(sG); out[8] = FN(total)(sBl);
    }
}

KATTR void FN(cblend_backward_tiles)(const CBlendLists *L, const CBlendBackwardIO *IO,
                                     intptr_t tileBegin, intptr_t tileEnd) {
    for (intptr_t tile = tileBegin; tile < tileEnd; tile++) FN(backward_tile)(L, IO, tile);
}
