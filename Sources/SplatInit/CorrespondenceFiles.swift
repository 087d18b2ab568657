import Foundation
import SplatCore

/// Loads correspondences made elsewhere (docs/correspondences.md): `<dir>/pairs.txt` lists one
/// (reference, neighbour) pair per line with either a dense RoMa-style warp + certainty (.npy)
/// or a plain text match list. Returns one ReferenceMatches per reference, in file order.
public enum CorrespondenceFiles {
    public static let manifestName = "pairs.txt"

    public static func load(directory: String, scene: Scene) throws -> [ReferenceMatches] {
        let manifest = (directory as NSString).appendingPathComponent(manifestName)
        guard let text = try? String(contentsOfFile: manifest, encoding: .utf8) else {
            throw InitError(manifest, "cannot read the correspondence manifest")
        }
        var byName = [String: Int]()
        for (i, c) in scene.cameras.enumerated() { byName[c.name] = i }
        let train = Set(scene.trainIndices)
        var order = [Int](), grouped = [Int: [PairMatches]](), cells = [Int: Int]()
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let where_ = "\(manifest):\(n + 1)"
            let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard f.count == 3 || f.count == 4 else {
                throw InitError(where_, "expected 'REFERENCE NEIGHBOUR WARP.npy CERTAINTY.npy' or 'REFERENCE NEIGHBOUR MATCHES.txt'")
            }
            guard let ref = byName[f[0]] else { throw InitError(where_, "no image named \(f[0]) in the scene") }
            guard let nbr = byName[f[1]] else { throw InitError(where_, "no image named \(f[1]) in the scene") }
            guard train.contains(ref), train.contains(nbr) else {
                throw InitError(where_, "\(train.contains(ref) ? f[1] : f[0]) is a test view; only train views may be used")
            }
            guard ref != nbr else { throw InitError(where_, "reference and neighbour are the same image") }
            let path = { (p: String) in p.hasPrefix("/") ? p : (directory as NSString).appendingPathComponent(p) }
            let pair = f.count == 4
                ? try readDense(warp: path(f[2]), certainty: path(f[3]), ref: scene.cameras[ref], nbr: nbr, nbrCamera: scene.cameras[nbr])
                : try readList(path(f[2]), ref: scene.cameras[ref], nbr: nbr, nbrCamera: scene.cameras[nbr])
            if let c = cells[ref], c != pair.cellCount {
                throw InitError(where_, "all pairs of reference \(f[0]) must use the same grid (\(c) cells, this one \(pair.cellCount))")
            }
            if grouped[ref] == nil { order.append(ref) }
            cells[ref] = pair.cellCount
            grouped[ref, default: []].append(pair)
        }
        guard !order.isEmpty else { throw InitError(manifest, "lists no pairs") }
        return order.map { ReferenceMatches(reference: $0, cellCount: cells[$0]!, pairs: grouped[$0]!) }
    }

    /// Dense warp [H, W, 4] (x_ref, y_ref, x_nbr, y_nbr in [-1, 1], RoMa's convention: −1 and
    /// +1 are the outer image edges) and certainty [H, W].
    static func readDense(warp: String, certainty: String, ref: Camera, nbr: Int, nbrCamera: Camera) throws -> PairMatches {
        let w = try NpyReader.read(path: warp), c = try NpyReader.read(path: certainty)
        guard w.shape.count == 3, w.shape[2] == 4, w.shape[0] > 0, w.shape[1] > 0 else {
            throw InitError(warp, "warp shape \(w.shape) is not [H, W, 4]")
        }
        guard c.shape == [w.shape[0], w.shape[1]] else {
            throw InitError(certainty, "certainty shape \(c.shape) does not match the warp's [\(w.shape[0]), \(w.shape[1])]")
        }
        let n = w.shape[0] * w.shape[1]
        var refXY = [Float](repeating: 0, count: n * 2), nbrXY = refXY, cert = [Float](repeating: 0, count: n)
        let rw = Float(ref.width), rh = Float(ref.height), nw = Float(nbrCamera.width), nh = Float(nbrCamera.height)
        for i in 0..<n {
            let v = w.values[i * 4..<(i * 4 + 4)]
            guard v.allSatisfy(\.isFinite) else { throw InitError(warp, "non-finite value at cell \(i)") }
            let ci = c.values[i]
            guard ci.isFinite, ci >= 0, ci <= 1 else { throw InitError(certainty, "certainty \(ci) at cell \(i) is not in [0, 1]") }
            refXY[i * 2] = (v[i * 4] + 1) * 0.5 * rw; refXY[i * 2 + 1] = (v[i * 4 + 1] + 1) * 0.5 * rh
            nbrXY[i * 2] = (v[i * 4 + 2] + 1) * 0.5 * nw; nbrXY[i * 2 + 1] = (v[i * 4 + 3] + 1) * 0.5 * nh
            // Matches leaving either image carry no certainty.
            let inside = abs(v[i * 4]) <= 1 && abs(v[i * 4 + 1]) <= 1 && abs(v[i * 4 + 2]) <= 1 && abs(v[i * 4 + 3]) <= 1
            cert[i] = inside ? ci : 0
        }
        return PairMatches(neighbour: nbr, refXY: refXY, nbrXY: nbrXY, certainty: cert)
    }

    /// Text list, one match per line: `x_ref y_ref x_nbr y_nbr confidence`, pixels of the image
    /// files at full resolution (centre of the top-left pixel at 0.5, 0.5). Grid: one cell per
    /// reference pixel at the loaded resolution; a cell keeps its most confident match.
    static func readList(_ path: String, ref: Camera, nbr: Int, nbrCamera: Camera) throws -> PairMatches {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw InitError(path, "cannot read file") }
        let w = ref.width, h = ref.height, n = w * h
        let sr = 1 / Double(ref.imageDownscale), sn = 1 / Double(nbrCamera.imageDownscale)
        var refXY = [Float](repeating: 0, count: n * 2), nbrXY = refXY, cert = [Float](repeating: 0, count: n)
        var seen = [Bool](repeating: false, count: n)
        for (k, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { Double($0) }
            guard f.count == 5, f.allSatisfy(\.isFinite) else {
                throw InitError("\(path):\(k + 1)", "expected five numbers 'x_ref y_ref x_nbr y_nbr confidence'")
            }
            let xr = f[0] * sr, yr = f[1] * sr, xn = f[2] * sn, yn = f[3] * sn
            guard xr >= 0, yr >= 0, xr < Double(w), yr < Double(h) else {
                throw InitError("\(path):\(k + 1)", "reference pixel (\(f[0]), \(f[1])) is outside the \(w * ref.imageDownscale)x\(h * ref.imageDownscale) image")
            }
            guard xn >= 0, yn >= 0, xn < Double(nbrCamera.width), yn < Double(nbrCamera.height) else {
                throw InitError("\(path):\(k + 1)", "neighbour pixel (\(f[2]), \(f[3])) is outside the image")
            }
            guard f[4] >= 0, f[4] <= 1 else { throw InitError("\(path):\(k + 1)", "confidence \(f[4]) is not in [0, 1]") }
            let cell = Int(yr) * w + Int(xr)
            if seen[cell] && Float(f[4]) <= cert[cell] { continue }
            seen[cell] = true
            refXY[cell * 2] = Float(xr); refXY[cell * 2 + 1] = Float(yr)
            nbrXY[cell * 2] = Float(xn); nbrXY[cell * 2 + 1] = Float(yn)
            cert[cell] = Float(f[4])
        }
        return PairMatches(neighbour: nbr, refXY: refXY, nbrXY: nbrXY, certainty: cert)
    }
}
