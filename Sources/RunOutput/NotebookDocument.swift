import Foundation

/// A Jupyter notebook in nbformat 4.5, written output-free, with stable cell ids (derived from
/// the notebook's name and the cell's position, so regenerating it changes nothing unless the
/// content does). The cells read their data from files beside the notebook.
public struct NotebookDocument: Sendable {
    public enum Cell: Sendable {
        case markdown(String)
        case code(String)
    }

    public var name: String
    public var cells: [Cell]

    public init(name: String, cells: [Cell]) {
        self.name = name
        self.cells = cells
    }

    public var json: JSONValue {
        let cellValues: [JSONValue] = cells.enumerated().map { index, cell in
            let id = JSONValue.string("\(Self.slug(name))-\(index)")
            let source: JSONValue = .array(Self.lines(of: cell).map { .string($0) })
            switch cell {
            case .markdown:
                return .object([("cell_type", "markdown"), ("id", id), ("metadata", .object([])), ("source", source)])
            case .code:
                return .object([("cell_type", "code"), ("execution_count", .null), ("id", id),
                                ("metadata", .object([])), ("outputs", .array([])), ("source", source)])
            }
        }
        return .object([
            ("cells", .array(cellValues)),
            ("metadata", .object([
                ("kernelspec", .object([("display_name", "Python 3"), ("language", "python"), ("name", "python3")])),
                ("language_info", .object([("name", "python")])),
            ])),
            ("nbformat", 4),
            ("nbformat_minor", 5),
        ])
    }

    public func write(to url: URL) throws(AtomicFile.WriteError) {
        try AtomicFile.write(json.serialized() + "\n", to: url)
    }

    /// nbformat stores source as a list of lines, each but the last ending in a newline.
    static func lines(of cell: Cell) -> [String] {
        let text: String = switch cell { case .markdown(let t), .code(let t): t }
        var lines = text.components(separatedBy: "\n")
        while lines.last == "" { lines.removeLast() }
        return lines.enumerated().map { $0.offset < lines.count - 1 ? $0.element + "\n" : $0.element }
    }

    static func slug(_ name: String) -> String {
        String(name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" })
    }
}
