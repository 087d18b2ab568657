import SplatCore

/// A grey Float image used by the matcher: luminance of an RGB Image8 in [0, 1], area-averaged
/// over factor x factor blocks (pixel (i, j) covers source pixels [f·i, f·i + f)). Matching at a
/// reduced size is what keeps the plane sweep within the time budget.
struct MatchImage {
    var width: Int
    var height: Int
    var pixels: [Float]  // [height * width]
    /// Source pixels per matcher pixel along each axis: x_source = factor · x_match.
    var factor: Int

    init(_ image: Image8, factor: Int) {
        precondition(factor >= 1 && image.channels >= 3)
        let w = image.width / factor, h = image.height / factor
        width = w; height = h; self.factor = factor
        var out = [Float](repeating: 0, count: w * h)
        let ch = image.channels, sw = image.width
        let norm = 1 / (255 * Float(factor * factor))
        image.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<h {
                    for x in 0..<w {
                        var s: Float = 0
                        for dy in 0..<factor {
                            var o = ((y * factor + dy) * sw + x * factor) * ch
                            for _ in 0..<factor {
                                // Rec. 601 luma weights.
                                s += 0.299 * Float(src[o]) + 0.587 * Float(src[o + 1]) + 0.114 * Float(src[o + 2])
                                o += ch
                            }
                        }
                        dst[y * w + x] = s * norm
                    }
                }
            }
        }
        pixels = out
    }
}

/// Window sums of a W x H image over (2r+1)^2 windows, separable (horizontal then vertical).
/// Only windows fully inside the image are computed; other outputs are set to NaN so that
/// they can never win a comparison downstream.
@inline(__always)
func boxSum(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ tmp: UnsafeMutablePointer<Float>,
            width w: Int, height h: Int, radius r: Int) {
    let n = w * h
    for i in 0..<n { dst[i] = .nan }
    guard w > 2 * r, h > 2 * r else { return }
    // Loops are ordered (tap outer, pixel inner) so the inner loop runs over contiguous
    // pixels and vectorizes (wrapping index arithmetic: an overflow check stops the vectorizer).
    for y in 0..<h {
        let row = src + y * w, out = tmp + y * w
        for x in r..<(w - r) { out[x] = row[x &- r] }
        for k in (1 - r)...r {
            for x in r..<(w - r) { out[x] += row[x &+ k] }
        }
    }
    for y in r..<(h - r) {
        let out = dst + y * w
        for x in r..<(w - r) { out[x] = 0 }
        for k in -r...r {
            let row = tmp + (y + k) * w
            for x in r..<(w - r) { out[x] += row[x] }
        }
    }
}
