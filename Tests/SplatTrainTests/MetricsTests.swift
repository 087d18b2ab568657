import Foundation
import SplatCore
import Testing
@testable import SplatTrain

/// Test images with structure at several scales (smooth ramps, an edge, noise), deterministic.
func structuredImage(width w: Int, height h: Int, seed: UInt64, noise: Float = 0.05) -> ImageF {
    var rng = SplatRandom(seed: seed)
    var img = ImageF(width: w, height: h)
    let phase = Float(seed % 7)
    for y in 0..<h {
        for x in 0..<w {
            for c in 0..<3 {
                var v = 0.5 + 0.3 * sinf(Float(x) * 0.31 + Float(c) + phase) * cosf(Float(y) * 0.23 - phase)
                if x > w / 2 && y < h / 2 { v += 0.25 }
                v += noise * (rng.nextFloat() - 0.5)
                img.pixels[(y * w + x) * 3 + c] = v
            }
        }
    }
    return img
}

/// Straightforward Double SSIM of the 3DGS definition: full 2D window, zero padding.
func referenceSSIM(_ a: [Double], _ b: [Double], width w: Int, height h: Int) -> Double {
    let g1 = (0..<11).map { exp(-Double(($0 - 5) * ($0 - 5)) / (2 * 1.5 * 1.5)) }
    let s = g1.reduce(0, +)
    let g = g1.map { $0 / s }
    let c1 = 0.0001, c2 = 0.0009
    var total = 0.0
    for c in 0..<3 {
        for y in 0..<h {
            for x in 0..<w {
                var mx = 0.0, my = 0.0, xx = 0.0, yy = 0.0, xy = 0.0
                for dy in -5...5 {
                    let yy2 = y + dy
                    if yy2 < 0 || yy2 >= h { continue }
                    for dx in -5...5 {
                        let xx2 = x + dx
                        if xx2 < 0 || xx2 >= w { continue }
                        let wt = g[dy + 5] * g[dx + 5], i = (yy2 * w + xx2) * 3 + c
                        mx += wt * a[i]; my += wt * b[i]; xx += wt * a[i] * a[i]; yy += wt * b[i] * b[i]; xy += wt * a[i] * b[i]
                    }
                }
                let sxx = xx - mx * mx, syy = yy - my * my, sxy = xy - mx * my
                total += ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2))
            }
        }
    }
    return total / Double(w * h * 3)
}

/// Runs scripts/metrics_reference.py (scikit-image PSNR, numpy/scipy 3DGS SSIM) on an image pair.
func pythonMetrics(_ a: ImageF, _ b: ImageF) throws -> (psnr: Double, ssim: Double) {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("splat-metrics-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let pa = dir.appendingPathComponent("a.f32"), pb = dir.appendingPathComponent("b.f32")
    try a.pixels.withUnsafeBytes { try Data($0).write(to: pa) }
    try b.pixels.withUnsafeBytes { try Data($0).write(to: pb) }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", root.appendingPathComponent("scripts/metrics_reference.py").path,
                   pa.path, pb.path, "\(a.width)", "\(a.height)"]
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    #expect(p.terminationStatus == 0)
    var values: [String: Double] = [:]
    for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
        let parts = line.split(separator: " ")
        if parts.count == 2 { values[String(parts[0])] = Double(parts[1]) }
    }
    return (values["psnr"] ?? .nan, values["ssim"] ?? .nan)
}

@Suite struct MetricsTests {
    /// Agreement with the Python references: SSIM to 1e-4 (float32 here, float64 there).
    static let ssimTolerance = 1e-4

    static let pairs: [(ImageF, ImageF)] = [
        (structuredImage(width: 40, height: 30, seed: 1), structuredImage(width: 40, height: 30, seed: 2, noise: 0.2)),
        (structuredImage(width: 64, height: 48, seed: 3), structuredImage(width: 64, height: 48, seed: 3, noise: 0.0)),
        (structuredImage(width: 9, height: 7, seed: 5, noise: 0.6), structuredImage(width: 9, height: 7, seed: 6, noise: 0.6)),
    ]

