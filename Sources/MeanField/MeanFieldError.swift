import GSLKit

/// Why a mean-field computation has no answer.
public enum MeanFieldError: InvalidParameterReporting, Equatable, Sendable {
    /// A parameter is out of its domain (negative variance, NaN, depth < 0, ...): a usage error.
    case invalid(InvalidParameter)
    /// The map has no fixed point where asked (e.g. relu with sigma_w^2 = 2, sigma_b^2 > 0).
    case noFixedPoint(String)
    /// An iterative solve did not converge.
    case noConvergence(String)
    /// No critical point exists for these parameters.
    case noCriticalPoint(String)

    public var description: String {
        switch self {
        case .invalid(let parameter): parameter.description
        case .noFixedPoint(let why): "no fixed point: \(why)"
        case .noConvergence(let why): "no convergence: \(why)"
        case .noCriticalPoint(let why): "no critical point: \(why)"
        }
    }

    /// True for errors in the caller's input (exit 64 at the command line).
    public var isUsageError: Bool {
        if case .invalid = self { return true }
        return false
    }
}

@inline(__always)
func requireFinite(_ value: Double, _ name: String, nonNegative: Bool = true) throws(MeanFieldError) {
    guard value.isFinite else { throw .invalidParameter(name: name, reason: "must be finite, got \(value)") }
    if nonNegative && value < 0 {
        throw .invalidParameter(name: name, reason: "is a variance and must be >= 0, got \(value)")
    }
}
