import Foundation

/// One part of a sweep split over machines: shard `index` of `count` computes the units u with
/// u % count == index (round-robin, so that rows of unequal cost spread evenly), in increasing
/// order. A unit is what the sweep's results do not depend across (a phase-diagram row, a
/// boundary task), so a merged sweep is the same bits as an unsharded one.
public struct Shard: Sendable, Equatable {
    public let index: Int
    public let count: Int

    public init(index: Int, count: Int) throws(ShardError) {
        guard count >= 1, count <= 1_000_000 else { throw .invalid("shard-count must be between 1 and 1000000, got \(count)") }
        guard index >= 0, index < count else { throw .invalid("shard-index must lie in 0..<\(count), got \(index)") }
        (self.index, self.count) = (index, count)
    }

    public var isWhole: Bool { count == 1 }

    /// This shard's units of 0..<total.
    public func units(of total: Int) -> [Int] { Array(stride(from: index, to: total, by: count)) }

    /// "shard-0003-of-0008": the stem of this shard's data (.csv) and manifest (.json).
    public var stem: String { String(format: "shard-%04d-of-%04d", index, count) }
}

public enum ShardError: Error, CustomStringConvertible, Sendable {
    case invalid(String)
    /// Shards absent from the directory (by index).
    case missing([Int], of: Int)
    /// A shard that does not belong with the others.
    case mismatch(String)
    case unreadable(String)

    /// Invalid options, as opposed to shards that are missing, foreign or unreadable.
    public var isUsageError: Bool { if case .invalid = self { true } else { false } }

    public var description: String {
        switch self {
        case .invalid(let message), .mismatch(let message), .unreadable(let message): message
        case .missing(let indices, let count):
            "missing shards \(indices.map(String.init).joined(separator: ", ")) of \(count) (indices from 0); rerun them, then merge again"
        }
    }
}

/// What a shard writes beside its data: enough to check that shards belong together and to
/// write the merged run exactly as the unsharded command would.
public struct ShardManifest: Sendable {
    /// The sweep, e.g. "phase" or "boundary": the merged data file is KIND.csv.
    public var kind: String
    public var shard: Shard
    /// Units in the whole sweep and CSV rows per unit.
    public var units: Int
    public var rowsPerUnit: Int
    /// The unsharded run's manifest (without elapsed time): command, parameters, seed, versions, files.
    public var run: RunManifest
    public var elapsedSeconds: Double
    /// The command line (without the shard and scheduling options), for sweeps whose merge
    /// replays the command's own report on the merged values.
    public var arguments: [String]?

    public init(kind: String, shard: Shard, units: Int, rowsPerUnit: Int, run: RunManifest, elapsedSeconds: Double,
                arguments: [String]? = nil) {
        (self.kind, self.shard, self.units, self.rowsPerUnit) = (kind, shard, units, rowsPerUnit)
        (self.run, self.elapsedSeconds, self.arguments) = (run, elapsedSeconds, arguments)
    }

    /// FNV-1a (64 bits) of the kind, command, parameters and seed: equal for shards of one sweep.
    public var parametersHash: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        let text = kind + "\n" + run.command + "\n" + JSONValue.object(run.parameters).serialized(pretty: false) + "\n"
            + (run.seed.map(String.init) ?? "") + "\n" + (arguments ?? []).joined(separator: "\u{0}")
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(format: "%016llx", hash)
    }

    /// The manifest's format tag; format 2 added the data file's row count and SHA-256.
    static let format = "neurodyn-shard 2"

    func json(dataRows: Int, dataHash: String) -> JSONValue {
        .object([("format", .string(Self.format)), ("kind", .string(kind)), ("shard_index", .int(shard.index)),
                 ("shard_count", .int(shard.count)), ("units", .int(units)), ("rows_per_unit", .int(rowsPerUnit)),
                 ("parameters_hash", .string(parametersHash)), ("data_rows", .int(dataRows)), ("data_sha256", .string(dataHash)),
                 ("elapsed_seconds", .number(elapsedSeconds)), ("run", run.json)]
                + (arguments.map { [("arguments", .array($0.map { .string($0) }))] } ?? []))
    }

    /// Writes DIR/STEM.csv (the shard's rows, with the header) and then DIR/STEM.json with the
    /// CSV's row count and SHA-256, both atomically: a shard whose manifest exists and whose
    /// data matches it is complete.
    public func write(table: CSVTable, to directory: URL) throws(AtomicFile.WriteError) {
        let text = table.text
        try AtomicFile.write(text, to: directory.appendingPathComponent(shard.stem + ".csv"))
        let manifest = json(dataRows: table.rows.count, dataHash: SHA256.hex(text.utf8))
        try AtomicFile.write(manifest.serialized() + "\n", to: directory.appendingPathComponent(shard.stem + ".json"))
    }

    /// True when DIR already holds this shard, from the same parameters, with its data file
    /// intact (the row count and SHA-256 its manifest records); a broken shard is recomputed.
    public func isComplete(in directory: URL) -> Bool {
        guard let loaded = try? ShardSet.readManifest(directory.appendingPathComponent(shard.stem + ".json")),
              loaded.hash == parametersHash, loaded.index == shard.index, loaded.count == shard.count else { return false }
        return (try? loaded.verifiedData(in: directory)) != nil
    }
}
