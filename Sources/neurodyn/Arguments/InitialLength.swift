import ArgumentParser

/// --q0 of `meanfield iterate`: a length q^0 (finite, >= 0) or "star", the fixed point q*
/// reached from 1.
enum InitialLength: Equatable {
    case value(Double)
    case star

    /// The `transform` of --q0.
    static func parse(_ text: String) throws -> InitialLength {
        if text == "star" { return .star }
        guard let value = Double(text), value.isFinite, value >= 0 else {
            throw ValidationError("expected a finite number >= 0 or 'star'")
        }
        return .value(value)
    }
}
