import Testing

@Test func SplatRenderTestsPlaceholderBuilds() {}
