import SplatCore

/// Pixels a mask weights down give proportionally less loss (docs/config.md, `masks`). Before
/// the loss the render is blended towards the target, r' = w·r + (1 − w)·t with w = mask/255,
/// so where w = 0 neither L1 nor SSIM sees a difference; after it the gradient is multiplied
/// by w, the chain rule of that blend. Unmasked views skip both steps.
enum LossMask {
    /// `target` is the 8-bit photo (value/255), as the trainer caches it.
    static func blend(_ rendered: inout [Float], target: [UInt8], mask: Image8) {
        precondition(mask.channels == 1 && rendered.count == 3 * mask.pixels.count && target.count == rendered.count)
        mask.pixels.withUnsafeBufferPointer { m in
            target.withUnsafeBufferPointer { t in
                rendered.withUnsafeMutableBufferPointer { r in
                    for p in 0..<m.count where m[p] != 255 {
                        let w = Float(m[p]) * (1 / 255)
                        for c in 3 * p..<(3 * p + 3) { r[c] = w * r[c] + (1 - w) * (Float(t[c]) * (1 / 255)) }
                    }
                }
            }
        }
    }

    static func gate(_ gradient: inout [Float], mask: Image8) {
        precondition(gradient.count == 3 * mask.pixels.count)
        mask.pixels.withUnsafeBufferPointer { m in
            gradient.withUnsafeMutableBufferPointer { g in
                for p in 0..<m.count where m[p] != 255 {
                    let w = Float(m[p]) * (1 / 255)
                    for c in 3 * p..<(3 * p + 3) { g[c] *= w }
                }
            }
        }
    }
}
