import Foundation
import SplatCore
import Testing

@Suite struct AtomicFileSweepTests {
    /// A pid that was just used by a process that has exited (and was reaped).
    static func deadPid() throws -> pid_t {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/true")
        try p.run()
        p.waitUntilExit()
        return p.processIdentifier
    }

    @Test func sweepRemovesOnlyTemporariesOfDeadProcesses() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("splat-sweep-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let dead = try Self.deadPid()
        #expect(kill(dead, 0) != 0 && errno == ESRCH)
        let names = [
            ".point_cloud.ply.\(dead).tmp",        // stale: removed
            ".checkpoint.bin.\(getpid()).tmp",     // ours (a write in progress): kept
            ".x.png.1.tmp",                        // pid 1 is alive: kept
            "keep.\(dead).tmp",                    // not hidden: not AtomicFile's
            ".\(dead).tmp",                        // no name part
            ".a.\(dead)x.tmp",                     // pid not a number
            ".a.\(dead).tmp.png",                  // other suffix
            "point_cloud.ply",
        ]
        for n in names { try Data("x".utf8).write(to: dir.appendingPathComponent(n)) }
        // A directory with a stale temporary's name is not a file we wrote: kept.
        try FileManager.default.createDirectory(at: dir.appendingPathComponent(".d.\(dead).tmp"), withIntermediateDirectories: false)
        let removed = AtomicFile.sweepStaleTemporaries(in: dir.path)
        #expect(removed == [".point_cloud.ply.\(dead).tmp"])
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(left == (names.dropFirst() + [".d.\(dead).tmp"]).sorted())
    }

    @Test func temporaryOwnerParsesOnlyTheAtomicFileShape() {
        #expect(AtomicFile.temporaryOwner(".a.b.ply.123.tmp") == 123)
        #expect(AtomicFile.temporaryOwner(".a.123.tmp") == 123)
        #expect(AtomicFile.temporaryOwner(".123.tmp") == nil)
        #expect(AtomicFile.temporaryOwner("a.123.tmp") == nil)
        #expect(AtomicFile.temporaryOwner(".a.0.tmp") == nil)
        #expect(AtomicFile.temporaryOwner(".a.-5.tmp") == nil)
        #expect(AtomicFile.temporaryOwner(".a.99999999999.tmp") == nil)
    }

    @Test func sweepOfAMissingDirectoryDoesNothing() {
        #expect(AtomicFile.sweepStaleTemporaries(in: "/nonexistent-\(UUID().uuidString)").isEmpty)
    }
}
