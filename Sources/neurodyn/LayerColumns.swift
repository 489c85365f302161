import ArgumentParser
import Foundation
import RunOutput

/// Per-layer columns, the shape of every simulate and embedding result: printed in the chosen
/// format and, with --out, written as NAME.csv, NAME.json and run.json.
struct LayerColumns {
    var layers: [Int]
    var columns: [(String, [Double?])]
    /// Scalars listed before the columns in JSON and tables.
    var header: [(String, JSONValue)]
    /// Values listed after the columns in JSON.
    var trailer: [(String, JSONValue)] = []

    /// JSON lists, with the header's scalars first and the trailer's values last.
    var json: JSONValue {
        .object(header + [("layer", .array(layers.map { .int($0) }))]
                + columns.map { ($0.0, .array($0.1.map { .optional($0) })) } + trailer)
    }

    /// One row per layer (non-finite values as empty cells).
    var csv: CSVTable {
        var table = CSVTable(columns: ["layer"] + columns.map(\.0))
        for (k, layer) in layers.enumerated() { table.append([.int(layer)] + columns.map { .number($0.1[k] ?? .nan) }) }
        return table
    }

    func print(format: OutputFormat) {
        switch format {
        case .json:
            json.print()
        case .csv:
            Swift.print(csv.text, terminator: "")
        case .table:
            Swift.print(TableText.keyValues(header.map { ($0.0, $0.1.serialized(pretty: false)) }), terminator: "")
            let rows = layers.indices.map { k in [String(layers[k])] + columns.map { $0.1[k].map(TableText.number) ?? "-" } }
            Swift.print(TableText.columns(["layer"] + columns.map(\.0), rows), terminator: "")
        }
    }

    /// Writes DIR/NAME.csv, DIR/NAME.json and DIR/run.json atomically.
    func write(to directory: String, name: String, manifest: RunManifest) throws(AtomicFile.WriteError) {
        let url = URL(fileURLWithPath: directory)
        var manifest = manifest
        manifest.files = [name + ".csv", name + ".json"] + manifest.files
        try AtomicFile.write(csv.text, to: url.appendingPathComponent(name + ".csv"))
        try AtomicFile.write(json.serialized() + "\n", to: url.appendingPathComponent(name + ".json"))
        try AtomicFile.write(manifest.json.serialized() + "\n", to: url.appendingPathComponent("run.json"))
    }
}
