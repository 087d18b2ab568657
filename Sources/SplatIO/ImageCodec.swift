import CImageIO
import Foundation
import SplatCore

/// PNG and JPEG decoding/encoding through the CImageIO shim. The format is chosen by the file's
/// magic bytes, never by its extension.
public enum ImageCodec {
    public enum Format: String, Sendable { case png, jpeg }

    /// The format whose signature starts `bytes`, or nil.
    public static func format(of bytes: some Collection<UInt8>) -> Format? {
        let head = Array(bytes.prefix(8))
        if head.count >= 8 && head == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] { return .png }
        if head.count >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF { return .jpeg }
        return nil
    }

    public static func decode(path: String) throws -> Image8 {
        try decode(data: try readFile(path), name: path)
    }

    /// Decodes PNG or JPEG bytes; `name` is only used in error messages.
    public static func decode(data: Data, name: String) throws -> Image8 {
        guard let format = format(of: data) else {
            throw InputError(name, "not a PNG or JPEG file (unrecognised signature)")
        }
        var image = splat_image()
        var message = [CChar](repeating: 0, count: 256)
        let status: Int32 = data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            switch format {
            case .png: return splat_png_decode(bytes.baseAddress, bytes.count, &image, &message, message.count)
            case .jpeg: return splat_jpeg_decode(bytes.baseAddress, bytes.count, &image, &message, message.count)
            }
        }
        defer { splat_imageio_free(image.pixels) }
        guard status == Int32(SPLAT_IMAGEIO_OK), let pixels = image.pixels else {
            throw InputError(name, "cannot decode \(format.rawValue): \(messageText(message))")
        }
        let count = Int(image.width) * Int(image.height) * Int(image.channels)
        return Image8(width: Int(image.width), height: Int(image.height), channels: Int(image.channels),
                      pixels: Array(UnsafeBufferPointer(start: pixels, count: count)))
    }

    public static func encodePNG(_ image: Image8) throws -> Data {
        var out: UnsafeMutablePointer<UInt8>? = nil
        var size = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = image.pixels.withUnsafeBufferPointer { px in
            splat_png_encode(px.baseAddress, Int32(clamping: image.width), Int32(clamping: image.height),
                             Int32(image.channels), &out, &size, &message, message.count)
        }
        defer { splat_imageio_free(out) }
        guard status == Int32(SPLAT_IMAGEIO_OK), let out else {
            throw InputError("<png>", "cannot encode: \(messageText(message))")
        }
        return Data(bytes: out, count: size)
    }

    /// Encodes and writes atomically (temporary file + rename).
    public static func writePNG(_ image: Image8, to path: String) throws {
        let data: Data
        do { data = try encodePNG(image) } catch let e as InputError { throw InputError(path, e.problem) }
        try AtomicFile.write(data, to: path)
    }

    /// Width and height from the file header without decoding pixels (PNG IHDR, JPEG SOF).
    public static func readSize(path: String) throws -> (width: Int, height: Int) {
        // Headers sit near the start; JPEG EXIF blocks are at most 64 KiB each.
        var data = try readFile(path, limit: 1 << 18)
        switch format(of: data) {
        case .png:
            guard data.count >= 24, data[data.startIndex + 12 ..< data.startIndex + 16].elementsEqual("IHDR".utf8) else {
                throw InputError(path, "PNG header is truncated")
            }
            let be = { (o: Int) in data[data.startIndex + o ..< data.startIndex + o + 4].reduce(0) { $0 << 8 | Int($1) } }
            return (be(16), be(20))
        case .jpeg:
            if let size = try? jpegSize(data, name: path) { return size }
            data = try readFile(path)  // the SOF marker lies beyond the prefix
            return try jpegSize(data, name: path)
        case nil:
            throw InputError(path, "not a PNG or JPEG file (unrecognised signature)")
        }
    }

    private static func jpegSize(_ data: Data, name: String) throws -> (width: Int, height: Int) {
        var w: Int32 = 0, h: Int32 = 0, c: Int32 = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            return splat_jpeg_read_header(bytes.baseAddress, bytes.count, &w, &h, &c, &message, message.count)
        }
        guard status == Int32(SPLAT_IMAGEIO_OK) else {
            throw InputError(name, "cannot read JPEG header: \(messageText(message))")
        }
        return (Int(w), Int(h))
    }

    static func readFile(_ path: String, limit: Int? = nil) throws -> Data {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw InputError(path, exists ? "cannot open file" : "file not found")
        }
        defer { try? handle.close() }
        do {
            if let limit { return try handle.read(upToCount: limit) ?? Data() }
            return try handle.readToEnd() ?? Data()
        } catch {
            throw InputError(path, "cannot read file (\(error.localizedDescription))")
        }
    }

    private static func messageText(_ buffer: [CChar]) -> String {
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        let text = String(decoding: bytes, as: UTF8.self)
        return text.isEmpty ? "unknown error" : text
    }
}