    @Test(arguments: 0..<3) func psnrAndSSIMMatchPythonReferences(pair: Int) throws {
        let (a, b) = Self.pairs[pair]
        let ref = try pythonMetrics(a, b)
        let psnr = ImageMetrics.psnr(a, b), ssim = ImageMetrics.ssim(a, b)
        #expect(abs(psnr - ref.psnr) < 1e-4, "psnr \(psnr) vs skimage \(ref.psnr)")
        #expect(abs(ssim - ref.ssim) < Self.ssimTolerance, "ssim \(ssim) vs numpy \(ref.ssim)")
    }

    @Test func identicalImagesHaveSSIMOneAndInfinitePSNR() {
        let a = structuredImage(width: 20, height: 16, seed: 9)
        #expect(abs(ImageMetrics.ssim(a, a) - 1) < 1e-5)
        #expect(ImageMetrics.psnr(a, a) == .infinity)
    }

    @Test func fastSSIMMatchesDirectDoubleSSIMUnclamped() {
        let a = structuredImage(width: 23, height: 17, seed: 11), b = structuredImage(width: 23, height: 17, seed: 12, noise: 0.3)
        let ref = referenceSSIM(a.pixels.map(Double.init), b.pixels.map(Double.init), width: 23, height: 17)
        let fast = a.pixels.withUnsafeBufferPointer { pa in
            b.pixels.withUnsafeBufferPointer { pb in SSIMEvaluator(threadCount: 2).evaluate(pa, pb, width: 23, height: 17) }
        }
        #expect(abs(fast - ref) < 1e-5)
    }

    @Test func ssimGradientMatchesCentralDifferences() {
        let w = 14, h = 12
        let a = structuredImage(width: w, height: h, seed: 21, noise: 0.3), b = structuredImage(width: w, height: h, seed: 22, noise: 0.3)
        var grad = [Float](repeating: 0, count: w * h * 3)
        a.pixels.withUnsafeBufferPointer { pa in
            b.pixels.withUnsafeBufferPointer { pb in
                grad.withUnsafeMutableBufferPointer { g in
                    _ = SSIMEvaluator(threadCount: 2).evaluate(pa, pb, width: w, height: h, gradient: g)
                }
            }
        }
        let ad = a.pixels.map(Double.init), bd = b.pixels.map(Double.init)
        let eps = 1e-4
        let maxGrad = grad.map { abs(Double($0)) }.max()!
        for i in stride(from: 0, to: ad.count, by: 7) {   // every 7th entry covers borders and interior
            var plus = ad, minus = ad
            plus[i] += eps; minus[i] -= eps
            let fd = (referenceSSIM(plus, bd, width: w, height: h) - referenceSSIM(minus, bd, width: w, height: h)) / (2 * eps)
            #expect(abs(fd - Double(grad[i])) < 1e-3 * maxGrad + 1e-3 * abs(fd), "entry \(i): fd \(fd) analytic \(grad[i])")
        }
    }

    @Test func lossGradientMatchesCentralDifferences() {
        let w = 12, h = 10, lam = 0.2
        let a = structuredImage(width: w, height: h, seed: 31, noise: 0.3), b = structuredImage(width: w, height: h, seed: 32, noise: 0.3)
        var grad = [Float](repeating: 0, count: w * h * 3)
        let value = a.pixels.withUnsafeBufferPointer { pa in
            b.pixels.withUnsafeBufferPointer { pb in
                grad.withUnsafeMutableBufferPointer { g in
                    PhotometricLoss(lambdaDSSIM: Float(lam), threadCount: 2).evaluate(rendered: pa, target: pb, width: w, height: h, gradient: g)
                }
            }
        }
        let ad = a.pixels.map(Double.init), bd = b.pixels.map(Double.init)
        func loss(_ x: [Double]) -> Double {
            let l1 = zip(x, bd).map { abs($0 - $1) }.reduce(0, +) / Double(x.count)
            return (1 - lam) * l1 + lam * (1 - referenceSSIM(x, bd, width: w, height: h))
        }
        #expect(abs(value.loss - loss(ad)) < 1e-5)
        let eps = 1e-5
        let maxGrad = grad.map { abs(Double($0)) }.max()!
        for i in stride(from: 0, to: ad.count, by: 5) where abs(ad[i] - bd[i]) > 1e-3 {
            var plus = ad, minus = ad
            plus[i] += eps; minus[i] -= eps
            let fd = (loss(plus) - loss(minus)) / (2 * eps)
            #expect(abs(fd - Double(grad[i])) < 2e-3 * maxGrad, "entry \(i): fd \(fd) analytic \(grad[i])")
        }
    }
}
