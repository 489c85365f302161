import Activations
import ArgumentParser
import Foundation
import MeanField
import RunOutput

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge the shards of a sweep into the files the unsharded command writes.",
        discussion: """
            Reads DIR/shard-I-of-N.{json,csv} (written by sweeps run with --shard-count N > 1),
            checks that they are one sweep (kind, parameters hash, seed, software versions) and
            complete, naming any shard that is missing or differs, and writes DIR/KIND.csv (the
            same bytes as an unsharded run), DIR/KIND.ipynb and DIR/run.json (with the shards'
            total compute time). --list-missing prints the indices still to run, comma-separated
            (empty when none), for resubmitting only those.
            """)

    @Argument(help: "The directory holding the shards.")
    var directory: String
    @Flag(name: .customLong("list-missing"), help: "Print the missing shard indices (needs --shard-count) and exit.")
    var listMissing = false
    @Option(name: .customLong("shard-count"), parsing: .unconditional, help: "The number of shards, for --list-missing.")
    var shardCount: Int?
    @OptionGroup var output: FormatOptions

    func validate() throws {
        if listMissing, (shardCount ?? 0) < 1 { throw ValidationError("invalid shard-count: --list-missing needs --shard-count N >= 1") }
    }

    func run() throws {
        let url = URL(fileURLWithPath: directory)
        if listMissing, let shardCount {
            let missing = try ShardSet.missing(in: url, count: shardCount)
            print(missing.map(String.init).joined(separator: ","))
            return
        }
        let set = try ShardSet(directory: url)
        let csv = try set.mergedCSV()
        if let kernels = set.mixedKernels {
            printMessage("note: the shards ran on different kernel families (\(Set(kernels).sorted().joined(separator: "; "))): every row holds to the stated accuracy, but the merge equals an unsharded run bit for bit only within one family (run.json lists each shard's)", quiet: false)
        }
        if set.kind == "ensemble" {
            try Self.replay(set, csv: csv)
            return
        }
        guard let activation = set.run["parameters"]?["activation"]?.stringValue.flatMap({ try? Activation(parsing: $0) }) else {
            throw ValidationError("invalid shards: their manifests name no known activation")
        }
        let notebook: NotebookDocument
        switch set.kind {
        case "phase": notebook = PhaseNotebook.document(activation: activation)
        case "boundary": notebook = BoundaryNotebook.document(activation: activation)
        default:
            throw ValidationError("invalid shards: unknown sweep kind '\(set.kind)'")
        }
        try AtomicFile.write(csv, to: url.appendingPathComponent(set.kind + ".csv"))
        try notebook.write(to: url.appendingPathComponent(set.kind + ".ipynb"))
        try AtomicFile.write(set.mergedRunJSON.serialized() + "\n", to: url.appendingPathComponent("run.json"))
        let report: [(String, JSONValue)] = [
            ("kind", .string(set.kind)), ("shards", .int(set.entries.count)),
            ("rows", .int(csv.split(separator: "\n").count - 1)),
            ("written", .string(url.path + "/{\(set.kind).csv, \(set.kind).ipynb, run.json}"))]
        switch output.format {
        case .json: JSONValue.object(report).print()
        case .csv, .table: print(TableText.keyValues(report.map { ($0.0, $0.1.stringValue ?? $0.1.serialized(pretty: false)) }), terminator: "")
        }
    }
}

extension MergeCommand {
    /// Ensembles: the networks' values in network order, handed to the recorded command's report.
    static func replay(_ set: ShardSet, csv: String) throws {
        guard let arguments = set.entries[0].arguments,
              let command = try? Neurodyn.parseAsRoot(arguments), let sweep = command as? EnsembleSweep else {
            throw ValidationError("invalid shards: their manifests do not hold a command line that neurodyn can replay")
        }
        var values: [Double] = []
        for (unit, line) in csv.split(separator: "\n").dropFirst().enumerated() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            guard Int(cells[0]) == unit else {
                throw CommandFailure("invalid shards: row \(unit + 1) of the merged ensemble holds network \(cells[0]), expected \(unit)")
            }
            // An empty cell is a non-finite value (CSVTable writes those empty); anything else
            // must be a number: a cell that is neither is refused, not read as NaN.
            for (column, cell) in cells.dropFirst().enumerated() {
                if cell.isEmpty { values.append(.nan); continue }
                guard let value = Double(cell) else {
                    throw CommandFailure("invalid shards: row \(unit + 1), column \(column + 2) of the merged ensemble holds '\(cell)', not a number; rerun the shard that holds network \(unit)")
                }
                values.append(value)
            }
        }
        try sweep.report(merged: values)
    }
}
