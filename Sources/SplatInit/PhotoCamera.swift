import Foundation
import SplatIO

/// What identifies the camera that took a photo, for deciding whether COLMAP may share one
/// camera between all photos (docs/init.md, "Image folders without poses"): the pixel size and
/// the EXIF Make and Model (empty when the file has no EXIF, as PNGs and stripped JPEGs do).
struct PhotoCamera: Hashable, Sendable {
    var width: Int
    var height: Int
    var make: String
    var model: String

    /// Reads the size from the header and Make/Model from a JPEG's EXIF block; nil when the size
    /// cannot be read (COLMAP then reports the file itself).
    static func read(path: String) -> PhotoCamera? {
        guard let size = try? ImageCodec.readSize(path: path) else { return nil }
        var camera = PhotoCamera(width: size.width, height: size.height, make: "", model: "")
        if let handle = FileHandle(forReadingAtPath: path) {
            defer { try? handle.close() }
            // EXIF sits in APP1, right after SOI; one APP segment is at most 64 KiB.
            let head = [UInt8]((try? handle.read(upToCount: 1 << 17)) ?? Data())
            if let tags = exifTags(jpeg: head) { camera.make = tags.make; camera.model = tags.model }
        }
        return camera
    }

    /// Make (0x010F) and Model (0x0110) from IFD0 of the first APP1 "Exif" segment; every offset
    /// is bounds-checked, so a damaged file gives nil, never a trap.
    static func exifTags(jpeg b: [UInt8]) -> (make: String, model: String)? {
        guard b.count > 4, b[0] == 0xFF, b[1] == 0xD8 else { return nil }
        var o = 2
        while o + 4 <= b.count, b[o] == 0xFF {
            let marker = b[o + 1]
            let length = Int(b[o + 2]) << 8 | Int(b[o + 3])
            guard length >= 2 else { return nil }
            let body = o + 4, end = o + 2 + length
            if marker == 0xE1, end <= b.count, end - body > 6, Array(b[body..<body + 6]) == Array("Exif\0\0".utf8) {
                return tiffTags(Array(b[(body + 6)..<end]))
            }
            if marker == 0xDA || marker == 0xD9 { return nil }  // image data starts: no EXIF before it
            o = end
        }
        return nil
    }

    static func tiffTags(_ t: [UInt8]) -> (make: String, model: String)? {
        guard t.count >= 8 else { return nil }
        let little: Bool
        switch (t[0], t[1]) {
        case (0x49, 0x49): little = true
        case (0x4D, 0x4D): little = false
        default: return nil
        }
        func u16(_ i: Int) -> Int? {
            guard i >= 0, i + 2 <= t.count else { return nil }
            return little ? Int(t[i]) | Int(t[i + 1]) << 8 : Int(t[i]) << 8 | Int(t[i + 1])
        }
        func u32(_ i: Int) -> Int? {
            guard let a = u16(i), let b = u16(i + 2) else { return nil }
            return little ? a | b << 16 : a << 16 | b
        }
        guard let ifd = u32(4), let count = u16(ifd) else { return nil }
        var make = "", model = ""
        for k in 0..<min(count, 512) {
            let e = ifd + 2 + 12 * k
            guard let tag = u16(e), let type = u16(e + 2), let n = u32(e + 4), type == 2, n > 0, n < 4096 else { continue }
            guard tag == 0x010F || tag == 0x0110 else { continue }
            // ASCII values of up to 4 bytes sit in the entry itself, longer ones at an offset.
            guard let start = n <= 4 ? e + 8 : u32(e + 8), start >= 0, start + n <= t.count else { continue }
            let bytes = t[start..<(start + n)].prefix { $0 != 0 }
            let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespaces)
            if tag == 0x010F { make = text } else { model = text }
        }
        return (make, model)
    }
}
