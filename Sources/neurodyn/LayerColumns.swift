import Notebook

/// Per-layer columns in the chosen format: JSON lists (with the header's scalars first and the
/// trailer's values last), CSV rows or a table.
func printColumns(layers: [Int], columns: [(String, [Double?])], format: OutputFormat, header: [(String, JSONValue)],
                  trailer: [(String, JSONValue)] = []) {
    switch format {
    case .json:
        JSONValue.object(header + [("layer", .array(layers.map { .int($0) }))]
                         + columns.map { ($0.0, .array($0.1.map { .optional($0) })) } + trailer).print()
    case .csv:
        var table = CSVTable(columns: ["layer"] + columns.map(\.0))
        for (k, layer) in layers.enumerated() { table.append([.int(layer)] + columns.map { .number($0.1[k] ?? .nan) }) }
        print(table.text, terminator: "")
    case .table:
        print(TableText.keyValues(header.map { ($0.0, $0.1.serialized(pretty: false)) }), terminator: "")
        let rows = layers.indices.map { k in [String(layers[k])] + columns.map { $0.1[k].map(TableText.number) ?? "-" } }
        print(TableText.columns(["layer"] + columns.map(\.0), rows), terminator: "")
    }
}
