import Foundation
import SplatCore
import Testing
@testable import SplatRender

/// The blend kernels are one C source compiled as several variants (AVX-512, AVX2, plain C;
/// docs/rasterizer.md "Blend kernels"). Every variant this machine can run must give the same
/// bits: image, alpha, depth and every gradient group.
struct BlendKernelTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var cloud: GaussianCloud
        var settings: RenderSettings
        var testDescription: String { name }
    }

    static let cases: [Case] = {
        // Small and large splats, so rows of one half (8 lanes) and whole rows (16) both occur;
        // 75x53 leaves partial tiles on the right and bottom edges.
        var mixed = TestScenes.randomCloud(count: 1500, degree: 3, seed: 41, spread: 1.1, logScaleRange: -4.5 ... -1.6)
        mixed.opacityLogits[3] = .nan   // skipped, zero gradient, in every variant
        let saturated = TestScenes.randomCloud(count: 400, degree: 2, seed: 42, logScaleRange: -2.3 ... -1.2, logitRange: 2 ... 6)
        let outputs: RenderOutputs = [.alpha, .depth]
        var smooth = RenderSettings(background: [0.2, 0.5, 0.1], shDegree: 1, outputs: outputs)
        smooth.smoothForGradientCheck = true
        var unbounded = RenderSettings(background: [0.2, 0.5, 0.1], shDegree: 3, outputs: outputs)
        unbounded.boundFootprints = false
        return [
            Case(name: "mixed", cloud: mixed, settings: RenderSettings(background: [0.2, 0.5, 0.1], outputs: outputs)),
            Case(name: "mixed antialiased", cloud: mixed,
                 settings: RenderSettings(background: [0.2, 0.5, 0.1], outputs: outputs, antialiased: true)),
            Case(name: "saturated (early stops)", cloud: saturated,
                 settings: RenderSettings(background: [0.3, 0.3, 0.3], shDegree: 2, outputs: outputs)),
            Case(name: "smooth test mode", cloud: TestScenes.randomCloud(count: 200, degree: 1, seed: 43), settings: smooth),
            Case(name: "footprints unbounded", cloud: mixed, settings: unbounded),
        ]
    }()

    @Test func genericAndTheBestVariantAreAvailable() {
        #expect(BlendKernel.generic.isSupported)
        #expect(BlendKernel.best.isSupported)
        #if arch(x86_64)
        // The Swift targets are built for Haswell (AVX2, FMA), so any machine running them has AVX2.
        #expect(BlendKernel.avx2.isSupported)
        #endif
    }

    @Test(arguments: cases)
    func everyVariantGivesTheSameBits(_ c: Case) {
        let camera = TestScenes.camera(width: 75, height: 53, focal: 70, center: [0.3, -0.2, -3.3])
        let dL: [Float] = (0..<(75 * 53 * 3)).map { (i: Int) -> Float in Float((i * 7919) % 29) / 29 - 0.5 }
        func run(_ kernel: BlendKernel, threads: Int) -> (RenderResult, GaussianGradients) {
            let r = Rasterizer(threadCount: threads)
            r.blendKernel = kernel
            let result = r.forward(c.cloud, camera: camera, settings: c.settings)
            var g = GaussianGradients(like: c.cloud)
            dL.withUnsafeBufferPointer { r.backward(c.cloud, of: result.pass, dLdImage: $0, into: &g) }
            return (result, g)
        }
        let (r0, g0) = run(.generic, threads: 1)
        #expect(r0.image.pixels.contains { $0 != 0 })
        let groups: [(String, KeyPath<GaussianGradients, [Float]>)] = [
            ("means", \.means), ("logScales", \.logScales), ("rotations", \.rotations),
            ("opacityLogits", \.opacityLogits), ("shDC", \.shDC), ("shRest", \.shRest)]
        for (name, path) in groups { #expect(g0[keyPath: path].contains { $0 != 0 }, "\(name): all zero, nothing compared") }
        for kernel in BlendKernel.allCases where kernel.isSupported {
            let (r, g) = run(kernel, threads: 2)
            #expect(bits(r.image.pixels) == bits(r0.image.pixels), "\(kernel.name): image differs from generic")
            #expect(bits(r.alpha!) == bits(r0.alpha!), "\(kernel.name): alpha differs")
            #expect(bits(r.depth!) == bits(r0.depth!), "\(kernel.name): depth differs")
            #expect(r.nonFiniteSkipped == r0.nonFiniteSkipped)
            for (name, path) in groups {
                #expect(bits(g[keyPath: path]) == bits(g0[keyPath: path]), "\(kernel.name): \(name) differs from generic")
            }
        }
    }

    /// Bit patterns, so that −0 vs +0 and NaN payloads count as differences too.
    private func bits(_ a: [Float]) -> [UInt32] { a.map(\.bitPattern) }
}
