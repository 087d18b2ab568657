import SplatCore

extension SceneLoader {
    /// Loads the scene and, when its largest image side (after `options.downscale` or the
    /// images_N folder) exceeds `maxResolution`, loads it again with the downscale factor
    /// multiplied by the smallest integer that fits (so images_N folders are still used).
    /// 3DGS does the same above 1.6K px width (docs/config.md, `max_resolution`). Returns the
    /// one-line notice to print when it applied; 0 means no limit.
    public static func load(_ path: String, options: SceneLoadOptions, maxResolution: Int) throws -> (scene: Scene, notice: String?) {
        let scene = try load(path, options: options)
        guard maxResolution > 0, let largest = scene.cameras.max(by: { max($0.width, $0.height) < max($1.width, $1.height) }) else {
            return (scene, nil)
        }
        let side = max(largest.width, largest.height)
        guard side > maxResolution else { return (scene, nil) }
        // floor(floor(W/d)/k) = floor(W/(d·k)), so the extra factor can be found from the loaded size.
        let extra = (side + maxResolution - 1) / maxResolution
        var capped = options
        capped.downscale = options.downscale * extra
        guard capped.downscale <= ImageOps.maxDownscale else {
            throw InputError(path, "images of \(largest.width)x\(largest.height) need a downscale factor above \(ImageOps.maxDownscale) to fit max_resolution \(maxResolution)")
        }
        let reduced = try load(path, options: capped)
        let after = reduced.cameras.map { max($0.width, $0.height) }.max() ?? 0
        let shown = reduced.cameras.first { max($0.width, $0.height) == after }.map { "\($0.width)x\($0.height)" } ?? "?"
        let notice = "images up to \(largest.width)x\(largest.height) exceed max_resolution \(maxResolution): "
            + "downscaling by \(capped.downscale) to \(shown) (max_resolution: 0 or --max-resolution 0 keeps the full size)"
        return (reduced, notice)
    }
}
