import Testing

@Test func SplatInitTestsPlaceholderBuilds() {}
