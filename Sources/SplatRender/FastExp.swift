/// e^x for x ≤ 0 without a libm call, so the blending loops vectorize (docs/performance.md).
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

/// Eight pixels of a tile row, the unit the blend loops work in (one AVX2 register).
typealias Lanes = SIMD8<Float>

/// `fastExpNonPositive` on eight lanes. Written with `replacing(with:where:)` instead of
/// `pointwiseMin`/`pointwiseMax`, which are generic calls here and split the vector in two.
@inline(__always)
func fastExpNonPositive(_ x: Lanes) -> Lanes {
    var t = x * 1.442_695_04
    t = t.replacing(with: -125, where: t .< -125)
    t = t.replacing(with: 0, where: t .> 0)
    let magic = Lanes(repeating: 12_582_912)
    let shifted = t + magic
    let n = shifted - magic
    let l = (t - n) * 0.693_147_18
    // Horner steps one per line: the type checker gives up on the one-line SIMD expression.
    var p = l * 0.001_388_889 + 0.008_333_334
    p = p * l + 0.041_666_668
    p = p * l + 0.166_666_67
    p = p * l + 0.5
    p = p * l + 1
    p = p * l + 1
    let exponent = (unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- unsafeBitCast(magic, to: SIMD8<Int32>.self)) &<< 23
    return unsafeBitCast(unsafeBitCast(p, to: SIMD8<Int32>.self) &+ exponent, to: Lanes.self)
}

extension UnsafeMutablePointer where Pointee == Float {
    /// The eight floats starting here (no alignment needed).
    @inline(__always) func lanes() -> Lanes { UnsafeRawPointer(self).loadUnaligned(as: Lanes.self) }
    @inline(__always) func setLanes(_ v: Lanes) { UnsafeMutableRawPointer(self).storeBytes(of: v, as: Lanes.self) }
}

extension UnsafeMutablePointer where Pointee == Int32 {
    @inline(__always) func lanes() -> SIMD8<Int32> { UnsafeRawPointer(self).loadUnaligned(as: SIMD8<Int32>.self) }
    @inline(__always) func setLanes(_ v: SIMD8<Int32>) { UnsafeMutableRawPointer(self).storeBytes(of: v, as: SIMD8<Int32>.self) }
}
