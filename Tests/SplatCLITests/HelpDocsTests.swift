import Foundation
import Testing

/// docs/commands.md documents every flag each subcommand's `--help` prints, in that command's
/// own section ("## `splat <command>` ..."), so the two cannot drift apart.
@Suite struct HelpDocsTests {
    static let commands = ["info", "init", "optimize", "render", "eval", "export", "run", "view"]

    /// Long flags (`--name`) in a text, without --help and --version.
    static func flags(in text: String) -> Set<String> {
        let regex = try! NSRegularExpression(pattern: "--[a-z][a-z0-9-]*[a-z0-9]")
        let ns = text as NSString
        let found = regex.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { ns.substring(with: $0.range) }
        return Set(found).subtracting(["--help", "--version"])
    }

    /// The text of the section of docs/commands.md whose heading starts with "`splat <command>`".
    static func section(_ command: String, of doc: String) -> String? {
        let parts = doc.components(separatedBy: "\n## ")
        return parts.first { $0.hasPrefix("`splat \(command)`") }
    }

    @Test(arguments: commands)
    func everyFlagInHelpIsInCommandsMarkdown(command: String) throws {
        let doc = try String(contentsOf: CLI.repoRoot.appendingPathComponent("docs/commands.md"), encoding: .utf8)
        let help = try CLI.run([command, "--help"])
        #expect(help.status == 0)
        let helpFlags = Self.flags(in: help.stdout)
        #expect(!helpFlags.isEmpty)
        let section = try #require(Self.section(command, of: doc), "no section for splat \(command)")
        let missing = helpFlags.subtracting(Self.flags(in: section))
        #expect(missing.isEmpty, "docs/commands.md, splat \(command): \(missing.sorted())")
    }

    @Test func docsNameNoFlagACommandDoesNotHave() throws {
        let doc = try String(contentsOf: CLI.repoRoot.appendingPathComponent("docs/commands.md"), encoding: .utf8)
        for command in Self.commands {
            let help = try CLI.run([command, "--help"])
            let section = try #require(Self.section(command, of: doc))
            // Only the usage lines (code blocks starting with "splat <command>") list flags.
            let usage = section.components(separatedBy: "\n").filter { $0.hasPrefix("splat \(command)") || $0.hasPrefix("      ") }
            let unknown = Self.flags(in: usage.joined(separator: "\n")).subtracting(Self.flags(in: help.stdout))
            #expect(unknown.isEmpty, "docs/commands.md, splat \(command) usage: \(unknown.sorted())")
        }
    }
}
