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

    @Test func fewerThanTwoTrainViewsSelectNothing() {
        let cams = Self.arc([0, 10])
        #expect(ViewSelection.select(cameras: cams, trainIndices: [1], numRefs: 3, nnsPerRef: 3, seed: 0).isEmpty)
    }
}
