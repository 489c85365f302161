import Activations
import ArgumentParser
import Foundation
import GSLKit
import MeanField
import RunOutput

struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Ensembles of finite-width random networks, measured beside the 1/N theory.",
        discussion: """
            Every network draws its weights from GSL's MT19937, seeded by SplitMix64 from
            (--seed, network index): the same seed gives the same bits for any --threads.
            Weights are streamed in row blocks (memory O(width x batch)); --sampling kernel
            draws each layer from its exact law given the previous one instead (O(width) per
            input, the same distribution of every observable, other bits).
            """,
        subcommands: [Lengths.self, Correlations.self, Boundary.self])
}

/// Options every simulation shares.
struct SimulationOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Seed of the run (recorded in the output); network t uses the stream derived from (seed, t).")
    var seed: UInt64 = 1
    @Option(help: "Weight sampling: streamed (row blocks of W on dgemm), full (whole W, the reference) or kernel (exact law, no W).")
    var sampling: SamplingChoice = .streamed
    @Option(name: .customLong("rows-per-block"), parsing: .unconditional, help: "Rows of W per streamed block: a multiple of 64 (default: about 2 MiB).")
    var rowsPerBlock: Int?
    @Option(parsing: .unconditional, help: "Worker threads (default: all cores); OpenBLAS runs one thread per worker.")
    var threads: Int?

    enum SamplingChoice: String, ExpressibleByArgument, CaseIterable { case streamed, full, kernel }

    func validate() throws { try requireValidThreads(threads) }

    var weightSampling: WeightSampling {
        switch sampling {
        case .streamed: .streamed(rowsPerBlock: rowsPerBlock)
        case .full: .full
        case .kernel: .kernel
        }
    }
}

/// Trials and width of an ensemble of equal-width networks.
struct EnsembleOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Width N of every layer (>= 1).")
    var width: Int
    @Option(parsing: .unconditional, help: "Number of layers L (>= 1).")
    var depth: Int
    @Option(parsing: .unconditional, help: "Number of independent networks (>= 2 for variances).")
    var trials: Int
    @Option(parsing: .unconditional, help: "Histogram of the per-network values in this many bins per layer (0: none).")
    var histogram: Int = 0

    func validate() throws {
        guard trials >= 2 else { throw ValidationError("invalid trials: must be >= 2 (a variance needs two networks), got \(trials)") }
        guard (0...100_000).contains(histogram) else {
            throw ValidationError("invalid histogram: must be between 0 and 100000 bins, got \(histogram)")
        }
    }

    func network(_ model: MeanFieldModel) throws(MeanFieldError) -> RandomNetwork {
        try RandomNetwork(model: model, width: width, depth: depth)
    }
}

/// Per-layer measured statistics beside a prediction, as output columns.
struct LayerComparison {
    var layers: [Int] = []
    var samples: [SampleSummary] = []
    var theoryMean: [Double?] = []
    var theoryVariance: [Double?] = []
    var meanField: [Double] = []
    var histograms: [Histogram] = []

    var zMean: [Double?] {
        zip(samples, theoryMean).map { s, t in t.map { (s.mean - $0) / s.stderrMean } }
    }
    var zVariance: [Double?] {
        zip(samples, theoryVariance).map { s, t in t.map { (s.variance - $0) / s.stderrVariance } }
    }

    func columns(measured: String, meanField meanFieldName: String) -> [(String, [Double?])] {
        [(meanFieldName, meanField.map { $0 }),
         ("mean_\(measured)", samples.map(\.mean)), ("theory_mean", theoryMean), ("stderr_mean", samples.map(\.stderrMean)),
         ("z_mean", zMean),
         ("var_\(measured)", samples.map(\.variance)), ("theory_var", theoryVariance), ("stderr_var", samples.map(\.stderrVariance)),
         ("z_var", zVariance)]
    }

