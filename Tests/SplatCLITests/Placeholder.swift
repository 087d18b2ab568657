import Testing

@Test func SplatCLITestsPlaceholderBuilds() {}
