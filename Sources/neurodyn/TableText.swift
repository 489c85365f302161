import RunOutput

/// Plain-text tables for people on stdout.
enum TableText {
    /// "key  value" lines, keys left-aligned.
    static func keyValues(_ pairs: [(String, String)]) -> String {
        let width = pairs.map(\.0.count).max() ?? 0
        return pairs.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }
            .joined(separator: "\n") + "\n"
    }

    /// Right-aligned columns under a header.
    static func columns(_ header: [String], _ rows: [[String]]) -> String {
        let widths = header.indices.map { c in ([header[c]] + rows.map { $0[c] }).map(\.count).max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { String(repeating: " ", count: widths[$0.offset] - $0.element.count) + $0.element }
                .joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n") + "\n"
    }

    /// A number with 15 significant digits; "inf"/"nan" spelled out for people.
    static func number(_ x: Double) -> String {
        x.isNaN ? "nan" : x.isInfinite ? (x > 0 ? "inf" : "-inf") : String(format: "%.15g", x)
    }
}

extension JSONValue {
    /// Prints the document on stdout.
    func print() { Swift.print(serialized()) }
}
