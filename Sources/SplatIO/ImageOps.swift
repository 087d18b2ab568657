import SplatCore

/// Pixel-format and size operations on 8-bit images, done once per image at load time.
public enum ImageOps {
    /// Integer-factor area average: each output pixel is the rounded mean of a factor x factor
    /// block; a partial last row/column of blocks is dropped (sizes round down), matching
    /// `CameraIntrinsics.downscaled(by:)`. All channels, alpha included, are averaged.
    public static func downscaleArea(_ image: Image8, by factor: Int) -> Image8 {
        precondition(factor >= 1)
        if factor == 1 { return image }
        let ow = max(1, image.width / factor), oh = max(1, image.height / factor)
        let fw = min(factor, image.width), fh = min(factor, image.height)  // blocks for images smaller than factor
        let ch = image.channels, n = fw * fh
        var out = [UInt8](repeating: 0, count: ow * oh * ch)
        image.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                var sums = [Int](repeating: 0, count: ow * ch)
                for oy in 0..<oh {
                    for k in 0..<sums.count { sums[k] = 0 }
                    for y in (oy * fh)..<(oy * fh + fh) {
                        let row = y * image.width * ch
                        for ox in 0..<ow {
                            let base = row + ox * fw * ch
                            for x in 0..<fw { for c in 0..<ch { sums[ox * ch + c] += Int(src[base + x * ch + c]) } }
                        }
                    }
                    let orow = oy * ow * ch
                    for k in 0..<(ow * ch) { dst[orow + k] = UInt8((sums[k] + n / 2) / n) }
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
        image.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for i in 0..<count {
                    let rgb: SIMD3<Float>, alpha: Float
                    switch ch {
                    case 1: rgb = SIMD3(repeating: Float(src[i])); alpha = 255
                    case 2: rgb = SIMD3(repeating: Float(src[2 * i])); alpha = Float(src[2 * i + 1])
                    default: rgb = SIMD3(Float(src[4 * i]), Float(src[4 * i + 1]), Float(src[4 * i + 2])); alpha = Float(src[4 * i + 3])
                    }
                    let a = alpha / 255
                    let v = rgb * a + bg * (1 - a)
                    // v is in [0, 255]; +0.5 and truncation rounds to nearest.
                    dst[3 * i] = UInt8(v.x + 0.5); dst[3 * i + 1] = UInt8(v.y + 0.5); dst[3 * i + 2] = UInt8(v.z + 0.5)
                }
            }
        }
        return Image8(width: image.width, height: image.height, channels: 3, pixels: out)
    }
}
