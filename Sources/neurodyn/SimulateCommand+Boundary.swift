import Activations
import ArgumentParser
import Foundation
import MeanField
import RunOutput

extension SimulateCommand {
    struct Boundary: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The finite-width order/chaos boundary over a (sigma_w^2, sigma_b^2) grid.",
            discussion: """
                For every grid point and width, --nets networks of --depth layers carry an input of
                length --q1 and a tangent vector. After --burn-in layers each layer's growth
                g = |J v|^2/|v|^2 is recorded. Writes DIR/boundary.csv (sigma_w2, sigma_b2, width,
                chi1_hat = E g, chi1_stderr, lyapunov = E ln g, lyapunov_stderr, chi1_mean_field),
                DIR/run.json and DIR/boundary.ipynb (the lambda = 0 and chi1_hat = 1 lines per width
                against the mean-field chi_1 = 1 line). Default sampling: kernel (exact law of each
                layer, O(N) per layer); --sampling streamed uses explicit weights.
                """)

        @OptionGroup var activationOption: ActivationOption
        @Option(name: .customLong("sigma-w2"), parsing: .unconditional, help: "Weight-variance range LO:HI:COUNT (default: 0.5:3:26).",
                transform: GridAxisArgument.parse)
        var sigmaW2: GridAxisArgument?
        @Option(name: .customLong("sigma-b2"), parsing: .unconditional, help: "Bias-variance range LO:HI:COUNT (default: 0:0.3:7).",
                transform: GridAxisArgument.parse)
        var sigmaB2: GridAxisArgument?
        @Option(help: "Widths, comma-separated (default: 16,64,256).", transform: CommaList.positiveIntegers)
        var widths: [Int] = [16, 64, 256]
        @Option(parsing: .unconditional, help: "Networks per point and width (>= 2).")
        var nets: Int = 24
        @Option(parsing: .unconditional, help: "Layers per network.")
        var depth: Int = 40
        @Option(name: .customLong("burn-in"), parsing: .unconditional, help: "Layers skipped before measuring.")
        var burnIn: Int = 10
        @Option(parsing: .unconditional, help: "Layer-1 length of the input (> 0).")
        var q1: Double = 1
        @Option(help: "Output directory (created if missing).")
        var out: String
        @Option(parsing: .unconditional, help: "Seed of the run; task k (grid order sigma_b2, sigma_w2, width) uses streams derived from (seed, k).")
        var seed: UInt64 = 1
        @Option(help: "Weight sampling: kernel, streamed or full.")
        var sampling: SimulationOptions.SamplingChoice = .kernel
        @Option(parsing: .unconditional, help: "Worker threads (default: all cores).")
        var threads: Int?
        @OptionGroup var shardOptions: ShardOptions
        @OptionGroup var output: FormatOptions
        @OptionGroup var progress: ProgressOptions

        func validate() throws { try requireValidThreads(threads) }

        func run() throws {
            let sigmaW2 = try self.sigmaW2 ?? GridAxisArgument.parse("0.5:3:26"), sigmaB2 = try self.sigmaB2 ?? GridAxisArgument.parse("0:0.3:7")
            let weightSampling: WeightSampling = switch sampling {
            case .kernel: .kernel
            case .streamed: .automatic
            case .full: .full
            }
            let activation = activationOption.activation
            let boundary = try FiniteWidthBoundary(activation: activation, sigmaW2: sigmaW2.axis, sigmaB2: sigmaB2.axis, widths: widths,
                                                   networks: nets, depth: depth, burnIn: burnIn, q1: q1, sampling: weightSampling)
            let shard = try shardOptions.shard()
            let directory = URL(fileURLWithPath: out)
            var manifest = RunManifest(
                command: "neurodyn simulate boundary",
                parameters: [("activation", .string(activation.name)), ("sigma_w2", .string(sigmaW2.text)),
                             ("sigma_b2", .string(sigmaB2.text)), ("widths", .array(boundary.widths.map { .int($0) })),
                             ("nets", .int(nets)), ("depth", .int(depth)), ("burn_in", .int(burnIn)), ("q1", .number(q1)),
                             ("sampling", .string(sampling.rawValue))],
                seed: seed, versions: softwareVersions, kernels: computeKernels, files: ["boundary.csv", "boundary.ipynb"])
            if !shard.isWhole {
                // Tasks are the unit: task k draws from the streams of (seed, k) alone.
                try runShard(shard, kind: "boundary", units: boundary.count, rowsPerUnit: 1, run: manifest, directory: directory,
                             format: output.format, quiet: progress.quiet) {
                    Self.table(try boundary.solve(tasks: shard.units(of: boundary.count), seed: seed, threads: threads,
                                       progress: progress.handler(label: "boundary tasks")))
                }
                return
            }
            let started = Date()
            let points = try boundary.solve(seed: seed, threads: threads, progress: progress.handler(label: "boundary tasks"))
            let elapsed = Date().timeIntervalSince(started)
            let table = Self.table(points)
            manifest.elapsedSeconds = elapsed
            try AtomicFile.write(table.text, to: directory.appendingPathComponent("boundary.csv"))
            try BoundaryNotebook.document(activation: activation).write(to: directory.appendingPathComponent("boundary.ipynb"))
            try AtomicFile.write(manifest.json.serialized() + "\n", to: directory.appendingPathComponent("run.json"))
            switch output.format {
            case .json:
                JSONValue.object([("tasks", .int(points.count)), ("seconds", .number(elapsed)), ("seed", .string(String(seed))),
                                  ("directory", .string(directory.path))]).print()
            case .csv:
                print(table.text, terminator: "")
            case .table:
                print(TableText.keyValues([("tasks", String(points.count)), ("seconds", String(format: "%.3f", elapsed)),
                                           ("seed", String(seed)),
                                           ("written", directory.path + "/{boundary.csv, run.json, boundary.ipynb}")]),
                      terminator: "")
            }
        }
    }
}

extension SimulateCommand.Boundary {
    /// boundary.csv's rows: one per task, in the order given.
    static func table(_ points: [FiniteWidthBoundary.Point]) -> CSVTable {
        var table = CSVTable(columns: ["sigma_w2", "sigma_b2", "width", "chi1_hat", "chi1_stderr", "lyapunov",
                                       "lyapunov_stderr", "chi1_mean_field"])
        for p in points {
            table.append([.number(p.sigmaW2), .number(p.sigmaB2), .int(p.width), .number(p.chi1Hat), .number(p.chi1Stderr),
                          .number(p.lyapunov), .number(p.lyapunovStderr), .number(p.chi1MeanField ?? .nan)])
        }
        return table
    }
}
