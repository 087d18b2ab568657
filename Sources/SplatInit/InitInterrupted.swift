/// Thrown by `EDGSInitializer.run` when its `shouldStop` check says so (SIGINT/SIGTERM in the
/// CLI): nothing has been written, the work so far is dropped.
public struct InitInterrupted: Error, CustomStringConvertible {
    /// References fully matched and triangulated before the stop.
    public let referencesDone: Int
    public init(referencesDone: Int) { self.referencesDone = referencesDone }
    public var description: String { "initialization interrupted after \(referencesDone) reference(s)" }
}
