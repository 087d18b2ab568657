/// The records of one PLY element, located in the file bytes and decoded column by column into
/// Float. Elements before it are skipped by their declared sizes; every count is checked against
/// the bytes (or tokens) actually present before anything is allocated from it.
///
/// Holds a pointer into the caller's buffer: use it only inside that buffer's `withUnsafeBytes`.
struct PLYElementData {
    let element: PLYHeader.Element
    var count: Int { element.count }

    private let bytes: UnsafeRawBufferPointer
    private let bigEndian: Bool
    /// Binary: start of each record, or nil when records have a fixed stride from `start`.
    private var rowOffsets: [Int]?
    private var start = 0
    /// Binary: offset of each scalar property inside a fixed-stride record.
    private var fieldOffsets: [Int] = []
    /// ASCII: the scalar property values, record-major, `asciiColumns` per record.
    private var asciiValues: [Float] = []
    private var asciiColumn: [Int?] = []

    init(_ header: PLYHeader, element name: String, bytes: UnsafeRawBufferPointer, path: String) throws {
        guard let target = header.elementIndex(name) else {
            throw InputError(path, "PLY has no '\(name)' element")
        }
        element = header.elements[target]
        self.bytes = bytes
        bigEndian = header.format == .binaryBigEndian
        if header.format == .ascii {
            var tokens = PLYTokenizer(bytes: bytes, start: header.length, path: path)
            for e in header.elements[..<target] { try tokens.skip(e) }
            try readASCII(&tokens, path: path)
        } else {
            var offset = header.length
            for e in header.elements[..<target] { offset = try skipBinary(e, from: offset, path: path) }
            try locateBinary(from: offset, path: path)
        }
    }

    /// Writes property `index` of every record to `out[i * stride]`, converted to Float.
    func copyColumn(_ index: Int, to out: UnsafeMutablePointer<Float>, stride: Int) {
        let property = element.properties[index]
        precondition(property.listCountType == nil, "list properties have no column")
        if !asciiColumn.isEmpty {
            let column = asciiColumn[index]!, width = asciiColumn.compactMap { $0 }.count
            for i in 0..<count { out[i * stride] = asciiValues[i * width + column] }
            return
        }
        switch property.type {
        case .int8: copy(Int8.self, index, out, stride)
        case .uint8: copy(UInt8.self, index, out, stride)
        case .int16: copy(Int16.self, index, out, stride)
        case .uint16: copy(UInt16.self, index, out, stride)
        case .int32: copy(Int32.self, index, out, stride)
        case .uint32: copy(UInt32.self, index, out, stride)
        case .float32: copy(UInt32.self, index, out, stride) { Float(bitPattern: $0) }
        case .float64: copy(UInt64.self, index, out, stride) { Float(Double(bitPattern: $0)) }
        }
    }

    /// One column copy: property `property` of record i goes to `out[i * stride]`.
    struct ColumnCopy {
        var property: Int
        var out: UnsafeMutablePointer<Float>
        var stride: Int
    }

    /// Several columns at once. When they are all little-endian float32 in fixed-size records
    /// (every 3DGS file) the records are walked once, row by row, which is far faster than one
    /// strided pass per column over a file of hundreds of MB; otherwise column by column.
    func copyColumns(_ copies: [ColumnCopy]) {
        let fast = asciiColumn.isEmpty && rowOffsets == nil && !bigEndian
            && copies.allSatisfy { element.properties[$0.property].type == .float32 }
        guard fast else {
            for c in copies { copyColumn(c.property, to: c.out, stride: c.stride) }
            return
        }
        let fields = copies.map { fieldOffsets[$0.property] }, outs = copies.map(\.out), strides = copies.map(\.stride)
        let recordStride = element.fixedStride, n = count, base = bytes.baseAddress!
        fields.withUnsafeBufferPointer { f in
            outs.withUnsafeBufferPointer { o in
                strides.withUnsafeBufferPointer { s in
                    for i in 0..<n {
                        let row = base + start + i * recordStride
                        for j in 0..<f.count {
                            let bits = UInt32(littleEndian: row.loadUnaligned(fromByteOffset: f[j], as: UInt32.self))
                            o[j][i * s[j]] = Float(bitPattern: bits)
                        }
                    }
                }
            }
        }
    }

    // Integers convert by value; floats are loaded as their bit pattern (so byte swapping is
    // an integer operation) and reinterpreted by `convert`.
    private func copy<T: FixedWidthInteger>(_: T.Type, _ index: Int, _ out: UnsafeMutablePointer<Float>, _ stride: Int,
                                            convert: (T) -> Float = { Float($0) }) {
        let field = fieldOffsets[index], recordStride = element.fixedStride
        for i in 0..<count {
            let offset = (rowOffsets?[i] ?? (start + i * recordStride)) + field
            let raw = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
            out[i * stride] = convert(bigEndian ? T(bigEndian: raw) : T(littleEndian: raw))
        }
    }

