// swift-tools-version:6.1
import PackageDescription

// Module boundaries (see README "Architecture"): dependencies point one way,
// COpenBLAS, CInferSIMD, CReducedPrecision <- InferKernels; InferIR <- InferONNX, InferOptimizer; all <- InferRuntime
// <- InferServeProtocol <- InferServe <- CLI.
let package = Package(
    name: "swiftc-infer",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "InferRuntime", targets: ["InferRuntime"]),
        .executable(name: "swiftc-infer", targets: ["swiftc-infer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.28.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.0.0"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.0.0"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", from: "2.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),
        .target(name: "InferIR"),
        .target(
            name: "InferONNX",
            dependencies: ["InferIR", .product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),
        .target(name: "InferOptimizer", dependencies: ["InferIR"]),
        // Vector kernels for instruction sets beyond the Swift targets' x86-64 baseline, each with its
        // own target attribute, picked at run time by CPU feature (InferKernels keeps the fallback).
        .target(name: "CInferSIMD"),
        // The reduced-precision GEMMs (AVX512-BF16, AMX, a portable variant), picked the same way.
        .target(name: "CReducedPrecision"),
        .target(
            name: "InferKernels", dependencies: ["COpenBLAS", "CInferSIMD", "CReducedPrecision"],
            // Kernels work on raw pointers; a var captured by a closure that runs on ParallelFor's
            // threads gets a dynamic exclusivity check per access (swift_beginAccess), which made
            // MaxPool 2.3x slower on two threads than on one. Debug builds keep the checks.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        .target(
            name: "InferRuntime",
            dependencies: ["InferIR", "InferONNX", "InferOptimizer", "InferKernels", "COpenBLAS"]
        ),
        // The KServe v2 protocol's requests without a network stack: the JSON / binary and gRPC
        // message decoders (which the fuzz target drives) and the generated protobuf messages.
        .target(
            name: "InferServeProtocol",
            dependencies: ["InferRuntime", .product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),
        // The KServe v2 / Triton-compatible server (`swiftc-infer serve`): HTTP and gRPC.
        .target(
            name: "InferServe",
            dependencies: [
                "InferRuntime",
                "InferIR",
                "InferServeProtocol",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
            ]
        ),
        .executableTarget(
            name: "swiftc-infer",
            dependencies: ["InferRuntime", "InferServe", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // The fuzz targets (Tools/fuzz.sh builds them with libFuzzer; a plain build is a replay tool).
        .executableTarget(
            name: "swiftc-infer-fuzz",
            dependencies: ["InferRuntime", "InferONNX", "InferIR", "InferServeProtocol", .product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),
        .testTarget(name: "InferIRTests", dependencies: ["InferIR"]),
        .testTarget(name: "InferONNXTests", dependencies: ["InferONNX", "InferIR"], exclude: ["Fixtures"]),
        .testTarget(name: "InferOptimizerTests", dependencies: ["InferOptimizer", "InferIR"]),
        .testTarget(name: "InferKernelsTests", dependencies: ["InferKernels", "InferIR"]),
        // Test support only: counts heap allocations per thread by interposing malloc & co.
        .target(name: "CAllocationCounter"),
        .testTarget(name: "InferRuntimeTests", dependencies: ["InferRuntime", "InferIR", "InferONNX", "CAllocationCounter"]),
        .testTarget(
            name: "InferServeTests",
            dependencies: [
                "InferServe", "InferServeProtocol", "InferRuntime", "InferIR",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
            ]
        ),
        .testTarget(name: "CLITests", dependencies: ["swiftc-infer", "swiftc-infer-fuzz", "InferRuntime"]),
    ]
)
