/// Residual-module errors: invalid input names its parameter; a field that produces NaN or a solve
/// that cannot finish says where.
public enum ResidualError: Error, CustomStringConvertible, Sendable {
    case invalidParameter(name: String, reason: String)
    case nonFinite(String)
    case maxStepsExceeded(String)

    public var description: String {
        switch self {
        case .invalidParameter(let name, let reason): "invalid \(name): \(reason)"
        case .nonFinite(let message): "non-finite value: \(message)"
        case .maxStepsExceeded(let message): "solver gave up: \(message)"
        }
    }

    public var isUsageError: Bool { if case .invalidParameter = self { true } else { false } }
}
