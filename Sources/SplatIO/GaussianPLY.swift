import Foundation
import SplatCore

/// The standard 3DGS Gaussian PLY (docs/formats-output.md).
///
/// Writing produces the exact layout of the 3DGS reference (and of `plyfile`): binary little
/// endian, `\n` line endings, one float property per attribute in the order x y z nx ny nz
/// f_dc_0..2 f_rest_* opacity scale_0..2 rot_0..3, no comments, except for a model trained with
/// antialiasing: then one `comment antialiasing ...` line after the format line says so
/// (`antialiasingComment`; other readers skip comments, ours renders such a model in that mode).
///
/// Reading accepts any PLY with those names in a `vertex` element: properties in any order and
/// of any numeric type, extra properties and other elements, ASCII or binary of either
/// endianness. The SH degree follows from the f_rest count (0, 9, 24 or 45).
///
/// f_rest is channel-major in the file (`f_rest_{c·M + k}`) and coefficient-major, RGB inner in
/// memory (`shRest[(i·M + k)·3 + c]`); both directions convert.
public enum GaussianPLY {
    static let requiredProperties = ["x", "y", "z", "f_dc_0", "f_dc_1", "f_dc_2", "opacity",
                                     "scale_0", "scale_1", "scale_2", "rot_0", "rot_1", "rot_2", "rot_3"]

    /// Property names in file order for a cloud of the given SH degree.
    public static func propertyNames(shDegree: Int) -> [String] {
        let restTotal = 3 * GaussianCloud.restCount(forDegree: shDegree)
        return ["x", "y", "z", "nx", "ny", "nz", "f_dc_0", "f_dc_1", "f_dc_2"]
            + (0..<restTotal).map { "f_rest_\($0)" }
            + ["opacity", "scale_0", "scale_1", "scale_2", "rot_0", "rot_1", "rot_2", "rot_3"]
    }

    /// The comment line marking a model trained with the Mip-Splatting 2D filter; a comment whose
    /// first word is `antialiasing` is recognised.
    public static let antialiasingComment = "antialiasing (Mip-Splatting 2D filter: render with 3DGS --antialiasing, gsplat rasterize_mode=antialiased)"

    /// True when the header carries the antialiasing comment (read from the header alone).
    public static func isAntialiased(path: String) throws -> Bool {
        try withHeader(path: path) { header in
            header.comments.contains { $0.split(separator: " ").first == "antialiasing" }
        }
    }

    /// The vertex count a PLY header declares, read from the header alone (for estimates made
    /// before the file is loaded; `read` checks it against the file length).
    public static func vertexCount(path: String) throws -> Int {
        try withHeader(path: path) { header in
            guard let vertex = header.elementIndex("vertex") else { throw InputError(path, "no 'vertex' element") }
            return header.elements[vertex].count
        }
    }

