/// Errors of the dense initialization. The description is one line, `<file>: <what is wrong>`
/// (the "file" is the scene or correspondence path the problem was found in).
public struct InitError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let reason: String
    public init(_ file: String, _ reason: String) { self.file = file; self.reason = reason }
    public var description: String { "\(file): \(reason)" }
}
