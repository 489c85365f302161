// swift-tools-version: 6.1
// Benchmarks of the GSL-backed pieces (ordo-one/benchmark). Run from this folder:
//   swift package benchmark            (all)         swift package benchmark --filter dgemm
import PackageDescription

let package = Package(
    name: "NeurodynBenchmarks",
    dependencies: [
        .package(name: "Neurodyn", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "MeanFieldBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MeanField", package: "Neurodyn"),
                .product(name: "GSLKit", package: "Neurodyn"),
            ],
            path: "Benchmarks/MeanFieldBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ResidualBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Residual", package: "Neurodyn"),
                .product(name: "GSLKit", package: "Neurodyn"),
            ],
            path: "Benchmarks/ResidualBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
