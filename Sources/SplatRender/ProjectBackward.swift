import CBlend
import Foundation
import SplatCore

/// Gradient arrays of a `GaussianGradients`, as pointers valid only inside one backward call.
struct GradientPointers {
    var means, logScales, rotations, logits, dc, rest: UnsafeMutablePointer<Float>
}

/// Per-Gaussian backward through colour (SH), opacity, conic → 2D covariance → EWA projection →
/// 3D covariance → scale and rotation, and the projected mean → world mean. Parallel over
/// Gaussians; every output entry is written (zero for Gaussians that were not drawn).
enum ProjectBackward {
    /// In CBlend's projection kernel (`kernel`'s variant, several Gaussians per vector; all
    /// variants give the same bits).
    static func run(_ cloud: GaussianCloud, c: CloudPointers, view: ViewParameters, shDegree: Int, antialiased: Bool,
                    projection: ProjectionBuffers, grad2D: UnsafePointer<Float>,
                    out: GradientPointers, kernel: BlendKernel, threads: Int) {
        let n = cloud.count
        var cIn = c.kernelInputs(count: n, restCount: cloud.restCount, shDegree: shDegree, smooth: false,
                                 exactTiles: false, antialiased: antialiased)
        var cView = view.cView
        var cProjection = projection.cOutputs
        var cOut = CProjectGradients(means: out.means, logScales: out.logScales, rotations: out.rotations,
                                     logits: out.logits, dc: out.dc, rest: out.rest)
        withUnsafePointer(to: &cIn) { inputs in
        withUnsafePointer(to: &cView) { v in
        withUnsafePointer(to: &cProjection) { p in
        withUnsafePointer(to: &cOut) { o in
            Parallel.chunks(n, chunkSize: 4096, threads: threads) { range in
                cproject_backward(kernel.rawValue, inputs, v, p, grad2D, o, range.lowerBound, range.upperBound)
            }
        }}}}
    }

