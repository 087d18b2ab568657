/// Everything that can stop `splat optimize`; each message is one line naming the file or
/// the place where the problem is.
public enum TrainError: Error, CustomStringConvertible, Equatable {
    /// A run.yaml problem: the file and what is wrong.
    case config(file: String, message: String)
    /// A checkpoint that cannot be read or does not fit the run.
    case checkpoint(file: String, message: String)
    /// The loss or a gradient group stopped being finite; the last good state was saved.
    case nonFinite(what: String, step: Int, savedTo: String)
    /// Any other input problem (scene, init, images), with the path it concerns.
    case input(file: String, message: String)

    public var description: String {
        switch self {
        case let .config(file, message): "\(file): \(message)"
        case let .checkpoint(file, message): "\(file): \(message)"
        case let .nonFinite(what, step, savedTo):
            "\(savedTo): non-finite \(what) at step \(step); training stopped and the last good state was saved here"
        case let .input(file, message): "\(file): \(message)"
        }
    }
}
