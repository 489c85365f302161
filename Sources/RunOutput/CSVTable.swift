import Foundation

/// A CSV table: a header row and rows of cells. Numbers are written in shortest round-trip
/// form; non-finite numbers as empty cells (pandas and numpy read them as NaN).
public struct CSVTable: Sendable {
    public enum Cell: Sendable {
        case number(Double)
        case int(Int)
        case text(String)
    }

    public let columns: [String]
    public private(set) var rows: [[Cell]] = []

    public init(columns: [String]) { self.columns = columns }

    public mutating func append(_ row: [Cell]) {
        precondition(row.count == columns.count, "CSV row has \(row.count) cells for \(columns.count) columns")
        rows.append(row)
    }

    public var text: String {
        var out = columns.joined(separator: ",") + "\n"
        for row in rows {
            out += row.map { cell -> String in
                switch cell {
                case .number(let x): x.isFinite ? "\(x)" : ""
                case .int(let i): String(i)
                case .text(let s): s.contains(",") || s.contains("\"") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
                }
            }.joined(separator: ",") + "\n"
        }
        return out
    }
}
