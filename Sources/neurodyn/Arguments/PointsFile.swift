import ArgumentParser
import Foundation

/// A text file of points, read for `--manifold data:FILE` and `meanfield kernel --inputs`.
enum PointsFile {
    /// Points of R^D from a text file: one per line, values separated by commas or spaces; blank
    /// lines and lines starting with '#' are skipped.
    static func read(_ path: String) throws(ValidationError) -> (data: [Double], dimension: Int) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ValidationError("cannot read the data file '\(path)'")
        }
        var data: [Double] = [], dimension: Int?
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let fields = trimmed.split { $0 == "," || $0 == " " || $0 == "\t" }
            let values = fields.compactMap { Double($0) }
            guard values.count == fields.count, values.allSatisfy(\.isFinite), dimension == nil || dimension == values.count else {
                throw ValidationError("line \(number + 1) of '\(path)' must hold \(dimension.map(String.init) ?? "the same number of") finite numbers")
            }
            dimension = values.count
            data += values
        }
        guard let dimension else { throw ValidationError("'\(path)' holds no points") }
        return (data, dimension)
    }
}
