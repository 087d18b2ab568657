/// e^x for x ≤ 0 without a libm call, so the blending loops vectorize (docs/performance.md). The
/// blend kernels (CBlend's `exp_nonpos`) evaluate this polynomial lane-wise, with the Horner steps
/// as fused multiply-adds (so they can differ from this function in the last bit).
/// 2^t with t = x·log2(e) clamped to [−125, 0]: the integer part goes into the exponent bits, the
/// fractional part in [−½, ½] through a degree-6 Taylor polynomial (relative error ≈ 1e-7).
/// Inputs below −86 return ≈ 2e-38 instead of 0, which every caller treats as zero.
@inline(__always)
func fastExpNonPositive(_ x: Float) -> Float {
    let t = min(max(x * 1.442_695_04, -125), 0)
    // Adding 1.5·2^23 rounds t to an integer held in the low mantissa bits; no Float→Int trap.
    let magic: Float = 12_582_912
    let shifted = t + magic
    let n = shifted - magic
    let l = (t - n) * 0.693_147_18
    let p = 1 + l * (1 + l * (0.5 + l * (0.166_666_67 + l * (0.041_666_668 + l * (0.008_333_334 + l * 0.001_388_889)))))
    let exponent = (shifted.bitPattern &- magic.bitPattern) &<< 23
    return Float(bitPattern: p.bitPattern &+ exponent)
}
