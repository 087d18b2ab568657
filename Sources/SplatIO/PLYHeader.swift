/// The parsed header of a PLY file: storage format and the elements with their properties, in
/// file order. Only the header is read here; element data is decoded by `PLYElementData`.
struct PLYHeader {
    enum Format: Equatable { case ascii, binaryLittleEndian, binaryBigEndian }

    enum ScalarType: Equatable {
        case int8, uint8, int16, uint16, int32, uint32, float32, float64

        /// Accepts both the classic names (char, uchar, ...) and the sized ones (int8, ...).
        init?(name: String) {
            switch name {
            case "char", "int8": self = .int8
            case "uchar", "uint8": self = .uint8
            case "short", "int16": self = .int16
            case "ushort", "uint16": self = .uint16
            case "int", "int32": self = .int32
            case "uint", "uint32": self = .uint32
            case "float", "float32": self = .float32
            case "double", "float64": self = .float64
            default: return nil
            }
        }

        var size: Int {
            switch self {
            case .int8, .uint8: return 1
            case .int16, .uint16: return 2
            case .int32, .uint32, .float32: return 4
            case .float64: return 8
            }
        }

        var isFloatingPoint: Bool { self == .float32 || self == .float64 }
    }

    struct Property: Equatable {
        var name: String
        var type: ScalarType
        /// Set for `property list <countType> <type> <name>`.
        var listCountType: ScalarType?
    }

    struct Element: Equatable {
        var name: String
        var count: Int
        var properties: [Property]

        var hasLists: Bool { properties.contains { $0.listCountType != nil } }
        /// Bytes per record in a binary file when no property is a list.
        var fixedStride: Int { properties.reduce(0) { $0 + $1.type.size } }
        /// Fewest bytes one binary record can take (lists empty).
        var minimumStride: Int { properties.reduce(0) { $0 + ($1.listCountType?.size ?? $1.type.size) } }

        func propertyIndex(_ name: String) -> Int? { properties.firstIndex { $0.name == name } }
    }

    /// Headers longer than this are refused: real ones are a few KB, and the cap keeps a
    /// garbage file from being scanned to the end.
    static let maxLength = 65_536

    var format: Format
    var elements: [Element]
    /// The text after `comment ` of every comment line, in file order.
    var comments: [String] = []
    /// Offset of the first byte after `end_header` and its line ending.
    var length: Int

    func elementIndex(_ name: String) -> Int? { elements.firstIndex { $0.name == name } }

    static func parse(_ bytes: UnsafeRawBufferPointer, path: String) throws -> PLYHeader {
        func fail(_ reason: String) -> InputError { InputError(path, reason) }
        guard bytes.count >= 4, bytes[0] == 0x70, bytes[1] == 0x6C, bytes[2] == 0x79, bytes[3] == 0x0A || bytes[3] == 0x0D else {
            throw fail("not a PLY file (it does not start with 'ply')")
        }
        var format: Format?
        var elements: [Element] = []
        var comments: [String] = []
        var pos = 0, lineNumber = 0
        while true {
            // Next line, ending in \n (a trailing \r is stripped).
            var end = pos
            while end < bytes.count && end < maxLength && bytes[end] != 0x0A { end += 1 }
            guard end < bytes.count && end < maxLength else {
                throw fail(bytes.count <= maxLength
                           ? "PLY header has no end_header line (file truncated?)"
                           : "PLY header has no end_header within the first \(maxLength) bytes")
            }
            var lineEnd = end
            if lineEnd > pos && bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            let line = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[pos..<lineEnd]), as: UTF8.self)
            pos = end + 1
            lineNumber += 1
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let keyword = words.first else { continue }
            let at = "PLY header line \(lineNumber)"
            switch keyword {
            case "comment":
                comments.append(words.dropFirst().joined(separator: " "))
            case "ply" where lineNumber == 1, "obj_info":
                continue
            case "format":
                guard words.count == 3, words[2] == "1.0" else { throw fail("\(at): bad format line '\(line)'") }
                switch words[1] {
                case "ascii": format = .ascii
                case "binary_little_endian": format = .binaryLittleEndian
                case "binary_big_endian": format = .binaryBigEndian
                default: throw fail("\(at): unknown format '\(words[1])'")
                }
            case "element":
                guard words.count == 3, let n = Int(words[2]), n >= 0 else {
                    throw fail("\(at): bad element line '\(line)'")
                }
                elements.append(Element(name: words[1], count: n, properties: []))
            case "property":
                guard !elements.isEmpty else { throw fail("\(at): property before any element") }
                let property: Property
                if words.count == 5 && words[1] == "list" {
                    guard let countType = ScalarType(name: words[2]), !countType.isFloatingPoint,
                          let type = ScalarType(name: words[3]) else {
                        throw fail("\(at): bad list property '\(line)'")
                    }
                    property = Property(name: words[4], type: type, listCountType: countType)
                } else if words.count == 3, let type = ScalarType(name: words[1]) {
                    property = Property(name: words[2], type: type, listCountType: nil)
                } else {
                    throw fail("\(at): bad property line '\(line)'")
                }
                guard elements[elements.count - 1].propertyIndex(property.name) == nil else {
                    throw fail("\(at): duplicate property '\(property.name)'")
                }
                elements[elements.count - 1].properties.append(property)
            case "end_header":
                guard let format else { throw fail("PLY header has no format line") }
                return PLYHeader(format: format, elements: elements, comments: comments, length: pos)
            default:
                throw fail("\(at): unexpected '\(keyword)'")
            }
        }
    }
}
