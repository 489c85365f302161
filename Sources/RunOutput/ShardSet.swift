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
        /// The data file's data rows (without the header) and SHA-256, as written.
        public var dataRows: Int
        public var dataHash: String

        var stem: String { (file as NSString).deletingPathExtension }

        /// The shard's CSV lines (header first), after checking that the file is the one the
        /// manifest describes: its name, its SHA-256, its row count, every row as wide as the header.
        func verifiedData(in directory: URL) throws(ShardError) -> [Substring] {
            let expected = String(format: "shard-%04d-of-%04d", index, count)
            guard stem == expected else {
                throw .mismatch("\(file) holds the manifest of shard \(index) of \(count) (\(expected).json): a file was renamed or copied over another")
            }
            guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(stem + ".csv").path) else {
                throw .unreadable("cannot read \(stem).csv (its manifest says it is complete); rerun shard \(index)")
            }
            let hash = SHA256.hex(data)
            guard hash == dataHash else {
                throw .mismatch("\(stem).csv is not the file its manifest describes (SHA-256 \(hash.prefix(12))..., recorded \(dataHash.prefix(12))...): truncated, edited or replaced; rerun shard \(index)")
            }
            guard let text = String(data: data, encoding: .utf8) else { throw .unreadable("\(stem).csv is not UTF-8") }
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            guard lines.last == "" else { throw .mismatch("\(stem).csv does not end in a newline: truncated; rerun shard \(index)") }
            lines.removeLast()
            guard let top = lines.first else { throw .unreadable("\(stem).csv is empty; rerun shard \(index)") }
            let units = stride(from: index, to: self.units, by: count).underestimatedCount
            guard lines.count - 1 == dataRows, dataRows == units * rowsPerUnit else {
                throw .mismatch("\(stem).csv holds \(lines.count - 1) rows, its manifest \(dataRows), the sweep expects \(units * rowsPerUnit) (\(units) units); rerun shard \(index)")
            }
            let width = top.split(separator: ",", omittingEmptySubsequences: false).count
            for (row, line) in lines.dropFirst().enumerated() where line.split(separator: ",", omittingEmptySubsequences: false).count != width {
                throw .mismatch("\(stem).csv row \(row + 1) has another number of cells than its header (\(width)); rerun shard \(index)")
            }
            return lines
        }
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
        if json["format"]?.stringValue == "neurodyn-shard 1" {
            throw .mismatch("\(url.lastPathComponent) was written by an older neurodyn that recorded no content hash; rerun that shard")
        }
        guard json["format"]?.stringValue == ShardManifest.format, let kind = json["kind"]?.stringValue,
              let index = json["shard_index"]?.intValue, let count = json["shard_count"]?.intValue,
              let units = json["units"]?.intValue, let rows = json["rows_per_unit"]?.intValue,
              let hash = json["parameters_hash"]?.stringValue, let run = json["run"],
              let dataRows = json["data_rows"]?.intValue, let dataHash = json["data_sha256"]?.stringValue else {
            throw .unreadable("\(url.lastPathComponent) is not a neurodyn shard manifest")
        }
        return Entry(file: url.lastPathComponent, kind: kind, index: index, count: count, units: units, rowsPerUnit: rows,
                     hash: hash, elapsedSeconds: json["elapsed_seconds"]?.doubleValue ?? 0, run: run,
                     arguments: { if case .array(let items)? = json["arguments"] { items.compactMap(\.stringValue) } else { nil } }(),
                     dataRows: dataRows, dataHash: dataHash)
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

    /// The merged CSV: the shards' common header, then unit u's rows from shard u % count. Every
    /// shard's data is verified against its manifest first (``Entry/verifiedData(in:)``): a bad
    /// shard is named and nothing is merged.
    public func mergedCSV() throws(ShardError) -> String {
        var header: Substring?
        var rows: [[Substring]] = []
        for entry in entries {
            let lines = try entry.verifiedData(in: directory)
            if header == nil { header = lines[0] }
            guard lines[0] == header else { throw .mismatch("\(entry.stem).csv has another header than shard 0") }
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

    /// Kernel families of the shards, where they differ (nil when all agree).
    public var mixedKernels: [String]? {
        let kernels = entries.map { $0.run["kernels"]?.stringValue ?? "unrecorded" }
        return Set(kernels).count > 1 ? kernels : nil
    }

    /// The unsharded run's manifest with the shards' total compute time and their count.
    public var mergedRunJSON: JSONValue {
        guard case .object(var pairs) = run else { return run }
        pairs.removeAll { $0.0 == "elapsed_seconds" }
        pairs.append(("shards", .int(entries.count)))
        // Shards computed on other kernel families: each row is right to the stated accuracy, but
        // the merge is bit-identical to an unsharded run only within one family.
        if let kernels = mixedKernels {
            pairs.removeAll { $0.0 == "kernels" }
            pairs.append(("shard_kernels", .array(kernels.map { .string($0) })))
        }
        pairs.append(("elapsed_seconds", .number(entries.reduce(0) { $0 + $1.elapsedSeconds })))
        return .object(pairs)
    }
}
