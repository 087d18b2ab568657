import Testing

@Test func SplatTrainTestsPlaceholderBuilds() {}
