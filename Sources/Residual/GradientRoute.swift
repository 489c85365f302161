/// How a gradient is computed through the flow, passed as a value (diffrax's style): a
/// fixed-step scheme with its discrete adjoint, or Dopri5 with a continuous adjoint.
public enum GradientRoute: Sendable, Equatable {
    case discrete(ExplicitRungeKutta, steps: Int)
    case continuous(Dopri5, AdjointMethod)

    /// The route `neurodyn residual gradient|train` names by --solver and --method
    /// ("rk4:10" + "discrete", "dopri5" + "adjoint" or "checkpoint"); without a method, fixed-step
    /// schemes take "discrete" and dopri5 "adjoint".
    public init(solver: String, method: String?, rtol: Double, atol: Double, maxSteps: Int) throws(ResidualError) {
        let method = method ?? (solver == "dopri5" ? AdjointMethod.backsolve.rawValue : "discrete")
        if solver == "dopri5" {
            guard let adjoint = AdjointMethod(rawValue: method) else {
                throw .invalidParameter(name: "method", reason: "dopri5 takes adjoint or checkpoint (the continuous adjoint), got '\(method)'")
            }
            self = .continuous(try Dopri5(rtol: rtol, atol: atol, maxSteps: maxSteps), adjoint)
            return
        }
        let parts = solver.split(separator: ":").map(String.init)
        let schemes: [String: ExplicitRungeKutta] = ["euler": .euler, "midpoint": .midpoint, "rk4": .rk4]
        guard parts.count == 2, let scheme = schemes[parts[0]], let steps = Int(parts[1]), steps >= 1, steps <= 1_000_000 else {
            throw .invalidParameter(name: "solver", reason: "expected euler:N, midpoint:N or rk4:N with 1 <= N <= 1000000, or dopri5, got '\(solver)'")
        }
        guard method == "discrete" else {
            throw .invalidParameter(name: "method", reason: "fixed-step schemes use 'discrete' (exact backprop of the scheme), got '\(method)'")
        }
        self = .discrete(scheme, steps: steps)
    }
}

extension CirclesAnode3 {
    /// Loss and gradient at the given parameters by `route`.
    public static func gradient(field: MLPField, readout: Readout, inputs: [Double], labels: [Int],
                                route: GradientRoute) throws(ResidualError) -> ResidualGradient {
        switch route {
        case .discrete(let scheme, let steps):
            return gradient(field: field, readout: readout, inputs: inputs, labels: labels, scheme: scheme, steps: steps)
        case .continuous(let solver, let method):
            return try gradient(field: field, readout: readout, inputs: inputs, labels: labels, solver: solver, method: method)
        }
    }
}
