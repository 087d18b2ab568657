import Foundation
import SplatCore
import Testing
@testable import SplatInit

@Suite struct ViewSelectionTests {
    static func arc(_ angles: [Double]) -> [Camera] {
        angles.enumerated().map { (i, a) in
            let r = a * .pi / 180
            return SyntheticScene.lookAt(name: "c\(i)", centre: [4 * sin(r), 0.5, 4 * cos(r)], width: 64, height: 48, focal: 60)
        }
    }

    @Test func testViewsAreNeverReferencesOrNeighbours() {
        let cams = Self.arc((0..<24).map { Double($0) * 15 })
        let split = Scene.everyEighthSplit(count: cams.count)
        let sel = ViewSelection.select(cameras: cams, trainIndices: split.train, numRefs: 100, nnsPerRef: 5, seed: 1)
        for s in sel {
            #expect(!split.test.contains(s.reference))
            #expect(s.neighbours.allSatisfy { !split.test.contains($0) && $0 != s.reference })
        }
        // K is clamped to the number of train views: every train view is a reference.
        #expect(sel.map(\.reference) == split.train)
    }

    @Test func neighboursAreTheNearestViewsOnAnArc() {
        let cams = Self.arc((0..<10).map { Double($0) * 10 })
        let sel = ViewSelection.select(cameras: cams, trainIndices: Array(0..<10), numRefs: 10, nnsPerRef: 2, seed: 3)
        let five = sel.first { $0.reference == 5 }!
        #expect(Set(five.neighbours) == [4, 6])
        let zero = sel.first { $0.reference == 0 }!
        #expect(zero.neighbours == [1, 2])
    }

    @Test func oneReferenceIsChosenPerCameraCluster() {
        // Three tight groups of four cameras, far apart in angle.
        let angles = [0.0, 1, 2, 3, 120, 121, 122, 123, 240, 241, 242, 243]
        let cams = Self.arc(angles)
        let sel = ViewSelection.select(cameras: cams, trainIndices: Array(0..<12), numRefs: 3, nnsPerRef: 3, seed: 11)
        #expect(sel.count == 3)
        #expect(Set(sel.map { $0.reference / 4 }) == [0, 1, 2])
        // The representative is the member nearest the cluster mean: an inner camera.
        #expect(sel.allSatisfy { [1, 2].contains($0.reference % 4) })
        for s in sel { #expect(s.neighbours.allSatisfy { $0 / 4 == s.reference / 4 }) }
    }

    @Test func sameSeedGivesSameSelection() {
        let cams = Self.arc((0..<40).map { Double($0) * 9 })
        let a = ViewSelection.select(cameras: cams, trainIndices: Array(0..<40), numRefs: 7, nnsPerRef: 3, seed: 42)
        let b = ViewSelection.select(cameras: cams, trainIndices: Array(0..<40), numRefs: 7, nnsPerRef: 3, seed: 42)
        #expect(a == b)
        #expect(a.count == 7)
    }

    @Test func neighboursShareSfMPointsNotJustSimilarMatrices() {
        // Views 1 (10° away) and 2 (20° away) of reference 0; view 1 sees none of the points
        // the reference sees (say, something blocks it), view 2 sees them all.
        let cams = Self.arc([0, 10, 20, 30])
        let points: [SIMD3<Float>] = (0..<50).map { i in SIMD3(Float(i % 5) * 0.1 - 0.2, Float(i / 5) * 0.05 - 0.25, 0) }
        let all = (0..<50).map(Int32.init)
        let tracks: [[Int32]] = [all, [], all, all]
        let plain = ViewSelection.select(cameras: cams, trainIndices: [0, 1, 2, 3], numRefs: 4, nnsPerRef: 1, seed: 0)
        #expect(plain.first { $0.reference == 0 }!.neighbours == [1])
        let sel = ViewSelection.select(cameras: cams, trainIndices: [0, 1, 2, 3], numRefs: 4, nnsPerRef: 2, seed: 0,
                                       points: points, observedPoints: tracks)
        let zero = sel.first { $0.reference == 0 }!
        #expect(zero.neighbours == [2, 3])
        #expect(zero.sharedPoints == [50, 50])
        #expect(abs(zero.angles[0] - 20) < 1 && abs(zero.angles[1] - 30) < 1.5)
    }

    @Test func withoutTracksTheTriangulationAngleDecidesNotTheMatrixDistance() {
        // Reference 0 at distance 4; view 1 at 10° but 3x as far (its flattened matrix is far
        // away: the translation differs by 8 units), view 2 at 30°, view 3 behind the object.
        let at = { (deg: Double, dist: Double) -> Camera in
            let r = deg * .pi / 180
            return SyntheticScene.lookAt(name: "c\(deg)", centre: [dist * sin(r), 0.5, dist * cos(r)], width: 64, height: 48, focal: 60)
        }
        let cams = [at(0, 4), at(10, 12), at(30, 4), at(180, 4)]
        let flattened = cams.map(\.pose.flattened4x4)
        #expect(ViewSelection.distance2(flattened[0], flattened[2]) < ViewSelection.distance2(flattened[0], flattened[1]))
        let sel = ViewSelection.select(cameras: cams, trainIndices: [0, 1, 2, 3], numRefs: 4, nnsPerRef: 3, seed: 0)
        let zero = sel.first { $0.reference == 0 }!
        #expect(zero.neighbours == [1, 2, 3])
        // At the origin the rays meet at 11.0° (10° around, plus the different elevation angle).
        #expect(abs(zero.angles[0] - 11.03) < 0.1 && abs(zero.angles[1] - 30) < 1)
        // The views' axes meet at the origin, found from the cameras alone.
        let c = ViewSelection.axesCentre(cams)!
        #expect((c - SIMD3(0, 0, 0)).length < 0.6)
    }

    @Test func fewerThanTwoTrainViewsSelectNothing() {
        let cams = Self.arc([0, 10])
        #expect(ViewSelection.select(cameras: cams, trainIndices: [1], numRefs: 3, nnsPerRef: 3, seed: 0).isEmpty)
    }
}
