import Testing
@testable import SplatIO
import SplatCore

@Suite struct ImageOpsTests {
    @Test func areaDownscaleAveragesBlocksWithRoundingAndDropsPartialBlocks() {
        // 5x3 gray, factor 2 -> 2x1; column 4 and row 2 are dropped.
        let img = Image8(width: 5, height: 3, channels: 1, pixels: [
            0, 1, 10, 20, 99,
            2, 4, 30, 41, 99,
            99, 99, 99, 99, 99])
        let out = ImageOps.downscaleArea(img, by: 2)
        #expect(out.width == 2 && out.height == 1)
        // (0+1+2+4)/4 = 1.75 -> 2; (10+20+30+41)/4 = 25.25 -> 25
        #expect(out.pixels == [2, 25])
    }

    @Test func areaDownscaleKeepsChannelsApart() {
        let img = Image8(width: 2, height: 2, channels: 3, pixels: [
            10, 0, 255, 20, 0, 255,
            30, 0, 255, 41, 1, 254])
        let out = ImageOps.downscaleArea(img, by: 2)
        #expect(out.pixels == [25, 0, 255])  // 101/4 = 25.25; 1/4 -> 0; 1019/4 = 254.75 -> 255
    }

    /// The fast path (unrolled RGB, multiply-shift division) against a plain reference.
    @Test(arguments: [1, 2, 3, 4])
    func areaDownscaleMatchesAPlainReference(channels: Int) {
        var rng = SystemRandomNumberGenerator()
        for factor in [2, 3, 4, 7, 16] {
            let w = 37, h = 23
            let img = Image8(width: w, height: h, channels: channels,
                             pixels: (0..<(w * h * channels)).map { _ in UInt8.random(in: 0...255, using: &rng) })
            let out = ImageOps.downscaleArea(img, by: factor)
            let ow = w / factor, oh = h / factor, n = factor * factor
            #expect(out.width == ow && out.height == oh)
            for oy in 0..<oh { for ox in 0..<ow { for c in 0..<channels {
                var sum = 0
                for y in 0..<factor { for x in 0..<factor { sum += Int(img.pixels[((oy * factor + y) * w + ox * factor + x) * channels + c]) } }
                #expect(out.pixels[(oy * ow + ox) * channels + c] == UInt8((sum + n / 2) / n))
            } } }
        }
    }

    @Test func areaDownscaleOfSaturatedBlocksAtTheLargestFactor() {
        let f = ImageOps.maxDownscale
        let img = Image8(width: f, height: f, channels: 1, pixels: [UInt8](repeating: 255, count: f * f))
        #expect(ImageOps.downscaleArea(img, by: f).pixels == [255])
    }

    @Test func areaDownscaleByOneIsIdentity() {
        let img = Image8(width: 3, height: 2, channels: 2, pixels: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
        #expect(ImageOps.downscaleArea(img, by: 1) == img)
    }

    @Test func rgbaCompositesOnBackgroundRounded() {
        let img = Image8(width: 3, height: 1, channels: 4, pixels: [
            200, 100, 0, 255,   // opaque: unchanged
            200, 100, 0, 0,     // transparent: background
            200, 100, 0, 128])  // half: 200·128/255 + 255·127/255 = 100.39 + 127 = 227.4 -> 227
        let white = ImageOps.toRGB(img, background: [1, 1, 1])
        #expect(white.channels == 3)
        #expect(white.pixels == [200, 100, 0, 255, 255, 255, 227, 177, 127])
        let black = ImageOps.toRGB(img, background: .zero)
        // 200·128/255 = 100.39 -> 100; 100·128/255 = 50.2 -> 50
        #expect(black.pixels == [200, 100, 0, 0, 0, 0, 100, 50, 0])
    }

    /// Every (colour, alpha) pair on white, black and a fractional grey, against the formula in Double.
    @Test(arguments: [Float(1), 0, 0.5, 0.3])
    func compositingIsRoundedFormulaForAllValues(background: Float) {
        var px = [UInt8]()
        for a in 0...255 { for c in 0...255 { px += [UInt8(c), UInt8(255 - c), UInt8(c / 2), UInt8(a)] } }
        let out = ImageOps.toRGB(Image8(width: 256, height: 256, channels: 4, pixels: px), background: SIMD3(repeating: background))
        var mismatches = 0
        for a in 0...255 { for c in 0...255 {
            let i = a * 256 + c, alpha = Double(a) / 255, bg = Double(background) * 255
            for (k, v) in [c, 255 - c, c / 2].enumerated() {
                let expected = (Double(v) * alpha + bg * (1 - alpha)).rounded()
                if Double(out.pixels[3 * i + k]) != expected { mismatches += 1 }
            }
        } }
        #expect(mismatches == 0)
    }

    @Test func grayAlphaCompositesAndGrayReplicates() {
        let ga = Image8(width: 2, height: 1, channels: 2, pixels: [51, 255, 51, 51])
        // 51·0.2 + 127.5·0.8 = 10.2 + 102 = 112.2 -> 112
        #expect(ImageOps.toRGB(ga, background: [0.5, 0.5, 0.5]).pixels == [51, 51, 51, 112, 112, 112])
        let g = Image8(width: 2, height: 1, channels: 1, pixels: [7, 250])
        #expect(ImageOps.toRGB(g, background: [1, 1, 1]).pixels == [7, 7, 7, 250, 250, 250])
    }

    @Test func rgbPassesThroughUnchanged() {
        let img = Image8(width: 1, height: 1, channels: 3, pixels: [1, 2, 3])
        #expect(ImageOps.toRGB(img, background: [1, 1, 1]) == img)
    }
}
