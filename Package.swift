// swift-tools-version: 6.1
import PackageDescription

// Release CPU target of every Swift library: on x86-64 a portable baseline, Haswell (AVX2, FMA, BMI2:
// Intel Haswell / AMD Zen 1 and later), so a release binary runs on any such machine.
// SPLAT_NATIVE=1 at build time targets the build machine's CPU instead (AVX-512 where it has it;
// that binary may die with SIGILL elsewhere). See docs/rasterizer.md, "Builds".
#if arch(x86_64)
let hotCPUFlags = Context.environment["SPLAT_NATIVE"] == "1"
    ? ["-target-cpu", "native"] : ["-target-cpu", "haswell"]
#else
let hotCPUFlags = Context.environment["SPLAT_NATIVE"] == "1" ? ["-target-cpu", "native"] : []
#endif
// Only the rasterizer also drops runtime checks (-Ounchecked): every target that reads files
// (SplatIO, SplatInit's correspondence and .npy readers, SplatTrain's checkpoints and config)
// keeps bounds, overflow and precondition checks in release builds (docs/performance.md rule 2).
let hotSwiftSettings: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked"] + hotCPUFlags, .when(configuration: .release)),
]
let checkedSwiftSettings: [SwiftSetting] = [
    .unsafeFlags(hotCPUFlags, .when(configuration: .release)),
]

let package = Package(
    name: "splat",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "splat", targets: ["splat"]),
        .executable(name: "splat-bench", targets: ["splat-bench"]),
        .executable(name: "splat-fuzz", targets: ["splat-fuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
    ],
    targets: [
        // MARK: - Private C/C++ shims (never imported by the CLI)
        .target(
            name: "CImageIO",
            linkerSettings: [.linkedLibrary("png"), .linkedLibrary("jpeg")]
        ),
        .target(
            name: "CEigenShim",
            cxxSettings: [.unsafeFlags(["-I/usr/include/eigen3", "-O2"])]
        ),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // The rasterizer's blend and projection kernels: AVX-512, AVX2 and plain variants picked at
        // run time (docs/rasterizer.md). Optimized in debug builds too, so the tests check the shipped code.
        .target(name: "CBlend", cSettings: [.unsafeFlags(["-O3", "-ffp-contract=off", "-fno-math-errno"])]),

        // MARK: - Pipeline libraries (arrows go one way: Core <- IO <- Init/Render <- Train <- CLI)
        .target(name: "SplatCore", swiftSettings: checkedSwiftSettings),
        .target(
            name: "SplatIO",
            dependencies: ["SplatCore", "CImageIO", "CZlib"],
            swiftSettings: checkedSwiftSettings
        ),
        .target(name: "SplatRender", dependencies: ["SplatCore", "CBlend"], swiftSettings: hotSwiftSettings),
        .target(
            name: "SplatInit",
            dependencies: ["SplatCore", "SplatIO", "CEigenShim"],
            swiftSettings: checkedSwiftSettings
        ),
        .target(
            name: "SplatTrain",
            dependencies: ["SplatCore", "SplatIO", "SplatRender", .product(name: "Yams", package: "Yams")],
            swiftSettings: checkedSwiftSettings
        ),

        // The local web viewer (`splat view`): HTTP server and the page's files; nothing below depends on it.
        .target(
            name: "SplatView",
            dependencies: ["SplatCore", "SplatIO", .product(name: "Hummingbird", package: "hummingbird")],
            resources: [.copy("Page")]
        ),

        // MARK: - Executables
        .executableTarget(
            name: "splat",
            dependencies: [
                "SplatCore", "SplatIO", "SplatRender", "SplatInit", "SplatTrain", "SplatView",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "splat-bench",
            dependencies: ["SplatCore", "SplatIO", "SplatRender", "SplatInit", "SplatTrain"],
            swiftSettings: hotSwiftSettings
        ),

        // Fuzz harness: a reproducer in normal builds; scripts/fuzz.sh builds the libFuzzer one.
        .executableTarget(name: "splat-fuzz", dependencies: ["SplatCore", "SplatIO", "SplatInit", "SplatTrain"]),

        // MARK: - Tests
        .testTarget(name: "SplatCoreTests", dependencies: ["SplatCore"]),
        .testTarget(name: "SplatIOTests", dependencies: ["SplatIO", "SplatInit", "SplatTrain"]),  // SplatInit/SplatTrain: FuzzRegressionTests
        .testTarget(name: "SplatRenderTests", dependencies: ["SplatRender", "SplatIO"]),
        .testTarget(name: "SplatInitTests", dependencies: ["SplatInit", "SplatIO"]),
        .testTarget(name: "SplatTrainTests", dependencies: ["SplatTrain", "SplatRender", "SplatIO"]),
        .testTarget(name: "SplatViewTests", dependencies: ["splat", "SplatView", "SplatIO", "SplatCore"]),
        .testTarget(name: "SplatCLITests", dependencies: ["splat", "SplatIO", "SplatRender", "SplatTrain"]),
    ],
    swiftLanguageModes: [.v6],
    cxxLanguageStandard: .cxx17
)
