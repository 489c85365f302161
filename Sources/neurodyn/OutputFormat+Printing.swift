import RunOutput

// The output helpers every command shares (beside TableText and LayerColumns): named scalars,
// numeric rows, rows as JSON, and the refusal to print null where a number was promised.

/// Exit 1 naming the first result that is not finite, instead of printing null where a number
/// was promised.
func requireFiniteResults(_ pairs: [(String, Double)], at place: String, cause: String) throws(CommandFailure) {
    guard let bad = pairs.first(where: { !$0.1.isFinite }) else { return }
    throw CommandFailure("\(bad.0) is not finite at \(place): \(cause)")
}

/// Named scalars in the chosen format: a JSON object, one CSV row, or key-value lines.
func printPairs(_ pairs: [(String, Double)], format: OutputFormat) {
    switch format {
    case .json: JSONValue.object(pairs.map { ($0.0, .number($0.1)) }).print()
    case .csv:
        var table = CSVTable(columns: pairs.map(\.0))
        table.append(pairs.map { .number($0.1) })
        print(table.text, terminator: "")
    case .table: print(TableText.keyValues(pairs.map { ($0.0, TableText.number($0.1)) }), terminator: "")
    }
}

/// Numeric rows under a header, as CSV or an aligned table.
func printRows(_ header: [String], _ rows: [[Double]], format: OutputFormat) {
    if format == .csv {
        var table = CSVTable(columns: header)
        for row in rows { table.append(row.map { .number($0) }) }
        print(table.text, terminator: "")
    } else {
        print(TableText.columns(header, rows.map { $0.map(TableText.number) }), terminator: "")
    }
}

/// Rows of n values as a JSON list of lists.
func jsonRows(_ values: [Double], width n: Int) -> JSONValue {
    .array(stride(from: 0, to: values.count, by: n).map { .numbers(Array(values[$0 ..< $0 + n])) })
}
