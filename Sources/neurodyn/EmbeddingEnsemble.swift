import Activations
import ArgumentParser
import Embedding
import Foundation
import MeanField
import RunOutput

/// What the measuring embedding commands share: the model, the manifold and its placement,
/// the ensemble, the run, and the predictions for the same points.
struct EmbeddingEnsembleOptions: ParsableArguments {
    @OptionGroup var model: ModelOptions
    @Option(parsing: .unconditional, help: "Dimension k of the great sphere (1, 2 or 3; default 1, 2 for conformality; other manifolds fix their own).")
    var k: Int?
    @Option(parsing: .unconditional, help: "Number of layers L (>= 1).")
    var depth: Int
    @Option(parsing: .unconditional, help: "Networks in the ensemble (>= 2).")
    var nets: Int = 8
    @Option(parsing: .unconditional, help: "Sample points on the manifold (data files bring their own).")
    var points: Int = 64
    @Option(parsing: .unconditional, help: "Seed of the run (recorded in the output).")
    var seed: UInt64 = 1
    @Option(parsing: .unconditional, help: "Start of the q* solve (> 0).")
    var q0: Double = 1
    @Option(parsing: .unconditional, help: "Worker threads (default: all cores).")
    var threads: Int?
    @OptionGroup var manifold: ManifoldOptions

    func validate() throws { try requireValidThreads(threads) }

    /// The model, its q*, chi_1 and the placement length (--q, else q*).
    func setUp() throws -> (model: MeanFieldModel, qStar: Double, chi1: Double, length: Double) {
        let model = try model.model()
        let integrator = GaussianIntegrator(activation: model.activation)
        let qStar = try model.qStar(from: q0, using: integrator)
        let length = manifold.q ?? qStar
        guard length.isFinite, length > 0 else {
            throw ValidationError("invalid q: the placement length must be finite and > 0, got \(length)" + (manifold.q == nil ? " (q* = 0 here: pass --q)" : ""))
        }
        return (model, qStar, model.chi1(at: qStar, using: integrator), length)
    }

    /// The ensemble at width N, measuring the chords at `separations`.
    func simulation(model: MeanFieldModel, width: Int, length: Double, separations: [Int] = [], defaultK: Int = 1) throws -> EmbeddingSimulation {
        let input = try manifold.manifold.inputManifold(k: k ?? defaultK, points: points)
        return try EmbeddingSimulation(network: RandomNetwork(model: model, width: width, depth: depth), manifold: input, length: length,
                                networks: nets, placement: manifold.placement.value, separations: separations)
    }

    var parameters: [(String, JSONValue)] {
        model.parameters + [("manifold", .string(manifold.manifold.text)), ("k", k.map(JSONValue.int) ?? .null), ("placement", .string(manifold.placement.rawValue)),
                            ("q", manifold.q.map(JSONValue.number) ?? .null), ("depth", .int(depth)), ("nets", .int(nets)),
                            ("points", .int(points)), ("q0", .number(q0))]
    }
}

extension EmbeddingSimulation.Result {
    /// name (mean over networks), name_stderr and, when given, theory_name.
    func columns(_ name: String, _ quantity: EmbeddingSimulation.Quantity, theory: [Double?]?) -> [(String, [Double?])] {
        let summaries = (1...depth).map { summary(quantity, layer: $0) }
        return [(name, summaries.map(\.mean)), (name + "_stderr", summaries.map(\.stderrMean))] + (theory.map { [("theory_" + name, $0)] } ?? [])
    }

    func defined(_ quantity: EmbeddingSimulation.Quantity) -> Bool {
        (1...depth).contains { summary(quantity, layer: $0).mean.isFinite }
    }

    /// The radial stretch (where q varies) and the tangential stretch and radial deviation
    /// (where q varies and k >= 2), each beside its prediction.
    func radialColumns(_ predicted: PredictedGeometry) -> [(String, [Double?])] {
        var columns: [(String, [Double?])] = []
        if defined(.radialStretch) {
            columns += self.columns("radial_stretch", .radialStretch, theory: predicted.radialStretch.optionals)
        }
        if defined(.radialDeviation) {
            columns += self.columns("tangential_stretch", .tangentialStretch, theory: predicted.tangentialStretch.optionals)
            columns += self.columns("radial_deviation", .radialDeviation, theory: predicted.radialDeviation.optionals)
        }
        return columns
    }
}

extension Array where Element == Double {
    /// As optionals, with non-finite values as nil (JSON null).
    var optionals: [Double?] { map { $0.isFinite ? $0 : nil } }
}
