import GSLKit

/// How a gradient is computed through the flow, passed as a value (diffrax's style): a
/// fixed-step scheme with its discrete adjoint, or an adaptive solver with a continuous adjoint.
public enum GradientRoute: Sendable, Equatable {
    case discrete(ExplicitRungeKutta, steps: Int)
    case continuous(AdaptiveSolver, AdjointMethod)

    /// A continuous-adjoint route through `solver`. Without a method, explicit solvers take
    /// backsolve and implicit ones checkpoint (their backsolve would need second derivatives of
    /// f: refused, ``AdjointMethod/requireSupported(by:)``). The tolerances and the step limit
    /// are checked for GSL's steppers as Dopri5's initialiser checks its own.
    public init(_ solver: AdaptiveSolver, method: AdjointMethod? = nil) throws(ResidualError) {
        if case .gsl(let gsl) = solver { try Dopri5.requireValidControl(rtol: gsl.rtol, atol: gsl.atol, maxSteps: gsl.maxSteps) }
        let method = method ?? (solver.needsJacobian ? .checkpoint : .backsolve)
        try method.requireSupported(by: solver)
        self = .continuous(solver, method)
    }
}

/// The loss of `readout` on the flow of `field` over t in [0, 1] from `inputs` (one row per
/// label, row-major) and its gradient in the field's parameters then the readout's, by `route`,
/// in the manner of diffrax's `diffeqsolve`: the one entry point, whatever the solver and the
/// adjoint. Fixed-step routes spread blocks of the batch over `threads` threads (same bits for
/// any count) and refuse before storing more stages than memory holds; an adaptive solve couples
/// the batch through its step size and runs on one.
public func lossAndGradient<Field: ResidualField>(field: Field, readout: Readout, inputs: [Double], labels: [Int],
                                                  route: GradientRoute, threads: Int = 1) throws(ResidualError) -> ResidualGradient {
    switch route {
    case .discrete(let scheme, let steps):
        // Every stage of every step is kept for the backward pass: refuse before storing.
        let perStep = scheme.stages * (field.savedCount(batch: labels.count) + labels.count * field.dimension)
        if let refusal = MemoryBudget.refusal(bytes: MemoryBudget.bytes(steps, perStep),
                                              for: "\(steps) steps x \(scheme.stages) stages of a \(labels.count)-row batch kept for the discrete adjoint") {
            throw .invalidParameter(name: "solver", reason: refusal)
        }
        return discreteLossAndGradient(field: field, readout: readout, inputs: inputs, labels: labels, scheme: scheme, steps: steps,
                                       threads: threads)
    case .continuous(let solver, let method):
        return try continuousLossAndGradient(field: field, readout: readout, inputs: inputs, labels: labels, solver: solver, method: method)
    }
}
