import GSLKit

/// How a gradient is computed through the flow, passed as a value (diffrax's style): a
/// fixed-step scheme with its discrete adjoint, or an adaptive solver with its step-size
/// controller and a continuous adjoint.
public enum GradientRoute: Sendable, Equatable {
    case discrete(ExplicitRungeKutta, steps: Int)
    case continuous(AdaptiveSolver, StepSizeController, AdjointMethod)

    /// A continuous-adjoint route through `solver` with the steps `controller` chooses (the
    /// benchmark's rtol = atol = 1e-5 by default; the field's knots are added to its breakpoints
    /// when a gradient is taken), its settings checked here. Without a method, explicit solvers
    /// take backsolve and implicit ones checkpoint (their backsolve would need second derivatives
    /// of f: refused, ``AdjointMethod/requireSupported(by:)``).
    public init(_ solver: AdaptiveSolver, controller: StepSizeController = StepSizeController(rtol: 1e-5, atol: 1e-5),
                method: AdjointMethod? = nil) throws(ResidualError) {
        do { try controller.validate(smallestRelativeTolerance: StepSizeController.smallestAchievableRelativeTolerance) } catch {
            throw .invalid(error)
        }
        let method = method ?? (solver.needsJacobian ? .checkpoint : .backsolve)
        try method.requireSupported(by: solver)
        self = .continuous(solver, controller, method)
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
    case .continuous(let solver, let controller, let method):
        return try continuousLossAndGradient(field: field, readout: readout, inputs: inputs, labels: labels, solver: solver,
                                             controller: controller, method: method)
    }
}
