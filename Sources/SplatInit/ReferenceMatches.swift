/// Matches of one reference view against one neighbour on a grid of cells over the reference
/// (a dense warp gives one cell per warp pixel; a match list gives one cell per reference pixel).
/// Pixel coordinates are in the scene cameras' convention (centre of pixel (0,0) at (0.5, 0.5)).
public struct PairMatches: Sendable, Equatable {
    /// Camera index of the neighbour.
    public var neighbour: Int
    public var refXY: [Float]      // [G * 2] reference pixel of each cell
    public var nbrXY: [Float]      // [G * 2] where it lands in the neighbour
    public var certainty: [Float]  // [G] in [0, 1]; 0 means no match in this cell

    public init(neighbour: Int, refXY: [Float], nbrXY: [Float], certainty: [Float]) {
        precondition(refXY.count == certainty.count * 2 && nbrXY.count == certainty.count * 2)
        self.neighbour = neighbour; self.refXY = refXY; self.nbrXY = nbrXY; self.certainty = certainty
    }

    public var cellCount: Int { certainty.count }
}

/// All matches of one reference view; every pair uses the same grid of `cellCount` cells,
/// so "the same reference pixel" is the same cell index across neighbours.
public struct ReferenceMatches: Sendable, Equatable {
    public var reference: Int
    public var cellCount: Int
    public var pairs: [PairMatches]

    public init(reference: Int, cellCount: Int, pairs: [PairMatches]) {
        precondition(pairs.allSatisfy { $0.cellCount == cellCount })
        self.reference = reference; self.cellCount = cellCount; self.pairs = pairs
    }
}
