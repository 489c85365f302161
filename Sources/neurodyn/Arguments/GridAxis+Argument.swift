import ArgumentParser
import MeanField

/// A sweep's axis as written on the command line, "LO:HI:COUNT" (COUNT >= 1; COUNT = 1 takes LO),
/// and the ``GridAxis`` it names; the text is what the run manifest records.
struct GridAxisArgument {
    let text: String
    let axis: GridAxis

    /// The `transform` of --sigma-w2 and --sigma-b2 of the sweeps.
    static func parse(_ text: String) throws -> GridAxisArgument {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, let lower = Double(parts[0]), let upper = Double(parts[1]), let count = Int(parts[2]) else {
            throw ValidationError("expected LO:HI:COUNT (e.g. 0.5:4:200)")
        }
        do { return GridAxisArgument(text: text, axis: try GridAxis(lower: lower, upper: upper, count: count)) } catch {
            guard case .invalid(let parameter) = error else { throw error }
            throw ValidationError(parameter.reason)
        }
    }
}
