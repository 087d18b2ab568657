/// An 8-bit image with interleaved channels (1 gray, 2 gray+alpha, 3 RGB or 4 RGBA), rows top to
/// bottom. Training views are cached in this form (a quarter of the memory of Float); the
/// training loss reads them as bytes (SplatTrain's PhotometricLoss).
public struct Image8: Equatable, Sendable {
    public var width: Int
    public var height: Int
    public var channels: Int
    public var pixels: [UInt8]  // [height][width][channels]

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0 && (1...4).contains(channels))
        precondition(pixels.count == width * height * channels)
        self.width = width; self.height = height; self.channels = channels; self.pixels = pixels
    }

    public init(width: Int, height: Int, channels: Int) {
        self.init(width: width, height: height, channels: channels,
                  pixels: [UInt8](repeating: 0, count: width * height * channels))
    }

    public var hasAlpha: Bool { channels == 2 || channels == 4 }
}

/// A Float RGB image in [0, 1] (renders may exceed 1 before clamping), interleaved [H][W][3].
public struct ImageF: Equatable, Sendable {
    public var width: Int
    public var height: Int
    public var pixels: [Float]

    public init(width: Int, height: Int, pixels: [Float]) {
        precondition(pixels.count == width * height * 3)
        self.width = width; self.height = height; self.pixels = pixels
    }

    public init(width: Int, height: Int, fill: Float = 0) {
        self.init(width: width, height: height, pixels: [Float](repeating: fill, count: width * height * 3))
    }

    /// From an 8-bit RGB image (3 channels), v / 255.
    public init(_ image: Image8) {
        precondition(image.channels == 3, "convert to RGB first")
        self.init(width: image.width, height: image.height, pixels: image.pixels.map { Float($0) * (1 / 255) })
    }

    /// To 8-bit RGB, clamped to [0, 1] and rounded to nearest.
    public func toImage8() -> Image8 {
        Image8(width: width, height: height, channels: 3,
               pixels: pixels.map { UInt8((min(max($0, 0), 1) * 255).rounded()) })
    }
}
