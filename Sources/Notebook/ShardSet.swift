import Foundation

/// The shards of one sweep found in a directory, checked to belong together and to be complete,
/// and merged into the rows the unsharded command writes (same bytes).
public struct ShardSet: Sendable {
    /// What a shard's manifest says.
    public struct Entry: Sendable {
        public var file: String
        public var kind: String
        public var index: Int
        public var count: Int
        public var units: Int
        public var rowsPerUnit: Int
        public var hash: String
        public var elapsedSeconds: Double
        public var run: JSONValue
        public var arguments: [String]?
    }

    public let directory: URL
    /// One per index, in index order.
    public let entries: [Entry]

    public var kind: String { entries[0].kind }
    public var run: JSONValue { entries[0].run }

    static func readManifest(_ url: URL) throws(ShardError) -> Entry {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { throw .unreadable("cannot read \(url.path)") }
        let json: JSONValue
        do { json = try JSONValue(parsing: text) } catch { throw .unreadable("\(url.lastPathComponent): \(error.description)") }
        guard json["format"]?.stringValue == "neurodyn-shard 1", let kind = json["kind"]?.stringValue,
              let index = json["shard_index"]?.intValue, let count = json["shard_count"]?.intValue,
              let units = json["units"]?.intValue, let rows = json["rows_per_unit"]?.intValue,
              let hash = json["parameters_hash"]?.stringValue, let run = json["run"] else {
            throw .unreadable("\(url.lastPathComponent) is not a neurodyn shard manifest")
        }
        return Entry(file: url.lastPathComponent, kind: kind, index: index, count: count, units: units, rowsPerUnit: rows,
                     hash: hash, elapsedSeconds: json["elapsed_seconds"]?.doubleValue ?? 0, run: run,
                     arguments: { if case .array(let items)? = json["arguments"] { items.compactMap(\.stringValue) } else { nil } }())
    }

    /// Manifests (shard-*-of-*.json) in `directory`.
    static func manifests(in directory: URL) throws(ShardError) -> [Entry] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else {
            throw .unreadable("cannot list \(directory.path)")
        }
        var entries: [Entry] = []
        for name in names.sorted() where name.hasPrefix("shard-") && name.hasSuffix(".json") {
            entries.append(try readManifest(directory.appendingPathComponent(name)))
        }
        return entries
    }

    /// Indices of 0..<count without a complete shard in `directory` (for resubmission).
    public static func missing(in directory: URL, count: Int) throws(ShardError) -> [Int] {
        let present = FileManager.default.fileExists(atPath: directory.path) ? Set(try manifests(in: directory).filter { $0.count == count }.map(\.index)) : []
        return (0..<count).filter { !present.contains($0) }
    }

    /// Loads and checks: one sweep (same kind, count, units, parameters hash and software
    /// versions), every index present once; names the shards that are missing or differ.
    public init(directory: URL) throws(ShardError) {
        let found = try Self.manifests(in: directory)
        guard let first = found.first else { throw .unreadable("no shard manifests (shard-*-of-*.json) in \(directory.path)") }
        let versions = { (entry: Entry) in entry.run["versions"]?.serialized(pretty: false) ?? "" }
        for entry in found {
            guard entry.kind == first.kind, entry.count == first.count, entry.units == first.units, entry.rowsPerUnit == first.rowsPerUnit else {
                throw .mismatch("\(entry.file) is shard \(entry.index) of \(entry.count) of a \(entry.kind) sweep of \(entry.units) units; "
                                + "\(first.file) is of \(first.count) of a \(first.kind) sweep of \(first.units)")
            }
            guard entry.hash == first.hash else {
                throw .mismatch("\(entry.file) was run with different parameters (hash \(entry.hash)) than \(first.file) (\(first.hash)): "
                                + "\(entry.run["parameters"]?.serialized(pretty: false) ?? "") vs \(first.run["parameters"]?.serialized(pretty: false) ?? "")")
            }
            guard versions(entry) == versions(first) else {
                throw .mismatch("\(entry.file) was run with other software versions: \(versions(entry)) vs \(versions(first))")
            }
        }
        var byIndex: [Int: Entry] = [:]
        for entry in found {
            if byIndex[entry.index] != nil { throw .mismatch("shard \(entry.index) appears twice") }
            byIndex[entry.index] = entry
        }
        let absent = (0..<first.count).filter { byIndex[$0] == nil }
        guard absent.isEmpty else { throw .missing(absent, of: first.count) }
        self.directory = directory
        self.entries = (0..<first.count).map { byIndex[$0]! }
    }

    /// The merged CSV: the shards' common header, then unit u's rows from shard u % count.
    public func mergedCSV() throws(ShardError) -> String {
        var header: Substring?
        var rows: [[Substring]] = []
        for entry in entries {
            let stem = (entry.file as NSString).deletingPathExtension
            guard let text = try? String(contentsOf: directory.appendingPathComponent(stem + ".csv"), encoding: .utf8) else {
                throw .unreadable("cannot read \(stem).csv (its manifest says it is complete)")
            }
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            if lines.last == "" { lines.removeLast() }
            guard let top = lines.first else { throw .unreadable("\(stem).csv is empty") }
            if header == nil { header = top }
            guard top == header else { throw .mismatch("\(stem).csv has another header than shard 0") }
            let units = stride(from: entry.index, to: entry.units, by: entry.count).underestimatedCount
            guard lines.count - 1 == units * entry.rowsPerUnit else {
                throw .mismatch("\(stem).csv holds \(lines.count - 1) rows, expected \(units * entry.rowsPerUnit) (\(units) units)")
            }
            rows.append(Array(lines.dropFirst()))
        }
        let count = entries.count, perUnit = entries[0].rowsPerUnit
        var out = String(header!) + "\n"
        for unit in 0..<entries[0].units {
            let shardRows = rows[unit % count], first = unit / count * perUnit
            for line in shardRows[first..<(first + perUnit)] { out += line + "\n" }
        }
        return out
    }

    /// The unsharded run's manifest with the shards' total compute time and their count.
    public var mergedRunJSON: JSONValue {
        guard case .object(var pairs) = run else { return run }
        pairs.removeAll { $0.0 == "elapsed_seconds" }
        pairs.append(("shards", .int(entries.count)))
        pairs.append(("elapsed_seconds", .number(entries.reduce(0) { $0 + $1.elapsedSeconds })))
        return .object(pairs)
    }
}
