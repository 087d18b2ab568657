import SplatCore

/// Gaussians for the parts of a reference view that no kept match covers: textureless walls
/// and ceilings, repetitive lockers, anything the matcher is unsure of (docs/init.md, "Filling
/// what the matcher misses"). Without them those regions render as background until training
/// grows Gaussians into them, which it does slowly without densification (classroom, 20
/// references: 9.4 dB untrained with black holes over walls and ceiling).
///
/// The reference image is cut into square cells. A cell holding kept points knows its depth
/// (their median view depth). Every other cell takes the depth of the nearest known cell
/// (breadth-first over the grid, 8-neighbourhood: a wall is continuous with what borders it)
/// and gets one Gaussian on its centre ray at that depth, coloured with the cell's mean colour.
/// Training then moves or prunes what the guess got wrong.
enum CoverageFill {
    struct Seed: Equatable {
        var position: SIMD3<Double>
        var colour: SIMD3<Float>   // RGB in [0, 1]
        /// Size (σ) in reference pixels: half a cell, so neighbouring seeds overlap into an even cover.
        var scalePixels: Float
    }

    /// Seeds for the cells of `camera`'s image not covered by `kept` (points with the reference
    /// pixel they came from, pixel convention of `Camera.project`). `cellsAlongLongSide` sets
    /// the grid; nothing is filled when fewer than `minKnownFraction` of the cells are known
    /// (too little to guess depths from).
    static func seeds(camera: Camera, image: Image8, kept: [(pixel: SIMD2<Float>, position: SIMD3<Double>)],
                      cellsAlongLongSide: Int, minKnownFraction: Double = 0.02) -> [Seed] {
        precondition(image.width == camera.width && image.height == camera.height && image.channels == 3)
        let w = camera.width, h = camera.height
        let cell = max(1, (max(w, h) + cellsAlongLongSide - 1) / cellsAlongLongSide)
        let gw = (w + cell - 1) / cell, gh = (h + cell - 1) / cell
        var depths = [[Double]](repeating: [], count: gw * gh)
        for k in kept {
            let gx = min(max(Int(k.pixel.x) / cell, 0), gw - 1), gy = min(max(Int(k.pixel.y) / cell, 0), gh - 1)
            let z = camera.pose.apply(k.position).z
            if z > 0 { depths[gy * gw + gx].append(z) }
        }
        // Known cells: median depth; the queue starts from them in index order (deterministic).
        var depth = [Double](repeating: 0, count: gw * gh)
        var known = [Bool](repeating: false, count: gw * gh)
        var queue = [Int]()
        for i in 0..<(gw * gh) where !depths[i].isEmpty {
            let d = depths[i].sorted()
            depth[i] = d[d.count / 2]; known[i] = true; queue.append(i)
        }
        guard Double(queue.count) >= minKnownFraction * Double(gw * gh), queue.count < gw * gh else { return [] }
        var reached = known
        var head = 0
        while head < queue.count {
            let i = queue[head]; head += 1
            let x = i % gw, y = i / gw
            for dy in -1...1 { for dx in -1...1 where dx != 0 || dy != 0 {
                let nx = x + dx, ny = y + dy
                guard nx >= 0, nx < gw, ny >= 0, ny < gh else { continue }
                let j = ny * gw + nx
                if !reached[j] { reached[j] = true; depth[j] = depth[i]; queue.append(j) }
            } }
        }
        let rotationT = camera.pose.rotation.transposed, t = camera.pose.translation, k = camera.intrinsics
        var seeds = [Seed]()
        for i in 0..<(gw * gh) where !known[i] {
            let x0 = (i % gw) * cell, y0 = (i / gw) * cell
            let x1 = min(x0 + cell, w), y1 = min(y0 + cell, h)
            var sum = SIMD3<Float>(repeating: 0)
            for y in y0..<y1 { for x in x0..<x1 {
                let o = (y * w + x) * 3
                sum += SIMD3(Float(image.pixels[o]), Float(image.pixels[o + 1]), Float(image.pixels[o + 2]))
            } }
            let colour = sum / Float((x1 - x0) * (y1 - y0) * 255)
            // Cell centre in the pixel convention of `Camera.project` (pixel (0,0) spans [0, 1)).
            let u = Double(x0 + x1) / 2, v = Double(y0 + y1) / 2, z = depth[i]
            let inCamera = SIMD3(z * (u - k.cx) / k.fx, z * (v - k.cy) / k.fy, z)
            seeds.append(Seed(position: rotationT * (inCamera - t), colour: colour, scalePixels: Float(cell) / 2))
        }
        return seeds
    }
}