    private func readInteger(_ type: PLYHeader.ScalarType, at offset: Int) -> Int {
        func load<T: FixedWidthInteger>(_: T.Type) -> Int {
            let raw = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
            return Int(bigEndian ? T(bigEndian: raw) : T(littleEndian: raw))
        }
        switch type {
        case .int8: return load(Int8.self)
        case .uint8: return load(UInt8.self)
        case .int16: return load(Int16.self)
        case .uint16: return load(UInt16.self)
        case .int32: return load(Int32.self)
        case .uint32: return load(UInt32.self)
        case .float32, .float64: return -1  // refused by the header parser
        }
    }

    /// Walks one record with list properties starting at `offset`; returns the offset after it.
    private func skipRecord(_ e: PLYHeader.Element, at offset: Int, path: String) throws -> Int {
        var o = offset
        for p in e.properties {
            if let countType = p.listCountType {
                guard o + countType.size <= bytes.count else { throw truncated(e, path) }
                let n = readInteger(countType, at: o)
                guard n >= 0 else { throw InputError(path, "PLY element '\(e.name)' has a negative list length") }
                o += countType.size
                guard n <= (bytes.count - o) / p.type.size else { throw truncated(e, path) }
                o += n * p.type.size
            } else {
                o += p.type.size
            }
        }
        guard o <= bytes.count else { throw truncated(e, path) }
        return o
    }

    private func truncated(_ e: PLYHeader.Element, _ path: String) -> InputError {
        InputError(path, "PLY element '\(e.name)' declares \(e.count) records but the file ends before them (truncated?)")
    }

    private func skipBinary(_ e: PLYHeader.Element, from offset: Int, path: String) throws -> Int {
        let available = bytes.count - offset
        let minimum = e.minimumStride
        guard minimum == 0 || e.count <= available / minimum else { throw truncated(e, path) }
        if !e.hasLists { return offset + e.count * e.fixedStride }
        var o = offset
        for _ in 0..<e.count { o = try skipRecord(e, at: o, path: path) }
        return o
    }

    private mutating func locateBinary(from offset: Int, path: String) throws {
        let e = element
        let available = bytes.count - offset
        let minimum = e.minimumStride
        guard minimum == 0 || e.count <= available / minimum else { throw truncated(e, path) }
        start = offset
        if e.hasLists {
            // Scalar fields after a list move per record, so lists are only supported when
            // every scalar comes before the first list (offsets then stay fixed).
            var offsets = [Int]()
            offsets.reserveCapacity(e.count)
            var o = offset
            for _ in 0..<e.count { offsets.append(o); o = try skipRecord(e, at: o, path: path) }
            rowOffsets = offsets
        }
        var field = 0, seenList = false
        for p in e.properties {
            fieldOffsets.append(field)
            if p.listCountType != nil { seenList = true; continue }
            if seenList {
                throw InputError(path, "PLY element '\(e.name)': scalar property '\(p.name)' after a list property is not supported")
            }
            field += p.type.size
        }
    }

    private mutating func readASCII(_ tokens: inout PLYTokenizer, path: String) throws {
        let e = element
        let scalars = e.properties.filter { $0.listCountType == nil }.count
        // Every record needs at least one token per property.
        guard e.properties.isEmpty || e.count <= tokens.remainingBytes / (2 * e.properties.count) + 1 else {
            throw truncated(e, path)
        }
        var column = 0
        asciiColumn = e.properties.map { p in
            if p.listCountType != nil { return nil }
            defer { column += 1 }
            return column
        }
        asciiValues.reserveCapacity(e.count * scalars)
        for _ in 0..<e.count {
            for p in e.properties {
                if p.listCountType != nil {
                    try tokens.skipList(element: e.name)
                } else {
                    asciiValues.append(try tokens.nextFloat(element: e.name))
                }
            }
        }
    }
}

/// Whitespace-separated tokens of an ASCII PLY body.
struct PLYTokenizer {
    let bytes: UnsafeRawBufferPointer
    var position: Int
    let path: String

    init(bytes: UnsafeRawBufferPointer, start: Int, path: String) {
        self.bytes = bytes; position = start; self.path = path
    }

    var remainingBytes: Int { bytes.count - position }

    mutating func next(element: String) throws -> Substring {
        while position < bytes.count && Self.isSpace(bytes[position]) { position += 1 }
        let begin = position
        while position < bytes.count && !Self.isSpace(bytes[position]) { position += 1 }
        guard position > begin else {
            throw InputError(path, "PLY element '\(element)' ends early (truncated ASCII data)")
        }
        return Substring(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[begin..<position]), as: UTF8.self))
    }

    mutating func nextFloat(element: String) throws -> Float {
        let token = try next(element: element)
        guard let v = Float(token) else { throw InputError(path, "PLY element '\(element)': '\(token)' is not a number") }
        return v
    }

    mutating func skipList(element: String) throws {
        let token = try next(element: element)
        guard let n = Int(token), n >= 0 else {
            throw InputError(path, "PLY element '\(element)': bad list length '\(token)'")
        }
        for _ in 0..<n { _ = try next(element: element) }
    }

    mutating func skip(_ e: PLYHeader.Element) throws {
        for _ in 0..<e.count {
            for p in e.properties {
                if p.listCountType != nil { try skipList(element: e.name) } else { _ = try next(element: e.name) }
            }
        }
    }

    private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }
}
