import SplatCore

/// Pixel-format and size operations on 8-bit images, done once per image at load time.
public enum ImageOps {
    /// Largest area-downscale factor: block sums must stay below 2^24 for the exact division.
    public static let maxDownscale = 256

    /// Integer-factor area average: each output pixel is the rounded mean of a factor x factor
    /// block; a partial last row/column of blocks is dropped (sizes round down), matching
    /// `CameraIntrinsics.downscaled(by:)`. All channels, alpha included, are averaged.
    public static func downscaleArea(_ image: Image8, by factor: Int) -> Image8 {
        precondition(factor >= 1 && factor <= maxDownscale)
        if factor == 1 { return image }
        let ow = max(1, image.width / factor), oh = max(1, image.height / factor)
        let fw = min(factor, image.width), fh = min(factor, image.height)  // blocks for images smaller than factor
        let ch = image.channels, n = fw * fh
        var out = [UInt8](repeating: 0, count: ow * oh * ch)
        var sums = [UInt32](repeating: 0, count: ow * ch)  // one output row of block sums
        image.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                sums.withUnsafeMutableBufferPointer { acc in
                    let rowLength = ow * ch
                    // Exact division by n as a multiply and shift: for sums below 2^24 the error
                    // of the rounded-up reciprocal stays under 1/n, so the quotient is exact.
                    let magic = (UInt64(1) << 48) / UInt64(n) + 1, half = UInt64(n / 2)
                    for oy in 0..<oh {
                        for k in 0..<rowLength { acc[k] = 0 }
                        for y in (oy * fh)..<(oy * fh + fh) {
                            let row = src.baseAddress! + y * image.width * ch
                            if ch == 3 {  // the common case, with the channel loop unrolled
                                for ox in 0..<ow {
                                    var r: UInt32 = 0, g: UInt32 = 0, b: UInt32 = 0
                                    let p = row + ox * fw * 3
                                    for x in 0..<fw {
                                        r &+= UInt32(p[3 * x]); g &+= UInt32(p[3 * x + 1]); b &+= UInt32(p[3 * x + 2])
                                    }
                                    acc[3 * ox] &+= r; acc[3 * ox + 1] &+= g; acc[3 * ox + 2] &+= b
                                }
                            } else {
                                for ox in 0..<ow {
                                    let p = row + ox * fw * ch
                                    for x in 0..<fw { for c in 0..<ch { acc[ox * ch + c] &+= UInt32(p[x * ch + c]) } }
                                }
                            }
                        }
                        let orow = oy * rowLength
                        for k in 0..<rowLength {
                            dst[orow + k] = UInt8(truncatingIfNeeded: ((UInt64(acc[k]) &+ half) &* magic) >> 48)
                        }
                    }
                }
            }
        }
        return Image8(width: ow, height: oh, channels: ch, pixels: out)
    }

    /// Any channel layout to RGB: gray is replicated; an alpha channel is composited on
    /// `background` (RGB in [0, 1]) as out = rgb·a + bg·(1−a), rounded to nearest.
    public static func toRGB(_ image: Image8, background: SIMD3<Float>) -> Image8 {
        let ch = image.channels
        if ch == 3 { return image }
        let count = image.width * image.height
        let bg = background.clamped(lowerBound: .zero, upperBound: .one) * 255
        var out = [UInt8](repeating: 0, count: count * 3)
        let bgInt = SIMD3<UInt32>(UInt32(bg.x.rounded()), UInt32(bg.y.rounded()), UInt32(bg.z.rounded()))
        if ch == 4 && SIMD3<Float>(Float(bgInt.x), Float(bgInt.y), Float(bgInt.z)) == bg {
            // Integer background (black, white, ...): (c·a + B·(255−a)) / 255 rounded, in integers.
            // x/255 is never exactly half-way, so this equals the Double formula below.
            image.pixels.withUnsafeBufferPointer { src in
                out.withUnsafeMutableBufferPointer { dst in
                    for i in 0..<count {
                        let a = UInt32(src[4 * i + 3]), na = 255 &- a
                        dst[3 * i] = UInt8(truncatingIfNeeded: (UInt32(src[4 * i]) &* a &+ bgInt.x &* na &+ 127) / 255)
                        dst[3 * i + 1] = UInt8(truncatingIfNeeded: (UInt32(src[4 * i + 1]) &* a &+ bgInt.y &* na &+ 127) / 255)
                        dst[3 * i + 2] = UInt8(truncatingIfNeeded: (UInt32(src[4 * i + 2]) &* a &+ bgInt.z &* na &+ 127) / 255)
                    }
                }
            }
            return Image8(width: image.width, height: image.height, channels: 3, pixels: out)
        }
        // General case (gray, gray+alpha, fractional backgrounds) in Double, rounded half away
        // from zero: the same formula and rounding the fast path reproduces exactly.
        let bgD = SIMD3<Double>(Double(background.x), Double(background.y), Double(background.z))
            .clamped(lowerBound: .zero, upperBound: .one) * 255
        image.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for i in 0..<count {
                    let rgb: SIMD3<Double>, alpha: Double
                    switch ch {
                    case 1: rgb = SIMD3(repeating: Double(src[i])); alpha = 255
                    case 2: rgb = SIMD3(repeating: Double(src[2 * i])); alpha = Double(src[2 * i + 1])
                    default: rgb = SIMD3(Double(src[4 * i]), Double(src[4 * i + 1]), Double(src[4 * i + 2])); alpha = Double(src[4 * i + 3])
                    }
                    let a = alpha / 255
                    let v = (rgb * a + bgD * (1 - a)).rounded(.toNearestOrAwayFromZero)
                    dst[3 * i] = UInt8(v.x); dst[3 * i + 1] = UInt8(v.y); dst[3 * i + 2] = UInt8(v.z)
                }
            }
        }
        return Image8(width: image.width, height: image.height, channels: 3, pixels: out)
    }
}
