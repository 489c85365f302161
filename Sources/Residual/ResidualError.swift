import GSLKit

/// Residual-module errors: invalid input names its parameter; a field that produces NaN or a solve
/// that cannot finish says where.
public enum ResidualError: InvalidParameterReporting, Sendable {
    case invalid(InvalidParameter)
    case nonFinite(String)
    /// The step limit (max-steps) was reached before the end of the interval.
    case maxStepsExceeded(String)
    /// The step size fell below what the interval can resolve: the field is too stiff, or too
    /// large, for the tolerances.
    case stepSizeUnderflow(String)
    /// The solver failed otherwise (GSL's status, a diverging state).
    case solverFailed(String)

    public var description: String {
        switch self {
        case .invalid(let parameter): parameter.description
        case .nonFinite(let message): "non-finite value: \(message)"
        case .maxStepsExceeded(let message), .stepSizeUnderflow(let message), .solverFailed(let message): "solver gave up: \(message)"
        }
    }

    public var isUsageError: Bool { if case .invalid = self { true } else { false } }

    /// The message without its prefix.
    var reason: String {
        switch self {
        case .invalid(let parameter): "\(parameter.name): \(parameter.reason)"
        case .nonFinite(let message), .maxStepsExceeded(let message), .stepSizeUnderflow(let message), .solverFailed(let message): message
        }
    }

    /// The solver could not finish the interval (step limit, step-size underflow or failure),
    /// as opposed to invalid input or a non-finite field.
    public var isSolverFailure: Bool {
        switch self {
        case .maxStepsExceeded, .stepSizeUnderflow, .solverFailed: true
        case .invalid, .nonFinite: false
        }
    }
}
