import ArgumentParser
import Foundation
import Notebook

/// --shard-index/--shard-count for sweeps (DESIGN.md section 6).
struct ShardOptions: ParsableArguments {
    @Option(name: .customLong("shard-index"), help: "This shard's index, from 0 (default: SLURM_ARRAY_TASK_ID, then OMPI_COMM_WORLD_RANK, else 0).")
    var index: Int?
    @Option(name: .customLong("shard-count"), help: "Number of shards (default: SLURM_ARRAY_TASK_COUNT, then OMPI_COMM_WORLD_SIZE, else 1). With more than one, the command computes only its round-robin share of the units and writes DIR/shard-I-of-N.{csv,json}; 'neurodyn merge DIR' then writes the sweep's files.")
    var count: Int?

    func shard() throws -> Shard {
        do { return try Shard.resolve(index: index, count: count) } catch {
            printError("invalid shard: \(error.description)")
            throw ExitCode(64)
        }
    }
}

/// Runs one shard of a sweep: computes its units' rows and writes them with their manifest,
/// unless a complete shard from the same parameters is already there (a rerun resumes by
/// skipping it); reports on stdout in the chosen format.
func runShard(_ shard: Shard, kind: String, units: Int, rowsPerUnit: Int, run: RunManifest, directory: URL,
              format: OutputFormat, quiet: Bool, compute: () throws -> CSVTable) throws {
    var manifest = ShardManifest(kind: kind, shard: shard, units: units, rowsPerUnit: rowsPerUnit, run: run, elapsedSeconds: 0)
    let skipped = manifest.isComplete(in: directory)
    if skipped {
        printMessage("\(shard.stem) is already complete in \(directory.path): skipped", quiet: quiet)
    } else {
        let started = Date()
        let table = try compute()
        manifest.elapsedSeconds = Date().timeIntervalSince(started)
        do { try manifest.write(table: table, to: directory) } catch {
            printError(error.description)
            throw ExitCode(1)
        }
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
