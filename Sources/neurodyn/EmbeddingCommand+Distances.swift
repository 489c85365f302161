import Activations
import ArgumentParser
import Embedding
import Foundation
import MeanField
import RunOutput

extension EmbeddingCommand {
    struct Distances: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Chord distances against curve length across depth, at several widths (Amari's paradox).",
            discussion: """
                For each width, --nets networks carry the manifold (default: a great circle at q*)
                and measure, per layer, the mean chord |h_p - h_{p+s}|^2/N of the sample pairs s
                apart (chord_s<s>), and for closed curves L^E/(2 pi sqrt N) (le) and the polygon
                through the sample points (polygon, same normalisation), with their standard
                errors, and resolution = polygon/le. Theory: the joint (q11, q22, c) map for every
                pair (2 q*(1 - c^l) on the great circle, tending to chord_limit = 2 q*(1 - c*)),
                L^E growing like chi_1^{l/2}. In the chaotic phase the chords saturate while the
                length keeps growing, so the polygon stops resolving the curve (resolution << 1):
                the finite set of inputs becomes a regular simplex while the curve folds.
                JSON: {header, layer, theory_* lists, runs: [{width, lists}]}; CSV: one row per
                width and layer. --out DIR also writes embedding-distances.ipynb, which plots both.
                """)

        @OptionGroup var ensemble: EmbeddingEnsembleOptions
        @Option(help: "Widths, comma-separated (default: 100,1000).", transform: CommaList.positiveIntegers)
        var widths: [Int] = [100, 1000]
        @Option(help: "Pair offsets s (sample points apart), comma-separated; default 1, P/8, P/4, P/2.", transform: CommaList.positiveIntegers)
        var separations: [Int]?
        @OptionGroup var output: FormatOptions
        @OptionGroup var directory: DirectoryOption
        @OptionGroup var progress: ProgressOptions

        func run() throws {
            let (model, qStar, chi1, length) = try ensemble.setUp()
            let integrator = GaussianIntegrator(activation: model.activation)
            let probe = try ensemble.simulation(model: model, width: widths[0], length: length)
            let points = probe.manifold.points
            let offsets = separations ?? Array(Set([1, points / 8, points / 4, points / 2].filter { $0 >= 1 })).sorted()
            let cStar = try model.cStar(qStar: qStar, chi1: chi1, using: integrator).cStar
            let started = Date()
            var predicted: PredictedGeometry?
            var runs: [(width: Int, columns: [(String, [Double?])])] = []
            for width in widths {
                let simulation = try ensemble.simulation(model: model, width: width, length: length, separations: offsets)
                let result = try simulation.run(seed: ensemble.seed, threads: ensemble.threads, progress: progress.handler(label: "networks at N = \(width)"))
                if predicted == nil { predicted = try simulation.predicted(using: integrator) }
                var columns: [(String, [Double?])] = []
                if simulation.manifold.isClosedCurve {
                    columns += result.columns("le", .leOver2piSqrtN, theory: nil) + result.columns("polygon", .polygonOver2piSqrtN, theory: nil)
                    columns.append(("resolution", (1...ensemble.depth).map { layer in
                        result.summary(.polygonOver2piSqrtN, layer: layer).mean / result.summary(.leOver2piSqrtN, layer: layer).mean
                    }))
                }
                for (index, s) in offsets.enumerated() {
                    let summaries = (1...ensemble.depth).map { result.chordSummary(index, layer: $0) }
                    columns += [("chord_s\(s)", summaries.map(\.mean)), ("chord_s\(s)_stderr", summaries.map(\.stderrMean))]
                }
                runs.append((width, columns))
            }
            let elapsed = Date().timeIntervalSince(started)
            var theory: [(String, [Double?])] = []
            if let le = predicted!.leOver2piSqrtN, let polygon = predicted!.polygonOver2piSqrtN {
                theory += [("theory_le", le.optionals), ("theory_polygon", polygon.optionals)]
            }
            for (index, s) in offsets.enumerated() { theory.append(("theory_chord_s\(s)", predicted!.chords[index].optionals)) }
            let layers = Array(1...ensemble.depth)
            let header: [(String, JSONValue)] = [
                ("seed", .string(String(ensemble.seed))), ("nets", .int(ensemble.nets)), ("points", .int(points)),
                ("separations", .array(offsets.map { .int($0) })), ("q", .number(length)), ("q_star", .number(qStar)),
                ("chi1", .number(chi1)), ("c_star", .number(cStar)), ("chord_limit", .number(2 * qStar * (1 - cStar)))]
            let json = JSONValue.object(header + [("layer", .array(layers.map { .int($0) }))]
                + theory.map { ($0.0, .array($0.1.map { .optional($0) })) }
                + [("runs", .array(runs.map { run in
                    .object([("width", .int(run.width))] + run.columns.map { ($0.0, .array($0.1.map { .optional($0) })) })
                }))])
            var table = CSVTable(columns: ["width", "layer"] + runs[0].columns.map(\.0) + theory.map(\.0))
            for run in runs {
                for k in layers.indices {
                    table.append([.int(run.width), .int(layers[k])] + (run.columns + theory).map { .number($0.1[k] ?? .nan) })
                }
            }
            switch output.format {
            case .json: json.print()
            case .csv: print(table.text, terminator: "")
            case .table:
                print(TableText.keyValues(header.map { ($0.0, $0.1.serialized(pretty: false)) }), terminator: "")
                print(TableText.columns(table.columns, table.rows.map { row in row.map { cell in
                    switch cell {
                    case .number(let x): x.isFinite ? TableText.number(x) : "-"
                    case .int(let i): String(i)
                    case .text(let s): s
                    }
                } }), terminator: "")
            }
            if let out = directory.out {
                let url = URL(fileURLWithPath: out)
                let manifest = RunManifest(command: "neurodyn embedding distances",
                                           parameters: ensemble.parameters + [("widths", .string(widths.map(String.init).joined(separator: ","))), ("separations", .array(offsets.map { .int($0) }))],
                                           seed: ensemble.seed, versions: softwareVersions, kernels: computeKernels,
                                           files: ["embedding-distances.csv", "embedding-distances.json", "embedding-distances.ipynb"],
                                           elapsedSeconds: elapsed)
                try AtomicFile.write(table.text, to: url.appendingPathComponent("embedding-distances.csv"))
                try AtomicFile.write(json.serialized() + "\n", to: url.appendingPathComponent("embedding-distances.json"))
                try DistancesNotebook.document(activation: model.activation.name)
                    .write(to: url.appendingPathComponent("embedding-distances.ipynb"))
                try AtomicFile.write(manifest.json.serialized() + "\n", to: url.appendingPathComponent("run.json"))
            }
        }
    }
}
