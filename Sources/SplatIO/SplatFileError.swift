/// The one error type of the output-format readers and writers (PLY, .splat, SPZ, export):
/// a single line `<file>: <what is wrong>`.
public struct SplatFileError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let reason: String

    public init(_ path: String, _ reason: String) {
        self.path = path; self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}
