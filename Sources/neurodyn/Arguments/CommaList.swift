import ArgumentParser
import Foundation

/// Comma-separated values of an option ("8,16,32", "-0.3,0.1"): the one parser of every list
/// option, used as an option's `transform` so that a bad list is refused while the arguments are
/// parsed ("The value '1,x' is invalid for '--widths <widths>': expected ...", exit 64).
/// Blanks around a value are ignored; an empty field is refused.
enum CommaList {
    /// Integers in `range` ("each 1...100000" in the message).
    static func integers(in range: ClosedRange<Int>) -> @Sendable (String) throws -> [Int] {
        { text in
            try values(text, expected: "comma-separated integers in \(range.lowerBound)...\(range.upperBound)") {
                Int($0).flatMap { range.contains($0) ? $0 : nil }
            }
        }
    }

    /// Positive integers.
    static let positiveIntegers: @Sendable (String) throws -> [Int] = { text in
        try values(text, expected: "comma-separated positive integers") { Int($0).flatMap { $0 >= 1 ? $0 : nil } }
    }

    /// Finite numbers.
    static let numbers: @Sendable (String) throws -> [Double] = { text in
        try values(text, expected: "comma-separated finite numbers") { Double($0).flatMap { $0.isFinite ? $0 : nil } }
    }

    private static func values<T>(_ text: String, expected: String, _ element: (String) -> T?) throws -> [T] {
        let fields = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let values = fields.compactMap(element)
        guard !text.isEmpty, values.count == fields.count else { throw ValidationError("expected \(expected)") }
        return values
    }
}

/// Refuses a per-unit list whose length is not the model's unit count (in `run()`, once the model
/// is read).
func requireCount(_ values: [Double], _ count: Int, name: String) throws(ValidationError) {
    guard values.count == count else {
        throw ValidationError("invalid \(name): expected \(count) values (one per unit), got \(values.count)")
    }
}
