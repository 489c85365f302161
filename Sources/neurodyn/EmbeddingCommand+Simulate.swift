import Activations
import ArgumentParser
import Embedding
import Foundation
import MeanField
import RunOutput

extension EmbeddingCommand {
    struct Simulate: EnsembleSweep {
        static let configuration = CommandConfiguration(
            abstract: "Measure a manifold's geometry through an ensemble of random networks, beside the theory.",
            discussion: """
                P sample points (uniform on closed curves; a Kronecker lattice on patches), their
                tangents and second derivatives propagated exactly through --nets networks of width
                N (weights streamed on dgemm; data polylines take finite differences at the input
                only). Each key of 'embedding theory' is measured (mean over points, then over
                networks) with a *_stderr list over networks and theory_* beside it (the k-sphere
                formulas for a great sphere at q* in pre-activation space; null otherwise). Also
                conformal_factor and anisotropy (eigenvalues of the metric relative to the input
                metric), q_hat, the radial and tangential stretch of the metric where q varies
                along the manifold (with the derived radial correction as theory), and for closed
                curves L^E/(2 pi sqrt N) and the polygon through the sample points. Measured
                curvatures carry an O(1/N) bias (a few % at N = 1000).
                """)

        @OptionGroup var ensemble: EmbeddingEnsembleOptions
        @Option(parsing: .unconditional, help: "Width N of every layer.")
        var width: Int
        @OptionGroup var output: FormatOptions
        @OptionGroup var directory: DirectoryOption
        @OptionGroup var shardOptions: ShardOptions
        @OptionGroup var progress: ProgressOptions

        func run() throws {
            let (model, _, _, length) = try ensemble.setUp()
            let simulation = try ensemble.simulation(model: model, width: width, length: length)
            let shard = try shardOptions.shard()
            let started = Date()
            func measure(_ members: [Int]?) throws -> EmbeddingSimulation.Result {
                try simulation.run(seed: ensemble.seed, threads: ensemble.threads, members: members, progress: progress.handler(label: "networks"))
            }
            if !shard.isWhole {
                try runEnsembleShard(shard, networks: ensemble.nets, options: shardOptions, out: directory.out, format: output.format,
                                     quiet: progress.quiet) { members in
                    let result = try measure(members)
                    return (result.values, result.valuesPerNetwork)
                }
                return
            }
            try report(result: try measure(nil), elapsed: Date().timeIntervalSince(started))
        }

        func report(merged values: [Double]) throws {
            try report(result: try EmbeddingSimulation.Result(networks: ensemble.nets, depth: ensemble.depth, separations: [], values: values), elapsed: nil)
        }

        func report(result: EmbeddingSimulation.Result, elapsed: Double?) throws {
            let (model, qStar, chi1, length) = try ensemble.setUp()
            let integrator = GaussianIntegrator(activation: model.activation)
            let simulation = try ensemble.simulation(model: model, width: width, length: length)
            let k = simulation.manifold.dimension
            let predicted = try simulation.predicted(using: integrator)
            // The k-sphere formulas hold for a great sphere placed at q* in pre-activation space.
            let sphere = ensemble.manifold.manifold.isSphere && simulation.placement == .preactivations && abs(length - qStar) <= 1e-12 * qStar
                ? try model.embeddingTheory(k: k, depth: ensemble.depth, q0: ensemble.q0, using: integrator)
                : nil
            let none = [Double?](repeating: nil, count: ensemble.depth)
            var columns = result.columns("g_bar", .gBar, theory: predicted.gBar.optionals)
            columns += result.columns("r_bar", .rBar, theory: sphere?.rBar.optionals ?? none)
            columns += result.columns("ii_bar", .iiBar, theory: sphere?.iiBar.optionals ?? none)
            columns += result.columns("h_bar", .hBar, theory: sphere?.hBar.optionals ?? none)
            if k == 1 {
                columns += result.columns("kappa2_bar", .kappa2Bar, theory: sphere?.kappa2Bar?.optionals ?? none)
                if simulation.manifold.isClosedCurve {
                    columns += result.columns("lg_over_2pi", .lgOver2pi, theory: sphere?.lgOver2pi?.optionals ?? none)
                    columns += result.columns("le_over_2pi_sqrt_n", .leOver2piSqrtN, theory: predicted.leOver2piSqrtN?.optionals)
                    columns += result.columns("polygon_over_2pi_sqrt_n", .polygonOver2piSqrtN, theory: predicted.polygonOver2piSqrtN?.optionals)
                }
            }
            columns += result.columns("conformal_factor", .conformalFactor, theory: predicted.conformalFactor.optionals)
            columns += result.columns("anisotropy", .anisotropy, theory: nil)
            columns += result.columns("q_hat", .qHat, theory: predicted.qHat.optionals)
            columns += result.radialColumns(predicted)
            let report = LayerColumns(layers: Array(1...ensemble.depth), columns: columns, header: [
                ("seed", .string(String(ensemble.seed))), ("width", .int(width)), ("nets", .int(ensemble.nets)),
                ("points", .int(simulation.manifold.points)), ("k", .int(k)), ("q", .number(length)),
                ("q_star", .number(qStar)), ("chi1", .number(chi1)), ("chi2", sphere.map { .number($0.chi2) } ?? .null)])
            report.print(format: output.format)
            if let out = directory.out {
                try report.write(to: out, name: "embedding-simulate", manifest: RunManifest(
                    command: "neurodyn embedding simulate", parameters: ensemble.parameters + [("width", .int(width))],
                    seed: ensemble.seed, versions: softwareVersions, kernels: computeKernels, files: [], elapsedSeconds: elapsed))
            }
        }
    }
}
