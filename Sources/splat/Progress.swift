import Foundation

/// One progress line per item on stderr (stdout stays for results).
enum Progress {
    static func line(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }
}
