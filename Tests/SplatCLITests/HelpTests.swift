import Testing

@Suite struct HelpTests {
    @Test func helpListsSubcommandsAndExitsZero() throws {
        let r = try CLI.run(["--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("info"))
    }

    @Test func unknownSubcommandFails() throws {
        let r = try CLI.run(["no-such-command"])
        #expect(r.status != 0)
    }
}
