import SplatCore

/// Resamples a distorted RGB image into a pinhole camera, like COLMAP's image_undistorter: for
/// every output pixel centre, unproject with the pinhole intrinsics, apply the lens distortion,
/// project with the source intrinsics, and sample the source bilinearly. Samples that fall
/// outside the source are clamped to its border (no black bands to train on).
enum Undistortion {
    static func resample(_ source: Image8, distortion: LensDistortion, into pinhole: CameraIntrinsics) -> Image8 {
        precondition(source.channels == 3)
        let s = distortion.source
        // The file may be a pre-downscaled copy (images_N): scale the source intrinsics to it.
        let sx = Double(source.width) / Double(s.width), sy = Double(source.height) / Double(s.height)
        let sfx = s.fx * sx, sfy = s.fy * sy, scx = s.cx * sx, scy = s.cy * sy
        let ow = pinhole.width, oh = pinhole.height, sw = source.width, sh = source.height
        var out = [UInt8](repeating: 0, count: ow * oh * 3)
        source.pixels.withUnsafeBufferPointer { srcBuffer in
            out.withUnsafeMutableBufferPointer { dst in
                // Rows are disjoint, so workers never write the same bytes.
                let dstBase = dst.baseAddress!, src = srcBuffer
                Parallel.forEach(oh) { y in
                    let row = dstBase + y * ow * 3
                    let ny = (Double(y) + 0.5 - pinhole.cy) / pinhole.fy
                    for x in 0..<ow {
                        let nx = (Double(x) + 0.5 - pinhole.cx) / pinhole.fx
                        let (dx, dy) = distortion.distort(nx, ny)
                        // Continuous source position in "pixel index" units (centre of pixel 0 at 0).
                        // Clamp to the border; a non-finite position (wild coefficients) takes pixel 0.
                        let ru = sfx * dx + scx - 0.5, rv = sfy * dy + scy - 0.5
                        let u = ru.isFinite ? min(max(ru, 0), Double(sw - 1)) : 0
                        let v = rv.isFinite ? min(max(rv, 0), Double(sh - 1)) : 0
                        let x0 = Int(u), y0 = Int(v)
                        let x1 = min(x0 + 1, sw - 1), y1 = min(y0 + 1, sh - 1)
                        let fx = u - Double(x0), fy = v - Double(y0)
                        for c in 0..<3 {
                            let p00 = Double(src[(y0 * sw + x0) * 3 + c]), p10 = Double(src[(y0 * sw + x1) * 3 + c])
                            let p01 = Double(src[(y1 * sw + x0) * 3 + c]), p11 = Double(src[(y1 * sw + x1) * 3 + c])
                            let top = p00 + (p10 - p00) * fx, bottom = p01 + (p11 - p01) * fx
                            row[x * 3 + c] = UInt8(min(max(top + (bottom - top) * fy + 0.5, 0), 255))
                        }
                    }
                }
            }
        }
        return Image8(width: ow, height: oh, channels: 3, pixels: out)
    }
}