    static func withHeader<R>(path: String, _ body: (PLYHeader) throws -> R) throws -> R {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw InputError(path, "cannot open") }
        defer { try? handle.close() }
        let head = try handle.read(upToCount: PLYHeader.maxLength + 1) ?? Data()
        return try head.withUnsafeBytes { bytes in try body(try PLYHeader.parse(bytes, path: path)) }
    }

    public static func read(path: String) throws -> GaussianCloud {
        let data = try PLYFile.contents(of: path)
        return try data.withUnsafeBytes { bytes in
            let header = try PLYHeader.parse(bytes, path: path)
            let vertex = try PLYElementData(header, element: "vertex", bytes: bytes, path: path)
            return try decode(vertex, path: path)
        }
    }

    static func decode(_ vertex: PLYElementData, path: String) throws -> GaussianCloud {
        let e = vertex.element
        var index = [String: Int]()
        for (i, p) in e.properties.enumerated() where p.listCountType == nil { index[p.name] = i }
        let missing = requiredProperties.filter { index[$0] == nil }
        guard missing.isEmpty else {
            throw InputError(path, "not a Gaussian splat PLY: vertex element lacks \(missing.joined(separator: ", "))")
        }
        // f_rest_<n>: must be exactly 0..<count, with count one of 0, 9, 24, 45.
        var restSuffixes = [Int]()
        for p in e.properties where p.name.hasPrefix("f_rest_") {
            guard let n = Int(p.name.dropFirst(7)), n >= 0 else {
                throw InputError(path, "bad SH property name '\(p.name)'")
            }
            restSuffixes.append(n)
        }
        let degreeForRest = [0: 0, 9: 1, 24: 2, 45: 3]
        guard let degree = degreeForRest[restSuffixes.count] else {
            throw InputError(path, "\(restSuffixes.count) f_rest properties; expected 0, 9, 24 or 45 (SH degree 0-3)")
        }
        guard restSuffixes.sorted() == Array(0..<restSuffixes.count) else {
            throw InputError(path, "f_rest properties are not numbered 0..\(restSuffixes.count - 1)")
        }

        var cloud = GaussianCloud(count: vertex.count, maxSHDegree: degree)
        let n = vertex.count, m = cloud.restCount
        guard n > 0 else { return cloud }
        // Memory lane k·3 + c of shRest holds file property f_rest_{c·M + k}.
        var restNames = [String](repeating: "", count: 3 * m)
        for k in 0..<m { for c in 0..<3 { restNames[k * 3 + c] = "f_rest_\(c * m + k)" } }
        cloud.means.withUnsafeMutableBufferPointer { means in
        cloud.shDC.withUnsafeMutableBufferPointer { dc in
        cloud.opacityLogits.withUnsafeMutableBufferPointer { opacity in
        cloud.logScales.withUnsafeMutableBufferPointer { scales in
        cloud.rotations.withUnsafeMutableBufferPointer { rotations in
        cloud.shRest.withUnsafeMutableBufferPointer { rest in
            var copies = [PLYElementData.ColumnCopy]()
            func add(_ names: [String], _ buf: UnsafeMutableBufferPointer<Float>) {
                for (lane, name) in names.enumerated() {
                    copies.append(.init(property: index[name]!, out: buf.baseAddress! + lane, stride: names.count))
                }
            }
            add(["x", "y", "z"], means)
            add(["f_dc_0", "f_dc_1", "f_dc_2"], dc)
            add(["opacity"], opacity)
            add(["scale_0", "scale_1", "scale_2"], scales)
            add(["rot_0", "rot_1", "rot_2", "rot_3"], rotations)
            if m > 0 { add(restNames, rest) }
            vertex.copyColumns(copies)
        } } } } } }
        return cloud
    }

    public static func encode(_ cloud: GaussianCloud, antialiased: Bool = false) -> Data {
        let names = propertyNames(shDegree: cloud.maxSHDegree)
        var header = "ply\nformat binary_little_endian 1.0\n"
        if antialiased { header += "comment \(antialiasingComment)\n" }
        header += "element vertex \(cloud.count)\n"
        for name in names { header += "property float \(name)\n" }
        header += "end_header\n"
        let headerBytes = Array(header.utf8)
        let floatsPerVertex = names.count, n = cloud.count, m = cloud.restCount
        var data = Data(count: headerBytes.count + n * floatsPerVertex * 4)
        data.withUnsafeMutableBytes { raw in
            raw.copyBytes(from: headerBytes)
            let body = raw.baseAddress! + headerBytes.count
            func put(_ i: Int, _ lane: Int, _ v: Float) {
                body.storeBytes(of: v.bitPattern.littleEndian, toByteOffset: (i * floatsPerVertex + lane) * 4, as: UInt32.self)
            }
            for i in 0..<n {
                for k in 0..<3 {
                    put(i, k, cloud.means[i * 3 + k])
                    put(i, 3 + k, 0)
                    put(i, 6 + k, cloud.shDC[i * 3 + k])
                }
                for k in 0..<m { for c in 0..<3 { put(i, 9 + c * m + k, cloud.shRest[(i * m + k) * 3 + c]) } }
                let tail = 9 + 3 * m
                put(i, tail, cloud.opacityLogits[i])
                for k in 0..<3 { put(i, tail + 1 + k, cloud.logScales[i * 3 + k]) }
                for k in 0..<4 { put(i, tail + 4 + k, cloud.rotations[i * 4 + k]) }
            }
        }
        return data
    }

    public static func write(_ cloud: GaussianCloud, to path: String, antialiased: Bool = false) throws {
        try AtomicFile.write(encode(cloud, antialiased: antialiased), to: path)
    }
}

/// Reading whole files for the PLY readers, with the error naming the file.
enum PLYFile {
    static func contents(of path: String) throws -> Data {
        do {
            // Mapped: multi-hundred-MB splat files are decoded straight from the page cache.
            return try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            var isDir: ObjCBool = false
            if !FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
                throw InputError(path, "no such file")
            }
            throw InputError(path, isDir.boolValue ? "is a directory, not a file" : "cannot read file")
        }
    }
}
