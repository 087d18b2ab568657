import Foundation
import Testing
@testable import SplatIO
import SplatCore

/// The decoders against files written by Pillow (scripts/make_image_fixtures.py).
@Suite struct ImageCodecTests {
    /// Channel c of pixel (x, y) in the PNG fixtures, as the fixture script writes it.
    static func pattern(_ x: Int, _ y: Int, _ c: Int) -> UInt8 { UInt8((x * 37 + y * 11 + c * 71) % 256) }
    static let w = 7, h = 5

    func decode(_ name: String) throws -> Image8 { try ImageCodec.decode(path: FixturePaths.path("images/" + name)) }

    @Test(arguments: [("rgb8.png", 3), ("rgba8.png", 4), ("gray8.png", 1), ("gray_alpha8.png", 2), ("rgb8_interlaced.png", 3)])
    func eightBitPNGsDecodeToTheirExactPixels(name: String, channels: Int) throws {
        let img = try decode(name)
        #expect(img.width == Self.w && img.height == Self.h && img.channels == channels)
        for y in 0..<Self.h { for x in 0..<Self.w { for c in 0..<channels {
            #expect(img.pixels[(y * Self.w + x) * channels + c] == Self.pattern(x, y, c))
        } } }
    }

    /// 16-bit samples v are scaled to round(v * 255 / 65535).
    @Test(arguments: [("rgb16.png", 3), ("rgba16.png", 4)])
    func sixteenBitColourPNGsScaleWithRounding(name: String, channels: Int) throws {
        let img = try decode(name)
        #expect(img.channels == channels && img.width == Self.w)
        for y in 0..<Self.h { for x in 0..<Self.w { for c in 0..<channels {
            let v = min(Int(Self.pattern(x, y, c)) * 257 + x * 3 + y, 65535)
            let expected = UInt8((Double(v) * 255 / 65535).rounded())
            #expect(img.pixels[(y * Self.w + x) * channels + c] == expected)
        } } }
    }

    @Test func sixteenBitGrayPNGScalesWithRounding() throws {
        let img = try decode("gray16.png")
        #expect(img.channels == 1)
        for y in 0..<Self.h { for x in 0..<Self.w {
            let v = Int(Self.pattern(x, y, 0)) * 257 + x
            #expect(img.pixels[y * Self.w + x] == UInt8((Double(v) * 255 / 65535).rounded()))
        } }
    }

