import ArgumentParser
import GSLKit
import Residual

/// --solver of the residual commands: a fixed-step scheme with its step count ("euler:N",
/// "midpoint:N", "rk4:N"; 1 <= N <= 1000000), Dopri5 ("dopri5"), or one of GSL's adaptive
/// steppers, explicit (rk8pd, rkck, rkf45) or implicit (rk1imp, rk2imp, rk4imp, bsimp, msbdf).
enum SolverSpec: Equatable {
    case fixed(ExplicitRungeKutta, steps: Int)
    case dopri5
    case gsl(GSLStepper)

    static let schemes: [ExplicitRungeKutta] = [.euler, .midpoint, .rk4]
    static let maximumSteps = 1_000_000

    /// The `transform` of --solver.
    static func parse(_ text: String) throws -> SolverSpec {
        if text == "dopri5" { return .dopri5 }
        if let stepper = GSLStepper(rawValue: text) {
            guard (AdaptiveSolver.gslSteppers + AdaptiveSolver.implicitSteppers).contains(stepper) else {
                throw ValidationError("GSL's \(stepper) is not offered for residual networks (a fixed-step or multistep explicit method without error control here); use dopri5, rk8pd, rkck, rkf45, or an implicit stepper")
            }
            return .gsl(stepper)
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, let scheme = schemes.first(where: { $0.name == parts[0] }), let steps = Int(parts[1]),
              (1...maximumSteps).contains(steps) else {
            throw ValidationError("expected euler:N, midpoint:N or rk4:N with 1 <= N <= \(maximumSteps), or dopri5, rk8pd, rkck, rkf45, rk1imp, rk2imp, rk4imp, bsimp, msbdf")
        }
        return .fixed(scheme, steps: steps)
    }

    /// Whether the solver takes the Jacobian of the field (GSL's implicit steppers).
    var isImplicit: Bool {
        if case .gsl(let stepper) = self { return stepper.needsJacobian }
        return false
    }
}

/// --method: how the gradient goes back through the solver.
enum GradientMethod: String, ExpressibleByArgument, CaseIterable {
    /// Backprop of a fixed-step scheme (the discrete adjoint).
    case discrete
    /// The continuous adjoint by backsolve.
    case adjoint
    /// The continuous adjoint on the stored forward solution.
    case checkpoint

    /// The continuous adjoint's method; nil for discrete.
    var adjoint: AdjointMethod? {
        switch self {
        case .discrete: nil
        case .adjoint: .backsolve
        case .checkpoint: .checkpoint
        }
    }
}

extension ResidualProblem: ExpressibleByArgument {}
extension Readout.Loss: ExpressibleByArgument {}
