import GSLKit

/// How a gradient is computed through the flow, passed as a value (diffrax's style): a
/// fixed-step scheme with its discrete adjoint, or an adaptive solver with a continuous adjoint.
public enum GradientRoute: Sendable, Equatable {
    case discrete(ExplicitRungeKutta, steps: Int)
    case continuous(AdaptiveSolver, AdjointMethod)

    /// The route `neurodyn residual gradient|train` names by --solver and --method
    /// ("rk4:10" + "discrete"; "dopri5", "rk8pd", "rkck" or "rkf45" + "adjoint" or "checkpoint";
    /// the implicit "rk1imp", "rk2imp", "rk4imp", "bsimp" or "msbdf" + "checkpoint"); without a
    /// method, fixed-step schemes take "discrete", explicit adaptive ones "adjoint" and implicit
    /// ones "checkpoint".
    public init(solver: String, method: String?, rtol: Double, atol: Double, maxSteps: Int) throws(ResidualError) {
        let gsl = (AdaptiveSolver.gslSteppers + AdaptiveSolver.implicitSteppers).first { $0.rawValue == solver }
        let adaptive = solver == "dopri5" || gsl != nil
        let implicit = gsl?.needsJacobian ?? false
        // Implicit steppers have no backsolve (it would need second derivatives of f): their default is checkpoint.
        let method = method ?? (adaptive ? (implicit ? AdjointMethod.checkpoint : .backsolve).rawValue : "discrete")
        if adaptive {
            guard let adjoint = AdjointMethod(rawValue: method) else {
                throw .invalidParameter(name: "method", reason: "\(solver) takes adjoint or checkpoint (the continuous adjoint), got '\(method)'")
            }
            let dopri5 = try Dopri5(rtol: rtol, atol: atol, maxSteps: maxSteps)  // validates the tolerances for both
            let adaptiveSolver: AdaptiveSolver = gsl.map { .gsl(GSLODESolver(stepper: $0, rtol: rtol, atol: atol, maxSteps: maxSteps)) } ?? .dopri5(dopri5)
            try adjoint.requireSupported(by: adaptiveSolver)
            self = .continuous(adaptiveSolver, adjoint)
            return
        }
        if let stepper = GSLStepper(rawValue: solver) {
            throw .invalidParameter(name: "solver", reason: "GSL's \(stepper) is not offered for residual networks (a fixed-step or multistep explicit method without error control here); use dopri5, rk8pd, rkck, rkf45, or an implicit stepper")
        }
        let parts = solver.split(separator: ":").map(String.init)
        let schemes: [String: ExplicitRungeKutta] = ["euler": .euler, "midpoint": .midpoint, "rk4": .rk4]
        guard parts.count == 2, let scheme = schemes[parts[0]], let steps = Int(parts[1]), steps >= 1, steps <= 1_000_000 else {
            throw .invalidParameter(name: "solver", reason: "expected euler:N, midpoint:N or rk4:N with 1 <= N <= 1000000, or dopri5, rk8pd, rkck, rkf45, rk1imp, rk2imp, rk4imp, bsimp, msbdf, got '\(solver)'")
        }
        guard method == "discrete" else {
            throw .invalidParameter(name: "method", reason: "fixed-step schemes use 'discrete' (exact backprop of the scheme), got '\(method)'")
        }
        self = .discrete(scheme, steps: steps)
    }
}

extension CirclesAnode3 {
    /// Loss and gradient at the given parameters by `route`. Fixed-step routes spread blocks of
    /// the batch over `threads` threads (same bits for any count); an adaptive solve couples the
    /// batch through its step size and runs on one.
    public static func gradient<Field: ResidualField>(field: Field, readout: Readout, inputs: [Double], labels: [Int],
                                                      route: GradientRoute, threads: Int = 1) throws(ResidualError) -> ResidualGradient {
        switch route {
        case .discrete(let scheme, let steps):
            // Every stage of every step is kept for the backward pass: refuse before storing.
            let perStep = scheme.stages * (field.savedCount(batch: labels.count) + labels.count * field.dimension)
            if let refusal = MemoryBudget.refusal(bytes: MemoryBudget.bytes(steps, perStep),
                                                  for: "\(steps) steps x \(scheme.stages) stages of a \(labels.count)-row batch kept for the discrete adjoint") {
                throw .invalidParameter(name: "solver", reason: refusal)
            }
            return gradient(field: field, readout: readout, inputs: inputs, labels: labels, scheme: scheme, steps: steps, threads: threads)
        case .continuous(let solver, let method):
            return try gradient(field: field, readout: readout, inputs: inputs, labels: labels, solver: solver, method: method)
        }
    }
}
