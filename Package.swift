// swift-tools-version: 6.1
// Neurodyn: statistical neurodynamics and geometry of deep networks, on GNU GSL and OpenBLAS.
// Licence: GPL-3.0-or-later (GSL is GPL-3).
import PackageDescription

let package = Package(
    name: "Neurodyn",
    products: [
        .library(name: "GSLKit", targets: ["GSLKit"]),
        .library(name: "Activations", targets: ["Activations"]),
        .library(name: "MeanField", targets: ["MeanField"]),
        .library(name: "Embedding", targets: ["Embedding"]),
        .library(name: "Residual", targets: ["Residual"]),
        .library(name: "Hopfield", targets: ["Hopfield"]),
        .library(name: "RunOutput", targets: ["RunOutput"]),
        .executable(name: "neurodyn", targets: ["neurodyn"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "_CGSL",
            providers: [.apt(["libgsl-dev", "libopenblas-dev"])]
        ),
        // C logic beside GSL's API (the allocator, stepper lookup by name, MT19937 seeding).
        .target(name: "_CGSLSupport", dependencies: ["_CGSL"]),
        // Vectorised loops (exp through glibc's libmvec via clang's -fveclib, tanh, the
        // perceptron's products), called only from GSLKit; each is built for x86-64-v4, -v3 and
        // the baseline, chosen once per process from the CPU or lowered by NEURODYN_ISA.
        .target(
            name: "_CVectorMath",
            cSettings: [.unsafeFlags(["-O3", "-fno-math-errno", "-fveclib=libmvec"])],
            linkerSettings: [.linkedLibrary("mvec"), .linkedLibrary("m")]
        ),
        .target(name: "GSLKit", dependencies: ["_CGSL", "_CGSLSupport", "_CVectorMath"]),
        // phi and its derivatives, below both theories that use it (mean field and residual fields).
        .target(name: "Activations", dependencies: ["GSLKit"]),
        .target(name: "MeanField", dependencies: ["Activations", "GSLKit"]),
        .target(name: "Embedding", dependencies: ["MeanField", "Activations", "GSLKit"]),
        .target(name: "Residual", dependencies: ["Activations", "GSLKit"]),
        .target(name: "Hopfield", dependencies: ["GSLKit"]),
        .target(name: "RunOutput"),
        .executableTarget(
            name: "neurodyn",
            dependencies: [
                "Activations", "MeanField", "Embedding", "Residual", "Hopfield", "RunOutput", "GSLKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Error measures shared by the test targets (relative, max-abs, scaled max errors).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "GSLKitTests", dependencies: ["GSLKit"]),
        .testTarget(name: "ActivationsTests", dependencies: ["Activations", "GSLKit"]),
        .testTarget(name: "MeanFieldTests", dependencies: ["MeanField", "Activations", "GSLKit", "TestSupport"]),
        .testTarget(name: "EmbeddingTests", dependencies: ["Embedding", "MeanField", "Activations", "GSLKit"]),
        .testTarget(name: "ResidualTests", dependencies: ["Residual", "Activations", "GSLKit", "TestSupport"]),
        .testTarget(name: "HopfieldTests", dependencies: ["Hopfield", "GSLKit"]),
        .testTarget(name: "RunOutputTests", dependencies: ["RunOutput"]),
        .testTarget(name: "NeurodynCLITests", dependencies: ["neurodyn", "Activations", "MeanField", "GSLKit", "RunOutput"]),
    ]
)