    func print(format: OutputFormat, measured: String, meanField name: String, header: [(String, JSONValue)]) {
        let histogramData: [(String, JSONValue)] = histograms.isEmpty ? [] : [("histograms", .array(zip(layers, histograms).map { layer, h in
            .object([("layer", .int(layer)), ("edges", .numbers(h.edges)), ("counts", .array(h.counts.map { .int($0) }))])
        }))]
        LayerColumns(layers: layers, columns: columns(measured: measured, meanField: name), header: header, trailer: histogramData)
            .print(format: format)
    }
}

extension SimulateCommand {
    struct Lengths: GramEnsembleCommand {
        static let configuration = CommandConfiguration(
            abstract: "q_hat^l = |h^l|^2/N over an ensemble, beside the 1/N theory.",
            discussion: """
                h^1 has i.i.d. N(0, --q1) entries (the exact law of W^1 x + b^1 for an input of that
                length); --batch B feeds B mutually uncorrelated inputs of that length to each
                network. Per layer: mean_q_hat (over networks and inputs) with stderr_mean (from the
                per-network batch means), var_q_hat (the unbiased variance over networks, averaged
                over inputs) with stderr_var, the 1/N theory theory_mean = q^l + m_l/N and
                theory_var = (2 q^2 + s_l)/N (see 'meanfield finite-width'), the mean-field q^l,
                and z-scores (measured - theory)/stderr. With --histogram K, the per-network q_hat
                of input 0 in K bins per layer.
                """)

        @OptionGroup var model: ModelOptions
        @Option(parsing: .unconditional, help: "Layer-1 length q^1 (> 0).")
        var q1: Double
        @OptionGroup var ensemble: EnsembleOptions
        @Option(parsing: .unconditional, help: "Inputs per network (uncorrelated, of length q1).")
        var batch: Int = 1
        @OptionGroup var simulation: SimulationOptions
        @OptionGroup var shardOptions: ShardOptions
        @OptionGroup var output: FormatOptions
        @OptionGroup var progress: ProgressOptions

        func run() throws {
            let model = try model.model()
            let network = try ensemble.network(model)
            let sampling = simulation.weightSampling
            let input = try NetworkInput.orthogonal(q1: q1, batch: batch)
            try simulateEnsemble(network, input: input, sampling: sampling, lengthsOnly: true, report: report(grams:))
        }

        func report(merged values: [Double]) throws {
            try report(grams: try EnsembleGrams(trials: ensemble.trials, depth: ensemble.depth, batch: batch, seed: simulation.seed, lengthsOnly: true, values: values))
        }

        func report(grams: EnsembleGrams) throws {
            let model = try model.model()
            let theory = try model.finiteWidth(q1: q1, depth: ensemble.depth, using: GaussianIntegrator(activation: model.activation))
            var comparison = LayerComparison()
            for layer in 1...ensemble.depth {
                let perInput = (0..<batch).map { grams.lengths(layer: layer, input: $0) }
                comparison.samples.append(SampleSummary(pooling: perInput))
                comparison.layers.append(layer)
                comparison.theoryMean.append(theory.mean(width: ensemble.width)[layer - 1])
                comparison.theoryVariance.append(theory.variance(width: ensemble.width)[layer - 1])
                comparison.meanField.append(theory.q[layer - 1])
                if ensemble.histogram > 0 { comparison.histograms.append(Histogram(perInput[0], bins: ensemble.histogram)) }
            }
            comparison.print(format: output.format, measured: "q_hat", meanField: "mean_field_q", header: [
                ("seed", .string(String(simulation.seed))), ("width", .int(ensemble.width)), ("trials", .int(ensemble.trials)),
                ("batch", .int(batch)), ("sampling", .string(simulation.sampling.rawValue))])
        }
    }

    struct Correlations: GramEnsembleCommand {
        static let configuration = CommandConfiguration(
            abstract: "c_hat^l of a pair of inputs over an ensemble, beside the 1/N theory.",
            discussion: """
                Two inputs with layer-1 lengths --q1 and --q2 (default --q1) and correlation --c1.
                c_hat^l = h_a . h_b / (|h_a| |h_b|) per network. Per layer: mean_c_hat and var_c_hat
                with standard errors, the mean-field c^l, the 1/N theory of E[c_hat] and Var[c_hat]
                (the kernel (K_aa, K_ab, K_bb) recursion and the delta method; null where the
                mean-field 1 - |c^l| < 1e-7, outside the expansion), and z-scores.
                """)

