/// Every failure of SplatIO (reading scenes, images and models, writing models and exports):
/// one line, `<file>: <what is wrong>`.
public struct InputError: Error, CustomStringConvertible, Equatable {
    /// The file (or folder) at fault.
    public var file: String
    public var problem: String

    public init(_ file: String, _ problem: String) {
        self.file = file; self.problem = problem
    }

    public var description: String { "\(file): \(problem)" }
}
