import Activations
import ArgumentParser
import Embedding
import Foundation
import MeanField
import RunOutput

struct EmbeddingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embedding",
        abstract: "Geometry of input manifolds across depth: metric, curvature, distances, theory beside measurement.",
        discussion: """
            By default a great k-sphere (k = 1: a circle) of radius sqrt(N q*) is placed in layer-1
            pre-activation space (--manifold and --placement choose others). Normalised quantities:
            g_bar = metric / N (relative to the input metric, in units of q), r_bar = N x scalar
            curvature, ii_bar = N |II|^2, h_bar = N |H|^2, kappa2_bar = N kappa^2 (curves),
            lg_over_2pi = Grassmannian length / 2pi, chords |h_a - h_b|^2 / N.
            """,
        subcommands: [Theory.self, Simulate.self, Distances.self, Conformality.self])
}

/// --out DIR for the embedding commands.
struct DirectoryOption: ParsableArguments {
    @Option(help: "Also write NAME.csv, NAME.json and run.json into this directory (created if missing).")
    var out: String?
}

extension EmbeddingCommand {
    struct Theory: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mean-field recursions for a great k-sphere (Poole et al. for k = 1).",
            discussion: """
                Lists over layers 1..L: g_bar = q* chi_1^{l-1}; r_bar = k(k-1)/(q* chi_1^{l-1});
                ii_bar = k(k+2) P_l/q* + k/(q* chi_1^{l-1}); h_bar = k(k+2) P_l/q* + k^2/(q* chi_1^{l-1}),
                P_1 = 0, P_{l+1} = P_l/chi_1 + q* chi_2/chi_1^2; for k = 1 also kappa2_bar and
                lg_over_2pi = sqrt(g_bar kappa2_bar). Kinked activations have chi_2 = infinity (null).
                """)

        @OptionGroup var model: ModelOptions
        @Option(parsing: .unconditional, help: "Manifold dimension k (1 = circle).")
        var k: Int
        @Option(parsing: .unconditional, help: "Number of layers L (>= 1).")
        var depth: Int
        @Option(parsing: .unconditional, help: "Start of the q* solve (> 0).")
        var q0: Double = 1
        @OptionGroup var output: FormatOptions
        @OptionGroup var directory: DirectoryOption

        func run() throws {
            let model = try model.model()
            let theory = try model.embeddingTheory(k: k, depth: depth, q0: q0, using: GaussianIntegrator(activation: model.activation))
            var columns: [(String, [Double])] = [("g_bar", theory.gBar), ("r_bar", theory.rBar), ("ii_bar", theory.iiBar), ("h_bar", theory.hBar)]
            if let kappa = theory.kappa2Bar, let lg = theory.lgOver2pi { columns += [("kappa2_bar", kappa), ("lg_over_2pi", lg)] }
            let report = LayerColumns(layers: theory.layers, columns: columns.map { ($0.0, $0.1.map { $0 }) },
                                      header: [("q_star", .number(theory.qStar)), ("chi1", .number(theory.chi1)), ("chi2", .number(theory.chi2))])
            report.print(format: output.format)
            if let out = directory.out {
                try report.write(to: out, name: "embedding-theory", manifest: RunManifest(
                    command: "neurodyn embedding theory", parameters: self.model.parameters + [("k", .int(k)), ("depth", .int(depth)), ("q0", .number(q0))],
                    versions: softwareVersions, kernels: computeKernels, files: []))
            }
        }
    }
}

extension ModelOptions {
    /// activation, sigma_w2, sigma_b2 for run manifests.
    var parameters: [(String, JSONValue)] {
        [("activation", .string(activation.name)), ("sigma_w2", .number(sigmaW2)), ("sigma_b2", .number(sigmaB2))]
    }
}
