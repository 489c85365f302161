import Activations
import ArgumentParser
import Foundation
import GSLKit
import MeanField
import RunOutput

extension MeanFieldCommand {
    struct Phase: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Phase diagram over a (sigma_w^2, sigma_b^2) grid, in parallel on all cores.",
            discussion: """
                Writes DIR/phase.csv (one row per point: sigma_w2, sigma_b2, q_star, chi1, c_star,
                chi_c, xi_q, xi_c, status, then the NTK at the fixed point: ntk_diagonal_limit,
                ntk_offdiagonal_limit, xi_ntk as in `point`; empty cells for infinite or missing values), DIR/run.json
                (parameters, versions, time) and DIR/phase.ipynb (heat maps of q*, chi_1 with the
                chi_1 = 1 line, c* and xi_c). A point without a solution gets a status
                (no_fixed_point, no_convergence) instead of stopping the sweep. Ranges are
                LO:HI:COUNT, both ends included. The grid's order is sigma_b2-major.
                """)

        @OptionGroup var activationOption: ActivationOption
        var activation: Activation { activationOption.activation }
        @Option(name: .customLong("sigma-w2"), parsing: .unconditional, help: "Weight-variance range LO:HI:COUNT, e.g. 0.5:4:200.",
                transform: GridAxisArgument.parse)
        var sigmaW2: GridAxisArgument
        @Option(name: .customLong("sigma-b2"), parsing: .unconditional, help: "Bias-variance range LO:HI:COUNT, e.g. 0:0.3:200.",
                transform: GridAxisArgument.parse)
        var sigmaB2: GridAxisArgument
        @Option(parsing: .unconditional, help: "Initial length q^0 of the fixed-point solves (> 0).")
        var q0: Double = 1
        @Option(help: "Output directory (created if missing).")
        var out: String
        @Option(parsing: .unconditional, help: "Worker threads (default: all cores).")
        var threads: Int?
        @OptionGroup var shardOptions: ShardOptions
        @OptionGroup var output: FormatOptions
        @OptionGroup var progress: ProgressOptions

        func validate() throws { try requireValidThreads(threads) }

        func run() throws {
            let diagram = try PhaseDiagram(activation: activation, sigmaW2: sigmaW2.axis, sigmaB2: sigmaB2.axis, q0: q0)
            let shard = try shardOptions.shard()
            let directory = URL(fileURLWithPath: out)
            var manifest = RunManifest(
                command: "neurodyn meanfield phase",
                parameters: [("activation", .string(activation.name)), ("sigma_w2", .string(sigmaW2.text)),
                             ("sigma_b2", .string(sigmaB2.text)), ("q0", .number(q0)), ("points", .int(diagram.count))],
                versions: softwareVersions, kernels: computeKernels, files: ["phase.csv", "phase.ipynb"])
            if !shard.isWhole {
                // Rows are the unit: a point's warm start depends on its row alone.
                try runShard(shard, kind: "phase", units: diagram.rowCount, rowsPerUnit: diagram.sigmaW2.count, run: manifest,
                             directory: directory, format: output.format, quiet: progress.quiet) {
                    Self.table(diagram.solve(rows: shard.units(of: diagram.rowCount), threads: threads,
                                             progress: progress.handler(label: "phase rows")))
                }
                return
            }
            let started = Date()
            let points = diagram.solve(threads: threads, progress: progress.handler(label: "phase rows"))
            let elapsed = Date().timeIntervalSince(started)

            manifest.elapsedSeconds = elapsed
            try AtomicFile.write(Self.table(points).text, to: directory.appendingPathComponent("phase.csv"))
            try PhaseNotebook.document(activation: activation).write(to: directory.appendingPathComponent("phase.ipynb"))
            try AtomicFile.write(manifest.json.serialized() + "\n", to: directory.appendingPathComponent("run.json"))

            var counts: [String: Int] = [:]
            for point in points {
                counts[point.analysis?.phase.rawValue ?? point.status.rawValue, default: 0] += 1
            }
            let summary: [(String, Int)] = ["ordered", "critical", "chaotic", "no_fixed_point", "no_convergence", "invalid"]
                .compactMap { key in counts[key].map { (key, $0) } }
            switch output.format {
            case .json:
                JSONValue.object([("points", .int(points.count)), ("seconds", .number(elapsed)),
                                  ("directory", .string(directory.path))] + summary.map { ($0.0, .int($0.1)) }).print()
            case .csv:
                var csv = CSVTable(columns: ["points", "seconds"] + summary.map(\.0))
                csv.append([.int(points.count), .number(elapsed)] + summary.map { .int($0.1) })
                print(csv.text, terminator: "")
            case .table:
                var pairs: [(String, String)] = [("points", String(points.count)), ("seconds", String(format: "%.3f", elapsed))]
                pairs += summary.map { ($0.0, String($0.1)) }
                pairs.append(("written", directory.path + "/{phase.csv, run.json, phase.ipynb}"))
                print(TableText.keyValues(pairs), terminator: "")
            }
        }
    }
}

extension MeanFieldCommand.Phase {
    /// phase.csv's rows: one per point, in the order given.
    static func table(_ points: [PhasePoint]) -> CSVTable {
        // The NTK at the fixed point follows the original columns (PointAnalysis.neuralTangentKernel).
        var table = CSVTable(columns: ["sigma_w2", "sigma_b2", "q_star", "chi1", "c_star", "chi_c", "xi_q", "xi_c", "status",
                                       "ntk_diagonal_limit", "ntk_offdiagonal_limit", "xi_ntk"])
        for point in points {
            let a = point.analysis
            let values: [Double?] = [a?.qStar, a?.chi1, a?.cStar, a?.chiC, a?.xiQ, a?.xiC]
            var row: [CSVTable.Cell] = [.number(point.sigmaW2), .number(point.sigmaB2)]
            row += values.map { CSVTable.Cell.number($0 ?? .nan) }
            row.append(.text(point.status.rawValue))
            let ntk = a?.neuralTangentKernel
            row += [ntk?.diagonalLimit, ntk?.offDiagonalLimit, ntk?.correlationDepthScale].map { CSVTable.Cell.number($0 ?? .nan) }
            table.append(row)
        }
        return table
    }
}

/// The kernel family recorded in every run manifest: the C kernels' instruction-set level and
/// OpenBLAS's kernels (both can be pinned: NEURODYN_ISA, OPENBLAS_CORETYPE).
var computeKernels: String { "\(VectorMath.instructionSet), OpenBLAS \(BLAS.coreName)" }

/// Versions recorded in every run manifest.
var softwareVersions: [(String, String)] {
    [("neurodyn", Neurodyn.version), ("gsl", gslVersion), ("openblas", BLAS.build)]
}
