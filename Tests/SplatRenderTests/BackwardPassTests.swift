import Foundation
import SplatCore
import Testing
@testable import SplatRender

/// The backward takes the forward's `ForwardPass`, so it cannot silently differentiate another
/// render (issue: a forward of another camera of the same size in between gave wrong gradients).
struct BackwardPassTests {
    static func scene() -> (GaussianCloud, Camera, Camera) {
        let cloud = TestScenes.randomCloud(count: 60, degree: 0, seed: 41)
        let a = TestScenes.camera(width: 40, height: 30, focal: 36, center: [0.3, -0.2, -3.1])
        let b = TestScenes.camera(width: 40, height: 30, focal: 36, center: [-0.4, 0.1, -3.0])
        return (cloud, a, b)
    }

    @Test func thePassCarriesItsCameraAndSettings() {
        let (cloud, a, b) = Self.scene()
        let r = Rasterizer(threadCount: 1)
        let settings = RenderSettings(background: [0.1, 0.2, 0.3], shDegree: 0)
        let first = r.forward(cloud, camera: a, settings: settings)
        #expect(first.pass.camera == a && first.pass.settings.background == settings.background)
        let second = r.forward(cloud, camera: b, settings: settings)
        #expect(second.pass.camera == b)
    }

    @Test func backwardOfAnOlderPassStops() async {
        await #expect(processExitsWith: .failure) {
            let (cloud, a, b) = BackwardPassTests.scene()
            let r = Rasterizer(threadCount: 1)
            let first = r.forward(cloud, camera: a, settings: RenderSettings(shDegree: 0))
            _ = r.forward(cloud, camera: b, settings: RenderSettings(shDegree: 0))   // same size, other view
            var g = GaussianGradients(like: cloud)
            let dL = [Float](repeating: 1, count: 40 * 30 * 3)
            dL.withUnsafeBufferPointer { r.backward(cloud, of: first.pass, dLdImage: $0, into: &g) }
        }
    }

    @Test func backwardOfAnotherRasterizersPassStops() async {
        await #expect(processExitsWith: .failure) {
            let (cloud, a, _) = BackwardPassTests.scene()
            let r = Rasterizer(threadCount: 1), other = Rasterizer(threadCount: 1)
            _ = r.forward(cloud, camera: a, settings: RenderSettings(shDegree: 0))
            let foreign = other.forward(cloud, camera: a, settings: RenderSettings(shDegree: 0))
            var g = GaussianGradients(like: cloud)
            let dL = [Float](repeating: 1, count: 40 * 30 * 3)
            dL.withUnsafeBufferPointer { r.backward(cloud, of: foreign.pass, dLdImage: $0, into: &g) }
        }
    }

    @Test func backwardWithAChangedCloudStops() async {
        await #expect(processExitsWith: .failure) {
            let (cloud, a, _) = BackwardPassTests.scene()
            let r = Rasterizer(threadCount: 1)
            let pass = r.forward(cloud, camera: a, settings: RenderSettings(shDegree: 0)).pass
            var moved = cloud
            moved.means[7] += 0.01
            var g = GaussianGradients(like: cloud)
            let dL = [Float](repeating: 1, count: 40 * 30 * 3)
            dL.withUnsafeBufferPointer { r.backward(moved, of: pass, dLdImage: $0, into: &g) }
        }
    }

    @Test func backwardOfTheLatestPassRuns() {
        let (cloud, a, b) = Self.scene()
        let r = Rasterizer(threadCount: 1)
        _ = r.forward(cloud, camera: a, settings: RenderSettings(shDegree: 0))
        let latest = r.forward(cloud, camera: b, settings: RenderSettings(shDegree: 0))
        var g = GaussianGradients(like: cloud)
        let dL = [Float](repeating: 1, count: 40 * 30 * 3)
        dL.withUnsafeBufferPointer { r.backward(cloud, of: latest.pass, dLdImage: $0, into: &g) }
        #expect(g.opacityLogits.contains { $0 != 0 })
    }
}
