import Foundation

/// The 3DGS SSIM window: an 11-tap Gaussian with σ = 1.5, normalised to sum 1. The 2D window is
/// its outer product, so filtering is done as a horizontal then a vertical 1D pass. Borders use
/// zero padding (PyTorch conv2d, padding = 5). The kernel is symmetric, so this filter is its own
/// transpose, which the SSIM gradient relies on.
struct GaussianFilter: Sendable {
    static let radius = 5
    let taps: [Float]

    init(sigma: Double = 1.5) {
        let r = Self.radius
        let raw = (0...(2 * r)).map { exp(-Double(($0 - r) * ($0 - r)) / (2 * sigma * sigma)) }
        let sum = raw.reduce(0, +)
        taps = raw.map { Float($0 / sum) }
    }

    /// Filters one W×H plane `src` into `dst`, using `scratch` (W×H) for the horizontal pass.
    func apply(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
               scratch: UnsafeMutablePointer<Float>, width w: Int, height h: Int) {
        let r = Self.radius
        taps.withUnsafeBufferPointer { k in
            // Horizontal: tap-outer, pixel-inner loops over the valid range vectorize cleanly
            // (wrapping index arithmetic: an overflow check per element stops the vectorizer).
            for y in 0..<h {
                let s = src + y * w, d = scratch + y * w
                d.update(repeating: 0, count: w)
                for t in 0...(2 * r) {
                    let off = t - r, wt = k[t]
                    let x0 = max(0, -off), x1 = min(w, w - off)
                    if x0 >= x1 { continue }
                    var x = x0
                    while x < x1 { d[x] += wt * s[x &+ off]; x &+= 1 }
                }
            }
            // Vertical, same shape over whole rows.
            for y in 0..<h {
                let d = dst + y * w
                d.update(repeating: 0, count: w)
                let t0 = max(0, r - y), t1 = min(2 * r, r + h - 1 - y)
                if t0 > t1 { continue }
                for t in t0...t1 {
                    let s = scratch + (y + t - r) * w, wt = k[t]
                    var x = 0
                    while x < w { d[x] += wt * s[x]; x &+= 1 }
                }
            }
        }
    }
}
