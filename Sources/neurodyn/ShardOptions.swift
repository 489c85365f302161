import ArgumentParser
import Foundation
import RunOutput

/// --shard-index/--shard-count for sweeps (README, "Sweeps beyond one machine").
struct ShardOptions: ParsableArguments {
    @Option(name: .customLong("shard-index"), parsing: .unconditional, help: "This shard's index, from 0 (default: SLURM_ARRAY_TASK_ID, then OMPI_COMM_WORLD_RANK, else 0).")
    var index: Int?
    @Option(name: .customLong("shard-count"), parsing: .unconditional, help: "Number of shards (default: SLURM_ARRAY_TASK_COUNT, then OMPI_COMM_WORLD_SIZE, else 1). With more than one, the command computes only its round-robin share of the units and writes DIR/shard-I-of-N.{csv,json}; 'neurodyn merge DIR' then writes the sweep's files.")
    var count: Int?
    @Option(name: .customLong("shard-dir"), help: "Where shard files go, for commands without --out (ensembles); merge it with 'neurodyn merge DIR'.")
    var directory: String?

    func shard() throws(ValidationError) -> Shard {
        do { return try Self.shard(index: index, count: count) } catch { throw ValidationError("invalid shard: \(error.description)") }
    }
}

extension ShardOptions {
    /// The shard from explicit options, else SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT, else
    /// OMPI_COMM_WORLD_RANK / OMPI_COMM_WORLD_SIZE, else 0 of 1. Slurm arrays must be numbered
    /// from 0 (the task id is the index); an explicit count wins over the environment's, which
    /// is what a resubmission of a few missing shards needs.
    static func shard(index: Int?, count: Int?, environment: [String: String] = ProcessInfo.processInfo.environment) throws(ShardError) -> Shard {
        func number(_ key: String) throws(ShardError) -> Int? {
            guard let text = environment[key] else { return nil }
            guard let value = Int(text) else { throw .invalid("\(key) must be an integer, got '\(text)'") }
            return value
        }
        let slurm = (try number("SLURM_ARRAY_TASK_ID"), try number("SLURM_ARRAY_TASK_COUNT"))
        let mpi = (try number("OMPI_COMM_WORLD_RANK"), try number("OMPI_COMM_WORLD_SIZE"))
        let fromEnvironment: (Int, Int)? = slurm.0 != nil ? (slurm.0!, slurm.1 ?? 1) : mpi.0 != nil ? (mpi.0!, mpi.1 ?? 1) : nil
        return try Shard(index: index ?? fromEnvironment?.0 ?? 0, count: count ?? fromEnvironment?.1 ?? 1)
    }
}

/// Runs one shard of a sweep: computes its units' rows and writes them with their manifest,
/// unless a complete shard from the same parameters is already there (a rerun resumes by
/// skipping it); reports on stdout in the chosen format.
func runShard(_ shard: Shard, kind: String, units: Int, rowsPerUnit: Int, run: RunManifest, directory: URL,
              format: OutputFormat, quiet: Bool, arguments: [String]? = nil, compute: () throws -> CSVTable) throws {
    var manifest = ShardManifest(kind: kind, shard: shard, units: units, rowsPerUnit: rowsPerUnit, run: run, elapsedSeconds: 0,
                                 arguments: arguments)
    let skipped = manifest.isComplete(in: directory)
    if skipped {
        printMessage("\(shard.stem) is already complete in \(directory.path): skipped", quiet: quiet)
    } else {
        let started = Date()
        let table = try compute()
        manifest.elapsedSeconds = Date().timeIntervalSince(started)
        try manifest.write(table: table, to: directory)
    }
    let report: [(String, JSONValue)] = [
        ("shard_index", .int(shard.index)), ("shard_count", .int(shard.count)), ("units", .int(shard.units(of: units).count)),
        ("skipped", .bool(skipped)), ("seconds", .number(manifest.elapsedSeconds)),
        ("files", .array([.string(directory.appendingPathComponent(shard.stem + ".csv").path),
                          .string(directory.appendingPathComponent(shard.stem + ".json").path)]))]
    switch format {
    case .json: JSONValue.object(report).print()
    case .csv, .table: print(TableText.keyValues(report.map { ($0.0, $0.1.serialized(pretty: false)) }), terminator: "")
    }
}

/// A command whose networks can be split over shards: networks are the units, a shard's CSV holds
/// one row per network (its index, then its values), and `neurodyn merge` reassembles the values
/// in network order and replays the command's own report on them: the same output, bit for bit,
/// as the unsharded run.
protocol EnsembleSweep: ParsableCommand {
    /// Reports as `run()` does, from all networks' values in network order.
    func report(merged values: [Double]) throws
}

extension EnsembleSweep {
    /// Computes this shard's networks with `compute(members)` -> (values, values per network),
    /// writing them to the shard directory (--shard-dir, else `out`).
    func runEnsembleShard(_ shard: Shard, networks: Int, options: ShardOptions, out: String?, format: OutputFormat, quiet: Bool,
                          compute: ([Int]) throws -> (values: [Double], perNetwork: Int)) throws {
        guard let directory = options.directory ?? out else {
            throw ValidationError("invalid shard-dir: a sharded ensemble needs --shard-dir DIR (or --out DIR) for its shard files")
        }
        let arguments = Self.recordedArguments
        let run = RunManifest(command: "neurodyn " + Self.commandPath, parameters: [("arguments", .array(arguments.map { .string($0) }))],
                              versions: softwareVersions, kernels: computeKernels, files: [])
        try runShard(shard, kind: "ensemble", units: networks, rowsPerUnit: 1, run: run, directory: URL(fileURLWithPath: directory),
                     format: format, quiet: quiet, arguments: arguments) {
            let members = shard.units(of: networks)
            let (values, perNetwork) = try compute(members)
            var table = CSVTable(columns: ["network"] + (0..<perNetwork).map { "v\($0)" })
            for (k, member) in members.enumerated() {
                table.append([.int(member)] + values[(k * perNetwork)..<((k + 1) * perNetwork)].map { .number($0) })
            }
            return table
        }
    }

    /// The subcommand path, e.g. "simulate lengths".
    static var commandPath: String {
        let path = CommandLine.arguments.dropFirst().prefix { !$0.hasPrefix("-") }
        return path.joined(separator: " ")
    }

    /// This process's arguments without the shard and scheduling options (--shard-*, --threads,
    /// --quiet), which do not change the result.
    static var recordedArguments: [String] {
        var out: [String] = [], skipNext = false
        for argument in CommandLine.arguments.dropFirst() {
            if skipNext { skipNext = false; continue }
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            if ["--shard-index", "--shard-count", "--shard-dir", "--threads"].contains(name) {
                skipNext = !argument.contains("=")
                continue
            }
            if argument == "--quiet" { continue }
            out.append(argument)
        }
        return out
    }
}
