import ArgumentParser
import Embedding
import Foundation
import MeanField
import Notebook

struct EmbeddingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embedding",
        abstract: "Geometry of input manifolds across depth: metric, curvature, theory beside measurement.",
        discussion: """
            A great k-sphere (k = 1: a circle) of radius sqrt(N q*) is placed in layer-1
            pre-activation space. Normalised quantities: g_bar = metric / N (relative to the input
            metric, in units of q*), r_bar = N x scalar curvature, ii_bar = N |II|^2,
            h_bar = N |H|^2, kappa2_bar = N kappa^2 (curves), lg_over_2pi = Grassmannian length / 2pi.
            """,
        subcommands: [Theory.self, Simulate.self])
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

        func run() throws {
            let model = try model.model()
            let theory = try usage { () throws(MeanFieldError) in
                try model.embeddingTheory(k: k, depth: depth, q0: q0, using: GaussianIntegrator(activation: model.activation))
            }
            var columns: [(String, [Double])] = [("g_bar", theory.gBar), ("r_bar", theory.rBar), ("ii_bar", theory.iiBar), ("h_bar", theory.hBar)]
            if let kappa = theory.kappa2Bar, let lg = theory.lgOver2pi { columns += [("kappa2_bar", kappa), ("lg_over_2pi", lg)] }
            printColumns(layers: theory.layers, columns: columns.map { ($0.0, $0.1.map { $0 }) }, format: output.format,
                         header: [("q_star", .number(theory.qStar)), ("chi1", .number(theory.chi1)), ("chi2", .number(theory.chi2))])
        }
    }

    struct Simulate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure the geometry of a great k-sphere through an ensemble of random networks.",
            discussion: """
                P sample points (uniform on the circle; a Kronecker lattice on a k-sphere patch with
                polar angles in [pi/4, 3pi/4]), their tangents and second derivatives propagated
                exactly through --nets networks of width N (weights streamed on dgemm). Each key of
                'embedding theory' is measured (mean over points, then over networks) with a
                *_stderr list over networks, and theory_* lists beside it; also conformal_factor and
                anisotropy (eigenvalues of the metric relative to the input metric) and q_hat.
                Measured curvatures carry an O(1/N) bias (a few % at N = 1000).
                """)

        @OptionGroup var model: ModelOptions
        @Option(parsing: .unconditional, help: "Manifold dimension k (1, 2 or 3).")
        var k: Int
        @Option(parsing: .unconditional, help: "Number of layers L (>= 1).")
        var depth: Int
        @Option(parsing: .unconditional, help: "Width N of every layer.")
        var width: Int
        @Option(parsing: .unconditional, help: "Networks in the ensemble (>= 2).")
        var nets: Int
        @Option(parsing: .unconditional, help: "Sample points on the manifold.")
        var points: Int
        @Option(parsing: .unconditional, help: "Seed of the run (recorded in the output).")
        var seed: UInt64 = 1
        @Option(parsing: .unconditional, help: "Start of the q* solve (> 0).")
        var q0: Double = 1
        @Option(help: "Worker threads (default: all cores).")
        var threads: Int?
        @OptionGroup var output: FormatOptions
        @OptionGroup var progress: ProgressOptions

        func run() throws {
            let model = try model.model()
            try requireValidThreads(threads)
            let theory = try usage { () throws(MeanFieldError) in
                try model.embeddingTheory(k: k, depth: depth, q0: q0, using: GaussianIntegrator(activation: model.activation))
            }
            let result = try usage { () throws(MeanFieldError) in
                let simulation = try EmbeddingSimulation(network: RandomNetwork(model: model, width: width, depth: depth),
                                                         manifold: InputManifold(shape: .greatSphere(k: k), points: points),
                                                         length: theory.qStar, networks: nets)
                return try simulation.run(seed: seed, threads: threads, progress: progress.handler(label: "networks"))
            }
            var quantities: [(String, EmbeddingSimulation.Quantity, [Double]?)] = [
                ("g_bar", .gBar, theory.gBar), ("r_bar", .rBar, theory.rBar), ("ii_bar", .iiBar, theory.iiBar), ("h_bar", .hBar, theory.hBar)]
            if k == 1 {
                quantities += [("kappa2_bar", .kappa2Bar, theory.kappa2Bar), ("lg_over_2pi", .lgOver2pi, theory.lgOver2pi)]
            }
            quantities += [("conformal_factor", .conformalFactor, nil), ("anisotropy", .anisotropy, nil), ("q_hat", .qHat, nil)]
            var columns: [(String, [Double?])] = []
            for (name, quantity, predicted) in quantities {
                let summaries = theory.layers.map { result.summary(quantity, layer: $0) }
                columns.append((name, summaries.map(\.mean)))
                columns.append((name + "_stderr", summaries.map(\.stderrMean)))
                if let predicted { columns.append(("theory_" + name, predicted)) }
            }
            printColumns(layers: theory.layers, columns: columns, format: output.format, header: [
                ("seed", .string(String(seed))), ("width", .int(width)), ("nets", .int(nets)), ("points", .int(points)),
                ("q_star", .number(theory.qStar)), ("chi1", .number(theory.chi1)), ("chi2", .number(theory.chi2))])
        }
    }
}