    /// The same chain rule in Swift, one Gaussian at a time: the readable twin that
    /// `ProjectionKernelTests` compares the kernel against (not used for training).
    static func runScalar(_ cloud: GaussianCloud, c: CloudPointers, view: ViewParameters, shDegree: Int,
                          antialiased: Bool, projection: ProjectionBuffers, grad2D: UnsafePointer<Float>,
                          out: GradientPointers) {
        let restCount = cloud.restCount
        for i in 0..<cloud.count {
            guard projection.tileCounts[i] > 0 else {
                zero(i, restCount: restCount, out)
                continue
            }
            let b = grad2D + i * Grad2DLane.stride
            let acc = (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8])
            one(i, c: c, restCount: restCount, view: view, shDegree: shDegree, antialiased: antialiased,
                flags: projection.flags[i], opacity: projection.splats[i * SplatLane.stride + SplatLane.opacity],
                g: acc, out: out)
        }
    }

    @inline(__always)
    static func zero(_ i: Int, restCount: Int, _ out: GradientPointers) {
        for k in 0..<3 { out.means[i * 3 + k] = 0; out.logScales[i * 3 + k] = 0; out.dc[i * 3 + k] = 0 }
        for k in 0..<4 { out.rotations[i * 4 + k] = 0 }
        out.logits[i] = 0
        for k in 0..<(restCount * 3) { out.rest[i * restCount * 3 + k] = 0 }
    }

    /// `opacity` is the one the blend used (lane `SplatLane.opacity`: in antialiased mode the
    /// compensated one).
    @inline(__always)
    static func one(_ i: Int, c: CloudPointers, restCount: Int, view: ViewParameters, shDegree: Int, antialiased: Bool,
                    flags: UInt8, opacity: Float,
                    g: (Float, Float, Float, Float, Float, Float, Float, Float, Float), out: GradientPointers) {
        let mean = SIMD3(c.means[i * 3], c.means[i * 3 + 1], c.means[i * 3 + 2])
        let p = view.toCamera(mean)
        let cov = Covariance3D(logScales: c.logScales + i * 3, quaternion: c.rotations + i * 4)
        let ewa = EWAJacobian(p: p, view: view)
        let cov2 = ewa.project(cov.sigma, view: view)
        let a = cov2.0 + ViewParameters.lowPass, b = cov2.1, cc = cov2.2 + ViewParameters.lowPass
        let invDet = 1 / (a * cc - b * b)
        let qA = cc * invDet, qB = -b * invDet, qC = a * invDet

        // Opacity (the 0.99 clamp is ignored, as in 3DGS).
        var rhoSquared: Float = 0, dLdRho: Float = 0
        if antialiased {
            // The blend used o·ρ: dL/do = dL/d(o·ρ)·ρ and dL/dρ = dL/d(o·ρ)·o, with o and ρ
            // recomputed exactly as the forward did.
            let o = 1 / (1 + expf(-c.logits[i]))
            rhoSquared = AntialiasFilter.compensationSquared(raw: cov2, blurredDet: a * cc - b * b)
            out.logits[i] = g.5 * rhoSquared.squareRoot() * o * (1 - o)
            dLdRho = g.5 * o
        } else {
            out.logits[i] = g.5 * opacity * (1 - opacity)
        }

        // Colour → SH, and the view direction's share of the mean gradient.
        var gColor = SIMD3(g.6, g.7, g.8)
        if flags & ClampFlag.red != 0 { gColor.x = 0 }
        if flags & ClampFlag.green != 0 { gColor.y = 0 }
        if flags & ClampFlag.blue != 0 { gColor.z = 0 }
        let offset = mean - view.center
        let dist = (offset * offset).sum().squareRoot()
        let dir = offset / dist
        let gDir = SHColor.backward(i, direction: dir, degree: shDegree, restCount: restCount, g: gColor,
                                    rest: c.rest, gradDC: out.dc, gradRest: out.rest)
        var gMean = (gDir - dir * (dir * gDir).sum()) / dist

        // Conic Q = Σ'⁻¹: dL/dΣ' = −Q·(dL/dQ)·Q with dL/dQ = [[gA, gB/2], [gB/2, gC]].
        let hA = g.2, hB = 0.5 * g.3, hC = g.4
        // X = (dL/dQ)·Q
        let x00 = hA * qA + hB * qB, x01 = hA * qB + hB * qC
        let x10 = hB * qA + hC * qB, x11 = hB * qB + hC * qC
        var s00 = -(qA * x00 + qB * x10)
        var s01 = -(qA * x01 + qB * x11)
        var s11 = -(qB * x01 + qC * x11)
        if antialiased {
            // ρ depends on Σ2D too (the low-pass adds a constant, so dΣ'/dΣ2D = I for both terms).
            let gc = AntialiasFilter.covarianceGradient(dLdRho: dLdRho, rhoSquared: rhoSquared, conic: (qA, qB, qC),
                                                        invBlurredDet: invDet)
            s00 += gc.0; s01 += gc.1; s11 += gc.2
        }
        // Σ2D = T·Σ·Tᵀ: dL/dΣ = Tᵀ·G·T, dL/dT = 2·G·T·Σ with G = [[s00, s01], [s01, s11]].
        let t0 = ewa.t0, t1 = ewa.t1
        let gt0 = s00 * t0 + s01 * t1, gt1 = s01 * t0 + s11 * t1   // rows of G·T
        // (G·T·Σ) rows: (G·T)row · Σ = Σ·(G·T)rowᵀ since Σ is symmetric.
        let dT0 = 2 * EWAJacobian.mul(cov.sigma, gt0), dT1 = 2 * EWAJacobian.mul(cov.sigma, gt1)
        // dL/dΣ (symmetric, full-matrix convention) = Σ_r (G·T)row_r ⊗ T_r
        let d0 = t0.x * gt0 + t1.x * gt1
        let d1 = t0.y * gt0 + t1.y * gt1
        let d2 = t0.z * gt0 + t1.z * gt1
        // Rows of dL/dΣ are d0, d1, d2 (symmetric).

        // T = J·W → J entries → camera-space point.
        let r = view.r
        let w0 = SIMD3(r.0, r.1, r.2), w1 = SIMD3(r.3, r.4, r.5), w2 = SIMD3(r.6, r.7, r.8)
        let gj00 = (dT0 * w0).sum(), gj02 = (dT0 * w2).sum()
        let gj11 = (dT1 * w1).sum(), gj12 = (dT1 * w2).sum()
        let z = ewa.z, z2 = z * z, z3 = z2 * z
        var gp = SIMD3<Float>.zero
        if flags & ClampFlag.jacobianX == 0 { gp.x += gj02 * (-view.fx / z2) }
        if flags & ClampFlag.jacobianY == 0 { gp.y += gj12 * (-view.fy / z2) }
        gp.z += gj00 * (-view.fx / z2) + gj02 * (2 * view.fx * ewa.tx / z3)
            + gj11 * (-view.fy / z2) + gj12 * (2 * view.fy * ewa.ty / z3)
        // Projected mean u = fx·x/z + cx − ½, v likewise.
        let gu = g.0, gv = g.1
        gp.x += gu * view.fx / z
        gp.y += gv * view.fy / z
        gp.z += -gu * view.fx * p.x / z2 - gv * view.fy * p.y / z2
        gMean += view.toWorldDirection(gp)
        out.means[i * 3] = gMean.x; out.means[i * 3 + 1] = gMean.y; out.means[i * 3 + 2] = gMean.z

        // Σ = M·Mᵀ, M = R·diag(s): dL/dM = 2·(dL/dΣ)·M.
        let s = cov.scale
        let m0 = cov.rot.0 * s, m1 = cov.rot.1 * s, m2 = cov.rot.2 * s   // rows of M
        // (dL/dΣ · M) row i = Σ_k dΣ[i][k] · M row k
        let gm0 = 2 * (d0.x * m0 + d0.y * m1 + d0.z * m2)
        let gm1 = 2 * (d1.x * m0 + d1.y * m1 + d1.z * m2)
        let gm2 = 2 * (d2.x * m0 + d2.y * m1 + d2.z * m2)
        let gScale = gm0 * cov.rot.0 + gm1 * cov.rot.1 + gm2 * cov.rot.2
        let gLog = gScale * s
        out.logScales[i * 3] = gLog.x; out.logScales[i * 3 + 1] = gLog.y; out.logScales[i * 3 + 2] = gLog.z
        // dL/dR = dL/dM · diag(s)
        let gr0 = gm0 * s, gr1 = gm1 * s, gr2 = gm2 * s
        let (qw, qx, qy, qz) = (cov.qn[0], cov.qn[1], cov.qn[2], cov.qn[3])
        var gq = SIMD4<Float>(
            2 * (-qz * gr0.y + qy * gr0.z + qz * gr1.x - qx * gr1.z - qy * gr2.x + qx * gr2.y),
            2 * (qy * gr0.y + qz * gr0.z + qy * gr1.x - 2 * qx * gr1.y - qw * gr1.z + qz * gr2.x + qw * gr2.y - 2 * qx * gr2.z),
            2 * (-2 * qy * gr0.x + qx * gr0.y + qw * gr0.z + qx * gr1.x + qz * gr1.z - qw * gr2.x + qz * gr2.y - 2 * qy * gr2.z),
            2 * (-2 * qz * gr0.x - qw * gr0.y + qx * gr0.z + qw * gr1.x - 2 * qz * gr1.y + qy * gr1.z + qx * gr2.x + qy * gr2.y))
        // Through the normalisation q̂ = q/|q|: (I − q̂q̂ᵀ)/|q|.
        gq = (gq - cov.qn * (gq * cov.qn).sum()) / cov.qNorm
        for k in 0..<4 { out.rotations[i * 4 + k] = gq[k] }
    }
}
