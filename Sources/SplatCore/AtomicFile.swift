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

    /// Removes the temporaries `.<name>.<pid>.tmp` that a killed process (SIGKILL, power loss)
    /// left in `directory`: only names of exactly that shape whose pid is not a live process
    /// (`kill(pid, 0)` fails with ESRCH). Our own pid and live or foreign-owned processes are
    /// kept; nothing else is touched, and nothing below `directory`. Returns the removed names.
    @discardableResult
    public static func sweepStaleTemporaries(in directory: String) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var removed = [String]()
        for name in names.sorted() {
            guard let pid = temporaryOwner(name), pid != getpid() else { continue }
            guard kill(pid, 0) != 0 && errno == ESRCH else { continue }
            let path = directory + "/" + name
            var info = stat()
            // Regular files only: a directory or link of that name is not ours.
            guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            if unlink(path) == 0 { removed.append(name) }
        }
        return removed
    }

    /// The pid in a temporary's name `.<name>.<pid>.tmp` (name not empty), or nil.
    public static func temporaryOwner(_ fileName: String) -> pid_t? {
        guard fileName.hasPrefix("."), fileName.hasSuffix(".tmp") else { return nil }
        let inner = fileName.dropFirst().dropLast(4)          // "<name>.<pid>"
        guard let dot = inner.lastIndex(of: "."), dot > inner.startIndex else { return nil }
        let digits = inner[inner.index(after: dot)...]
        guard !digits.isEmpty, digits.count <= 10, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              let value = Int32(digits), value > 0 else { return nil }
        return value
    }
}