    static let palette: [[UInt8]] = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [10, 20, 30]]

    @Test func palettePNGExpandsToRGB() throws {
        let img = try decode("palette.png")
        #expect(img.channels == 3)
        for y in 0..<Self.h { for x in 0..<Self.w {
            let i = (y * Self.w + x) * 3
            #expect(Array(img.pixels[i..<i + 3]) == Self.palette[(x + y) % 4])
        } }
    }

    @Test func paletteWithTRNSExpandsToRGBA() throws {
        let img = try decode("palette_trns.png")
        let alpha: [UInt8] = [255, 0, 128, 255]
        #expect(img.channels == 4)
        for y in 0..<Self.h { for x in 0..<Self.w {
            let i = (y * Self.w + x) * 4, k = (x + y) % 4
            #expect(Array(img.pixels[i..<i + 4]) == Self.palette[k] + [alpha[k]])
        } }
    }

    @Test func oneBitGrayExpandsToEightBit() throws {
        let img = try decode("gray1.png")
        #expect(img.channels == 1)
        for y in 0..<Self.h { for x in 0..<Self.w {
            #expect(img.pixels[y * Self.w + x] == ((x + y) % 2 == 1 ? 255 : 0))
        } }
    }

    /// JPEGs decode like Pillow's decoder (same IDCT family: allow 1 level) and near the flat
    /// block colours that were encoded (quality 95, full chroma: allow 6 levels; 4:2:0 chroma
    /// smears colour across 8-pixel block edges, so only the luma-dominated bound applies there).
    @Test(arguments: [("baseline.jpg", 3, 6), ("progressive.jpg", 3, 6), ("gray.jpg", 1, 6), ("subsampled.jpg", 3, 100)])
    func jpegsDecodeLikePillowAndNearTheEncodedColours(name: String, channels: Int, truthTolerance: Int) throws {
        let img = try decode(name)
        #expect(img.width == 32 && img.height == 24 && img.channels == channels)
        let expected = [UInt8](try Data(contentsOf: URL(fileURLWithPath: FixturePaths.path("images/\(name).expected.bin"))))
        #expect(expected.count == img.pixels.count)
        var maxPillowDiff = 0, maxTruthDiff = 0
        for y in 0..<24 { for x in 0..<32 {
            let block = x / 8 + 4 * (y / 8)
            let truth = [(block * 20) % 256, (255 - block * 15 + 256) % 256, (block * 50 + 30) % 256]
            for c in 0..<channels {
                let i = (y * 32 + x) * channels + c
                maxPillowDiff = max(maxPillowDiff, abs(Int(img.pixels[i]) - Int(expected[i])))
                let t = channels == 1 ? truth[1] : truth[c]
                maxTruthDiff = max(maxTruthDiff, abs(Int(img.pixels[i]) - t))
            }
        } }
        #expect(maxPillowDiff <= 1)
        #expect(maxTruthDiff <= truthTolerance)
    }

    @Test(arguments: [1, 2, 3, 4])
    func pngEncodeThenDecodeRoundTrips(channels: Int) throws {
        var rng = SystemRandomNumberGenerator()
        let img = Image8(width: 13, height: 9, channels: channels,
                         pixels: (0..<(13 * 9 * channels)).map { _ in UInt8.random(in: 0...255, using: &rng) })
        let data = try ImageCodec.encodePNG(img)
        #expect(ImageCodec.format(of: data) == .png)
        #expect(try ImageCodec.decode(data: data, name: "mem") == img)
    }

    @Test func writePNGIsAtomicAndReadable() throws {
        let dir = try FixturePaths.makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let img = Image8(width: 2, height: 1, channels: 3, pixels: [1, 2, 3, 250, 251, 252])
        try ImageCodec.writePNG(img, to: dir + "/a.png")
        #expect(try ImageCodec.decode(path: dir + "/a.png") == img)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["a.png"])
    }

    @Test(arguments: ["truncated.png", "truncated.jpg", "garbage.png", "garbage.jpg", "notanimage.png", "huge.png"])
    func corruptImagesGiveOneLineErrorsNamingTheFile(name: String) {
        let path = FixturePaths.path("images/" + name)
        #expect {
            _ = try ImageCodec.decode(path: path)
        } throws: { error in
            let text = String(describing: error)
            return text.hasPrefix(path + ": ") && !text.contains("\n")
        }
    }

    /// Every prefix of a valid file is rejected, never crashes, never decodes silently.
    @Test(arguments: ["rgb8.png", "baseline.jpg", "progressive.jpg"])
    func everyTruncationOfAValidFileIsAnError(name: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: FixturePaths.path("images/" + name)))
        for cut in stride(from: 0, to: data.count, by: 3) {
            #expect(throws: InputError.self) { _ = try ImageCodec.decode(data: data.prefix(cut), name: "x") }
        }
    }

    @Test func formatComesFromMagicBytesNotExtension() throws {
        let dir = try FixturePaths.makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let jpeg = try Data(contentsOf: URL(fileURLWithPath: FixturePaths.path("images/baseline.jpg")))
        try jpeg.write(to: URL(fileURLWithPath: dir + "/photo.png"))
        #expect(try ImageCodec.decode(path: dir + "/photo.png").channels == 3)
    }

    @Test func headerSizeMatchesDecodedSize() throws {
        for name in ["rgb8.png", "gray16.png", "baseline.jpg", "progressive.jpg", "gray.jpg"] {
            let path = FixturePaths.path("images/" + name)
            let size = try ImageCodec.readSize(path: path)
            let img = try ImageCodec.decode(path: path)
            #expect(size.width == img.width && size.height == img.height)
        }
    }

    @Test func cmykJPEGIsRefusedWithAClearMessage() {
        let path = FixturePaths.path("images/cmyk.jpg")
        #expect(throws: InputError(path, "cannot decode jpeg: JPEG: 4 colour components (CMYK?) are not supported")) {
            _ = try ImageCodec.decode(path: path)
        }
    }

    @Test func missingFileSaysNotFound() {
        #expect(throws: InputError("/no/such/file.png", "file not found")) { _ = try ImageCodec.decode(path: "/no/such/file.png") }
    }
}
