import Foundation

/// Writes files so that readers only ever see nothing or the complete file: data goes to a
/// temporary name in the same directory, is flushed to disk, then renamed over the target.
public enum AtomicFile {
    public struct WriteError: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "\(path): \(reason)" }
    }

    public static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw WriteError(path: path, reason: "directory \(dir) does not exist")
        }
        let tmp = dir + "/." + url.lastPathComponent + ".\(getpid()).tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw WriteError(path: path, reason: "cannot create file (\(String(cString: strerror(errno))))") }
        var ok = true
        data.withUnsafeBytes { (buf: UnsafeRawBufferPointer) in
            var off = 0
            while off < buf.count {
                let n = Foundation.write(fd, buf.baseAddress! + off, buf.count - off)
                if n <= 0 { ok = false; break }
                off += n
            }
        }
        let err = errno
        if ok && fsync(fd) != 0 { ok = false }
        close(fd)
        guard ok else {
            unlink(tmp)
            throw WriteError(path: path, reason: "write failed (\(String(cString: strerror(err))))")
        }
        guard rename(tmp, path) == 0 else {
            let e = errno
            unlink(tmp)
            throw WriteError(path: path, reason: "cannot rename into place (\(String(cString: strerror(e))))")
        }
    }

    public static func write(_ string: String, to path: String) throws {
        try write(Data(string.utf8), to: path)
    }
}
