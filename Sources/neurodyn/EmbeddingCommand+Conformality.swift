import Activations
import ArgumentParser
import Embedding
import Foundation
import MeanField
import RunOutput

extension EmbeddingCommand {
    struct Conformality: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Is the pulled-back metric conformal? Its eigenvalues against chi_1^{l-1} and the derived radial correction.",
            discussion: """
                Per layer, the eigenvalues of the metric relative to the input metric, measured over
                --nets networks: conformal_factor (their mean; theory A_l + B_l |dq|^2/k, which is
                chi_1^{l-1} on a great sphere at q*), anisotropy (largest/smallest) and
                anisotropy_excess_sqrt_n = (anisotropy - 1) sqrt(N), which stays O(1) where the
                theory is conformal; where q varies along the manifold (e.g. --manifold plane:1),
                radial_stretch along dq and tangential_stretch across it with the mean-field
                prediction g^{l+1} = chi_1(q) g^l + 1/2 chi_1'(q) dq dq^T (Amari et al.'s conformality
                holds only where q is constant; relu and linear networks are exactly conformal).
                Default manifold: the great 2-sphere (--k 2).
                """)

        @OptionGroup var ensemble: EmbeddingEnsembleOptions
        @Option(parsing: .unconditional, help: "Width N of every layer.")
        var width: Int
        @OptionGroup var output: FormatOptions
        @OptionGroup var directory: DirectoryOption
        @OptionGroup var progress: ProgressOptions

        func run() throws {
            let (model, qStar, chi1, length) = try ensemble.setUp()
            let simulation = try ensemble.simulation(model: model, width: width, length: length, defaultK: 2)
            let started = Date()
            let result = try simulation.run(seed: ensemble.seed, threads: ensemble.threads, progress: progress.handler(label: "networks"))
            let predicted = try simulation.predicted(using: GaussianIntegrator(activation: model.activation))
            let elapsed = Date().timeIntervalSince(started)
            let layers = Array(1...ensemble.depth)
            var columns = result.columns("conformal_factor", .conformalFactor, theory: predicted.conformalFactor.optionals)
            columns += result.columns("anisotropy", .anisotropy, theory: nil)
            let excess = layers.map { SampleSummary(result.samples(.anisotropy, layer: $0).map { ($0 - 1) * Double(width).squareRoot() }) }
            columns += [("anisotropy_excess_sqrt_n", excess.map(\.mean)), ("anisotropy_excess_sqrt_n_stderr", excess.map(\.stderrMean))]
            columns += result.columns("q_hat", .qHat, theory: predicted.qHat.optionals)
            columns += result.radialColumns(predicted)
            let report = LayerColumns(layers: layers, columns: columns, header: [
                ("seed", .string(String(ensemble.seed))), ("width", .int(width)), ("nets", .int(ensemble.nets)),
                ("points", .int(simulation.manifold.points)), ("k", .int(simulation.manifold.dimension)), ("q", .number(length)),
                ("q_star", .number(qStar)), ("chi1", .number(chi1))])
            report.print(format: output.format)
            if let out = directory.out {
                try report.write(to: out, name: "embedding-conformality", manifest: RunManifest(
                    command: "neurodyn embedding conformality", parameters: ensemble.parameters + [("width", .int(width))],
                    seed: ensemble.seed, versions: softwareVersions, kernels: computeKernels, files: [], elapsedSeconds: elapsed))
            }
        }
    }
}
