import Testing

@Test func SplatIOTestsPlaceholderBuilds() {}