        @OptionGroup var model: ModelOptions
        @Option(parsing: .unconditional, help: "Layer-1 length of input a (> 0).")
        var q1: Double
        @Option(parsing: .unconditional, help: "Layer-1 length of input b (> 0; default q1).")
        var q2: Double?
        @Option(parsing: .unconditional, help: "Layer-1 correlation of the pair, in [-1, 1].")
        var c1: Double
        @OptionGroup var ensemble: EnsembleOptions
        @OptionGroup var simulation: SimulationOptions
        @OptionGroup var shardOptions: ShardOptions
        @OptionGroup var output: FormatOptions
        @OptionGroup var progress: ProgressOptions

        func run() throws {
            let model = try model.model()
            let network = try ensemble.network(model)
            let sampling = simulation.weightSampling
            let input = try NetworkInput.pair(q11: q1, q22: q2 ?? q1, c: c1)
            try simulateEnsemble(network, input: input, sampling: sampling, lengthsOnly: false, report: report(grams:))
        }

        func report(merged values: [Double]) throws {
            try report(grams: try EnsembleGrams(trials: ensemble.trials, depth: ensemble.depth, batch: 2, seed: simulation.seed, lengthsOnly: false, values: values))
        }

        func report(grams: EnsembleGrams) throws {
            let model = try model.model()
            let network = try ensemble.network(model)
            let theory = try model.finiteWidthCorrelation(q11: q1, q22: q2 ?? q1, c: c1, widths: network.widths,
                                                          using: GaussianIntegrator(activation: model.activation))
            var comparison = LayerComparison()
            for layer in 1...ensemble.depth {
                let values = grams.correlations(layer: layer, 0, 1)
                comparison.layers.append(layer)
                comparison.samples.append(SampleSummary(values))
                comparison.theoryMean.append(theory.meanC[layer - 1])
                comparison.theoryVariance.append(theory.varianceC[layer - 1])
                comparison.meanField.append(theory.c[layer - 1])
                if ensemble.histogram > 0 { comparison.histograms.append(Histogram(values, bins: ensemble.histogram)) }
            }
            comparison.print(format: output.format, measured: "c_hat", meanField: "mean_field_c", header: [
                ("seed", .string(String(simulation.seed))), ("width", .int(ensemble.width)), ("trials", .int(ensemble.trials)),
                ("sampling", .string(simulation.sampling.rawValue))])
        }
    }
}

/// What `simulate lengths` and `simulate correlations` share: an ensemble with its options.
protocol GramEnsembleCommand: EnsembleSweep {
    var ensemble: EnsembleOptions { get }
    var simulation: SimulationOptions { get }
    var shardOptions: ShardOptions { get }
    var output: FormatOptions { get }
    var progress: ProgressOptions { get }
}

extension GramEnsembleCommand {
    /// Runs the ensemble (or, sharded, this shard's networks, written for `neurodyn merge`) and
    /// reports the whole ensemble's Gram matrices.
    func simulateEnsemble(_ network: RandomNetwork, input: NetworkInput, sampling: WeightSampling, lengthsOnly: Bool,
                          report: (EnsembleGrams) throws -> Void) throws {
        let shard = try shardOptions.shard()
        func simulate(_ members: [Int]?) throws -> EnsembleGrams {
            try network.simulate(input: input, trials: ensemble.trials, seed: simulation.seed, sampling: sampling, lengthsOnly: lengthsOnly,
                                 threads: simulation.threads, members: members, progress: progress.handler(label: "networks"))
        }
        guard shard.isWhole else {
            try runEnsembleShard(shard, networks: ensemble.trials, options: shardOptions, out: nil, format: output.format,
                                 quiet: progress.quiet) { members in
                let grams = try simulate(members)
                return (grams.values, grams.valuesPerTrial)
            }
            return
        }
        try report(try simulate(nil))
    }
}
