// One variant of the per-Gaussian chain rule (SplatRender's ProjectBackward.one, SHColor.backward),
// VW Gaussians per vector. Included by project_kernel.h, whose helpers and macros it uses. Every
// operation is element-wise in the Swift code's order; only e^x (the scales, the antialiased
// mode's sigmoid) is the kernel's own.

static inline __attribute__((always_inline)) KATTR void FN(backward_block)(const CProjectInputs *in, const CProjectView *V,
                                                                           const CProjectOutputs *P, const float *grad2D,
                                                                           const CProjectGradients *out,
                                                                           const intptr_t *index, int lanes) {
    const int full = lanes == VW;
    const int degree = in->shDegree;
    const int used = (degree + 1) * (degree + 1) - 1;
    const intptr_t i0 = index[0], restStride = (intptr_t)in->restCount * 3;
    VF mean[3], logScale[3], q[4], logit[1], rest[48], g[9], opacity[1];
    if (full) {
        FN(load_stride3)(in->means + i0 * 3, mean);
        FN(load_stride3)(in->logScales + i0 * 3, logScale);
        FN(load_stride4)(in->rotations + i0 * 4, q);
        __builtin_memcpy(&logit[0], in->logits + i0, sizeof(VF));
    } else {
        FN(load_lanes)(in->means, 3, index, 3, mean);
        FN(load_lanes)(in->logScales, 3, index, 3, logScale);
        FN(load_lanes)(in->rotations, 4, index, 4, q);
        FN(load_lanes)(in->logits, 1, index, 1, logit);
    }
    const intptr_t lastGradRead = (i0 + VW - 1) * 9 + VW;
    if (full && lastGradRead <= in->count * 9) FN(load_rows)(grad2D, 9, i0, 9, g);
    else FN(load_lanes)(grad2D, 9, index, 9, g);
    FN(load_lanes)(P->splats + 5, 12, index, 1, opacity);
    if (used > 0) {
        const intptr_t lastRead = (i0 + VW - 1) * restStride + (used * 3 + VW - 1) / VW * VW;
        if (full && lastRead <= in->count * restStride) FN(load_rows)(in->rest, restStride, i0, used * 3, rest);
        else FN(load_lanes)(in->rest, restStride, index, used * 3, rest);
    }
    VI drawn, flags;
    for (int l = 0; l < VW; l++) {
        drawn[l] = P->tileCounts[index[l]] > 0 ? -1 : 0;
        flags[l] = P->flags[index[l]];
    }
    const VF zero = VSPLAT(0.0f), one = VSPLAT(1.0f), two = VSPLAT(2.0f);
    const VI clampX = (flags & VSPLATI(8)) != VSPLATI(0), clampY = (flags & VSPLATI(16)) != VSPLATI(0);

    const float *R = V->r;
    const VF px = VSPLAT(R[0]) * mean[0] + VSPLAT(R[1]) * mean[1] + VSPLAT(R[2]) * mean[2] + VSPLAT(V->t[0]);
    const VF py = VSPLAT(R[3]) * mean[0] + VSPLAT(R[4]) * mean[1] + VSPLAT(R[5]) * mean[2] + VSPLAT(V->t[1]);
    const VF pz = VSPLAT(R[6]) * mean[0] + VSPLAT(R[7]) * mean[1] + VSPLAT(R[8]) * mean[2] + VSPLAT(V->t[2]);

    // Covariance3D and EWAJacobian, as in the forward (the clamps used below are the forward's flags).
    const FN(EWAProjection) E = FN(ewa_projection)(px, py, pz, logScale, q, V);
    const VF a = E.rawA + VSPLAT(0.3f), b = E.rawB, cc = E.rawC + VSPLAT(0.3f);
    const VF invDet = one / (a * cc - b * b);
    const VF qA = cc * invDet, qB = -b * invDet, qC = a * invDet;

    // Opacity (the 0.99 clamp is ignored, as in 3DGS).
    VF gLogit, rhoSquared = zero, dLdRho = zero;
    if (in->antialiased) {
        const VF o = one / (one + FN(vexp)(-logit[0]));
        rhoSquared = SMAX(E.rawA * E.rawC - E.rawB * E.rawB, zero) / (a * cc - b * b);
        gLogit = g[5] * __builtin_elementwise_sqrt(rhoSquared) * o * (one - o);
        dLdRho = g[5] * o;
    } else {
        gLogit = g[5] * opacity[0] * (one - opacity[0]);
    }

    // Colour → SH (SHColor.backward), and the view direction's share of the mean gradient.
    const VF gx = VSEL((flags & VSPLATI(1)) != VSPLATI(0), zero, g[6]);
    const VF gy = VSEL((flags & VSPLATI(2)) != VSPLATI(0), zero, g[7]);
    const VF gz = VSEL((flags & VSPLATI(4)) != VSPLATI(0), zero, g[8]);
    const VF ox = mean[0] - VSPLAT(V->center[0]), oy = mean[1] - VSPLAT(V->center[1]), oz = mean[2] - VSPLAT(V->center[2]);
    const VF dist = __builtin_elementwise_sqrt(ox * ox + oy * oy + oz * oz);
    const VF x = ox / dist, y = oy / dist, z = oz / dist;
    const VF gDC[3] = {VSPLAT(SH_C0) * gx, VSPLAT(SH_C0) * gy, VSPLAT(SH_C0) * gz};
    VF beta[16], sk[16], gRest[48];
    for (int k = 0; k < 48; k++) gRest[k] = zero;
    VF gdx = zero, gdy = zero, gdz = zero;
    if (degree >= 1) {
        FN(sh_basis)(x, y, z, degree, beta);
        // s_k = f_k · g summed over channels: the loss's sensitivity to β_k.
        for (int k = 0; k < used; k++) {
            gRest[k * 3] = beta[k + 1] * gx;
            gRest[k * 3 + 1] = beta[k + 1] * gy;
            gRest[k * 3 + 2] = beta[k + 1] * gz;
            sk[k + 1] = rest[k * 3] * gx + rest[k * 3 + 1] * gy + rest[k * 3 + 2] * gz;
        }
        const VF c1 = VSPLAT(0.48860251f);
        gdx = -c1 * sk[3]; gdy = -c1 * sk[1]; gdz = c1 * sk[2];
#define ADD(ex, ey, ez, f) do { const VF f_ = (f); gdx = gdx + (ex) * f_; gdy = gdy + (ey) * f_; gdz = gdz + (ez) * f_; } while (0)
        if (degree >= 2) {
            const VF xx = x * x, yy = y * y, zz = z * z;
            const VF c20 = VSPLAT(1.0925484f), c21 = VSPLAT(-1.0925484f), c22 = VSPLAT(0.31539157f);
            const VF c23 = VSPLAT(-1.0925484f), c24 = VSPLAT(0.5462742f), m2 = VSPLAT(-2.0f), four = VSPLAT(4.0f);
            ADD(c20 * y, c20 * x, zero, sk[4]);
            ADD(zero, c21 * z, c21 * y, sk[5]);
            ADD(m2 * x, m2 * y, four * z, c22 * sk[6]);
            ADD(c23 * z, zero, c23 * x, sk[7]);
            ADD(two * x, m2 * y, zero, c24 * sk[8]);
            if (degree >= 3) {
                const VF three = VSPLAT(3.0f), six = VSPLAT(6.0f), m6 = VSPLAT(-6.0f), eight = VSPLAT(8.0f);
                ADD(six * x * y, three * xx - three * yy, zero, VSPLAT(-0.5900436f) * sk[9]);
                ADD(y * z, x * z, x * y, VSPLAT(2.8906114f) * sk[10]);
                ADD(m2 * x * y, four * zz - xx - three * yy, eight * y * z, VSPLAT(-0.4570458f) * sk[11]);
                ADD(m6 * x * z, m6 * y * z, six * zz - three * xx - three * yy, VSPLAT(0.37317633f) * sk[12]);
                ADD(four * zz - three * xx - yy, m2 * x * y, eight * x * z, VSPLAT(-0.4570458f) * sk[13]);
                ADD(two * x * z, m2 * y * z, xx - yy, VSPLAT(1.4453057f) * sk[14]);
                ADD(three * xx - three * yy, m6 * x * y, zero, VSPLAT(-0.5900436f) * sk[15]);
            }
        }
#undef ADD
    }
    const VF along = x * gdx + y * gdy + z * gdz;
    VF gmx = (gdx - x * along) / dist, gmy = (gdy - y * along) / dist, gmz = (gdz - z * along) / dist;

    // Conic Q = Σ'⁻¹: dL/dΣ' = −Q·(dL/dQ)·Q with dL/dQ = [[gA, gB/2], [gB/2, gC]].
    const VF hA = g[2], hB = VSPLAT(0.5f) * g[3], hC = g[4];
    const VF x00 = hA * qA + hB * qB, x01 = hA * qB + hB * qC;
    const VF x10 = hB * qA + hC * qB, x11 = hB * qB + hC * qC;
    VF g00 = -(qA * x00 + qB * x10);
    VF g01 = -(qA * x01 + qB * x11);
    VF g11 = -(qB * x01 + qC * x11);
    if (in->antialiased) {
        // AntialiasFilter.covarianceGradient: ρ depends on Σ2D too.
        const VI live = rhoSquared > zero;
        const VF k = dLdRho / (two * __builtin_elementwise_sqrt(rhoSquared));
        const VF keep = one - rhoSquared, h = VSPLAT(0.3f) * invDet;
        g00 = g00 + VSEL(live, k * (keep * qA - h), zero);
        g01 = g01 + VSEL(live, k * keep * qB, zero);
        g11 = g11 + VSEL(live, k * (keep * qC - h), zero);
    }
    // Σ2D = T·Σ·Tᵀ: dL/dΣ = Tᵀ·G·T, dL/dT = 2·G·T·Σ.
    const VF gt00 = g00 * E.t00 + g01 * E.t10, gt01 = g00 * E.t01 + g01 * E.t11, gt02 = g00 * E.t02 + g01 * E.t12;
    const VF gt10 = g01 * E.t00 + g11 * E.t10, gt11 = g01 * E.t01 + g11 * E.t11, gt12 = g01 * E.t02 + g11 * E.t12;
    const VF dT00 = two * (E.sxx * gt00 + E.sxy * gt01 + E.sxz * gt02);
    const VF dT01 = two * (E.sxy * gt00 + E.syy * gt01 + E.syz * gt02);
    const VF dT02 = two * (E.sxz * gt00 + E.syz * gt01 + E.szz * gt02);
    const VF dT10 = two * (E.sxx * gt10 + E.sxy * gt11 + E.sxz * gt12);
    const VF dT11 = two * (E.sxy * gt10 + E.syy * gt11 + E.syz * gt12);
    const VF dT12 = two * (E.sxz * gt10 + E.syz * gt11 + E.szz * gt12);
    // Rows of dL/dΣ (symmetric).
    const VF d00 = E.t00 * gt00 + E.t10 * gt10, d01 = E.t00 * gt01 + E.t10 * gt11, d02 = E.t00 * gt02 + E.t10 * gt12;
    const VF d10 = E.t01 * gt00 + E.t11 * gt10, d11 = E.t01 * gt01 + E.t11 * gt11, d12 = E.t01 * gt02 + E.t11 * gt12;
    const VF d20 = E.t02 * gt00 + E.t12 * gt10, d21 = E.t02 * gt01 + E.t12 * gt11, d22 = E.t02 * gt02 + E.t12 * gt12;

    // T = J·W → J entries → camera-space point.
    const VF gj00 = dT00 * VSPLAT(R[0]) + dT01 * VSPLAT(R[1]) + dT02 * VSPLAT(R[2]);
    const VF gj02 = dT00 * VSPLAT(R[6]) + dT01 * VSPLAT(R[7]) + dT02 * VSPLAT(R[8]);
    const VF gj11 = dT10 * VSPLAT(R[3]) + dT11 * VSPLAT(R[4]) + dT12 * VSPLAT(R[5]);
    const VF gj12 = dT10 * VSPLAT(R[6]) + dT11 * VSPLAT(R[7]) + dT12 * VSPLAT(R[8]);
    const VF z3 = E.zz2 * pz;
    const VF fx = VSPLAT(V->fx), fy = VSPLAT(V->fy);
    VF gpx = VSEL(clampX, zero, zero + gj02 * (-fx / E.zz2));
    VF gpy = VSEL(clampY, zero, zero + gj12 * (-fy / E.zz2));
    VF gpz = zero + (gj00 * (-fx / E.zz2) + gj02 * (two * fx * E.tx / z3) + gj11 * (-fy / E.zz2) + gj12 * (two * fy * E.ty / z3));
    // Projected mean u = fx·x/z + cx − ½, v likewise.
    const VF gu = g[0], gv = g[1];
    gpx = gpx + gu * fx / pz;
    gpy = gpy + gv * fy / pz;
    gpz = gpz + (-gu * fx * px / E.zz2 - gv * fy * py / E.zz2);
    gmx = gmx + (VSPLAT(R[0]) * gpx + VSPLAT(R[3]) * gpy + VSPLAT(R[6]) * gpz);
    gmy = gmy + (VSPLAT(R[1]) * gpx + VSPLAT(R[4]) * gpy + VSPLAT(R[7]) * gpz);
    gmz = gmz + (VSPLAT(R[2]) * gpx + VSPLAT(R[5]) * gpy + VSPLAT(R[8]) * gpz);

    // Σ = M·Mᵀ, M = R·diag(s): dL/dM = 2·(dL/dΣ)·M.
    const VF gm00 = two * (d00 * E.m00 + d01 * E.m10 + d02 * E.m20), gm01 = two * (d00 * E.m01 + d01 * E.m11 + d02 * E.m21);
    const VF gm02 = two * (d00 * E.m02 + d01 * E.m12 + d02 * E.m22);
    const VF gm10 = two * (d10 * E.m00 + d11 * E.m10 + d12 * E.m20), gm11 = two * (d10 * E.m01 + d11 * E.m11 + d12 * E.m21);
    const VF gm12 = two * (d10 * E.m02 + d11 * E.m12 + d12 * E.m22);
    const VF gm20 = two * (d20 * E.m00 + d21 * E.m10 + d22 * E.m20), gm21 = two * (d20 * E.m01 + d21 * E.m11 + d22 * E.m21);
    const VF gm22 = two * (d20 * E.m02 + d21 * E.m12 + d22 * E.m22);
    const VF gLog[3] = {(gm00 * E.r00 + gm10 * E.r10 + gm20 * E.r20) * E.s0, (gm01 * E.r01 + gm11 * E.r11 + gm21 * E.r21) * E.s1,
                        (gm02 * E.r02 + gm12 * E.r12 + gm22 * E.r22) * E.s2};
    // dL/dR = dL/dM · diag(s)
    const VF gr00 = gm00 * E.s0, gr01 = gm01 * E.s1, gr02 = gm02 * E.s2;
    const VF gr10 = gm10 * E.s0, gr11 = gm11 * E.s1, gr12 = gm12 * E.s2;
    const VF gr20 = gm20 * E.s0, gr21 = gm21 * E.s1, gr22 = gm22 * E.s2;
    VF gq0 = two * (-E.qz * gr01 + E.qy * gr02 + E.qz * gr10 - E.qx * gr12 - E.qy * gr20 + E.qx * gr21);
    VF gq1 = two * (E.qy * gr01 + E.qz * gr02 + E.qy * gr10 - two * E.qx * gr11 - E.qw * gr12 + E.qz * gr20 + E.qw * gr21 - two * E.qx * gr22);
    VF gq2 = two * (-two * E.qy * gr00 + E.qx * gr01 + E.qw * gr02 + E.qx * gr10 + E.qz * gr12 - E.qw * gr20 + E.qz * gr21 - two * E.qy * gr22);
    VF gq3 = two * (-two * E.qz * gr00 - E.qw * gr01 + E.qx * gr02 + E.qw * gr10 - two * E.qz * gr11 + E.qy * gr12 + E.qx * gr20 + E.qy * gr21);
    // Through the normalisation q̂ = q/|q|: (I − q̂q̂ᵀ)/|q|.
    const VF qdot = gq0 * E.qw + gq1 * E.qx + gq2 * E.qy + gq3 * E.qz;
    gq0 = (gq0 - E.qw * qdot) / E.qNorm; gq1 = (gq1 - E.qx * qdot) / E.qNorm;
    gq2 = (gq2 - E.qy * qdot) / E.qNorm; gq3 = (gq3 - E.qz * qdot) / E.qNorm;

    // Gaussians that were not drawn get zeros everywhere.
#define KEEP(v) VSEL(drawn, (v), zero)
    const VF outMeans[3] = {KEEP(gmx), KEEP(gmy), KEEP(gmz)};
    const VF outScales[3] = {KEEP(gLog[0]), KEEP(gLog[1]), KEEP(gLog[2])};
    const VF outRot[4] = {KEEP(gq0), KEEP(gq1), KEEP(gq2), KEEP(gq3)};
    const VF outLogit[1] = {KEEP(gLogit)};
    const VF outDC[3] = {KEEP(gDC[0]), KEEP(gDC[1]), KEEP(gDC[2])};
    for (int k = 0; k < used * 3; k++) gRest[k] = KEEP(gRest[k]);
#undef KEEP
    if (full) {
        FN(store_stride3)(out->means + i0 * 3, outMeans);
        FN(store_stride3)(out->logScales + i0 * 3, outScales);
        FN(store_stride4)(out->rotations + i0 * 4, outRot);
        __builtin_memcpy(out->logits + i0, &outLogit[0], sizeof(VF));
        FN(store_stride3)(out->dc + i0 * 3, outDC);
        if (restStride > 0) FN(store_rows)(out->rest, (int)restStride, i0, gRest);
    } else {
        FN(store_lanes)(out->means, 3, index, lanes, 3, outMeans);
        FN(store_lanes)(out->logScales, 3, index, lanes, 3, outScales);
        FN(store_lanes)(out->rotations, 4, index, lanes, 4, outRot);
        FN(store_lanes)(out->logits, 1, index, lanes, 1, outLogit);
        FN(store_lanes)(out->dc, 3, index, lanes, 3, outDC);
        FN(store_lanes)(out->rest, restStride, index, lanes, (int)restStride, gRest);
    }
}

KATTR static void FN(cproject_backward)(const CProjectInputs *in, const CProjectView *view, const CProjectOutputs *P,
                                        const float *grad2D, const CProjectGradients *out, intptr_t begin, intptr_t end) {
    for (intptr_t i0 = begin; i0 < end; i0 += VW) {
        const int count = end - i0 < VW ? (int)(end - i0) : VW;
        intptr_t index[VW];
        for (int l = 0; l < VW; l++) index[l] = i0 + (l < count ? l : count - 1);
        FN(backward_block)(in, view, P, grad2D, out, index, count);
    }
}
