import Foundation
import GSLKit
import Testing
import TestSupport
@testable import Residual

/// GSL's implicit steppers with the exact Jacobians (forward: block-diagonal df/dX; checkpoint
/// adjoint: J^T blocks and df/dtheta^T), against the discrete gradient of a fine RK4 solve.
@Suite struct ImplicitSolverTests {
    /// A stiff near-identity field: one eigenvalue of A near -2000, the others O(1).
    static func stiffField() -> NearIdentityField {
        try! NearIdentityField(a: [-2000, 1, 0, 0, -1, 0.5, 0.2, 0, -2], c: [0.1, -0.2, 0.3], dimension: 3, knots: 1)
    }

    static func problem() -> (inputs: [Double], labels: [Int], readout: Readout) {
        let (inputs, labels) = ResidualProblem.circlesAnode3.data()
        return (Array(inputs[0..<60]), Array(labels[0..<20]), Readout(parameters: ResidualProblem.initialParameters().readout))
    }

    /// Backsolve on an implicit stepper is refused by one check (it was written twice, with two
    /// messages): the same error from the command line's route and from the gradient itself.
    @Test func backsolveOnAnImplicitStepperIsRefusedByOneCheck() throws {
        let (x, y, readout) = Self.problem(), field = Self.stiffField()
        var messages: [String] = []
        do { _ = try GradientRoute(.gsl(GSLODESolver(stepper: .msbdf)), controller: StepSizeController(rtol: 1e-6, atol: 1e-6, maxSteps: 1000), method: .backsolve) } catch { messages.append(error.description) }
        do {
            _ = try lossAndGradient(field: field, readout: readout, inputs: x, labels: y,
                                    route: .continuous(.gsl(GSLODESolver(stepper: .msbdf)), StepSizeController(rtol: 1e-6, atol: 1e-6), .backsolve))
        } catch { messages.append(error.description) }
        #expect(messages.count == 2 && messages[0] == messages[1], "\(messages)")
        #expect(messages.first?.contains("invalid method: msbdf is implicit") == true, "\(messages)")
    }

    /// The loss by every implicit stepper is the ODE's to the tolerance. The gradient by msbdf
    /// converges with the tolerance (measured 7e-5, 1.9e-6, 1.0e-7 at 1e-6, 1e-8, 1e-10). bsimp and
    /// rk4imp step over the fast transient (e^{-2000 t}) in a few long steps, accurately at the
    /// steps, but the checkpoint's cubic Hermite interpolant through those points, whose end
    /// slopes are -2000 x, overshoots inside them: their gradient stalls near 2e-6 and 3.5e-5
    /// (measured) until the steps shorten; msbdf is the stepper to use for stiff fields.
    @Test(arguments: [GSLStepper.msbdf, .bsimp, .rk4imp])
    func stiffFieldAgainstFineRK4(stepper: GSLStepper) throws {
        let (x, y, readout) = Self.problem(), field = Self.stiffField()
        // RK4 at h = 1/32768: h lambda = 0.06, far inside its stability region; its gradient is the ODE's to ~1e-12.
        let fine = discreteLossAndGradient(field: field, readout: readout, inputs: x, labels: y, scheme: .rk4, steps: 32768)
        let scale = fine.gradient.map(abs).max()!
        var errors: [Double] = []
        for tolerance in [1e-6, 1e-8, 1e-10] {
            let implicit = try lossAndGradient(field: field, readout: readout, inputs: x, labels: y,
                                               route: .continuous(.gsl(GSLODESolver(stepper: stepper)), StepSizeController(rtol: tolerance, atol: tolerance), .checkpoint))
            #expect(abs(implicit.loss - fine.loss) < 1e3 * tolerance * fine.loss, "\(stepper) at \(tolerance): loss \(implicit.loss) vs \(fine.loss)")
            errors.append(maxAbsError(implicit.gradient, fine.gradient) / scale)
        }
        // The stalls measured above, with a factor 3 to 5 of room.
        #expect(errors.last! < (stepper == .rk4imp ? 1e-4 : 1e-5), "\(stepper): relative gradient errors \(errors)")
        if stepper == .msbdf {
            #expect(errors[0] > 10 * errors[1] && errors[1] > 10 * errors[2] && errors[2] < 1e-6, "msbdf: \(errors)")
        }
    }

    /// At lambda = -2000 Dopri5's stability, not its accuracy, sets the step (measured 3842
    /// evaluations forward at 1e-6 against msbdf's 451).
    @Test func stiffnessCostsDopri5StepsButNotMsbdf() throws {
        let (x, y, readout) = Self.problem(), field = Self.stiffField()
        let explicit = try lossAndGradient(field: field, readout: readout, inputs: x, labels: y,
                                           route: .continuous(.dopri5, StepSizeController(rtol: 1e-6, atol: 1e-6), .checkpoint))
        let implicit = try lossAndGradient(field: field, readout: readout, inputs: x, labels: y,
                                           route: .continuous(.gsl(GSLODESolver(stepper: .msbdf)), StepSizeController(rtol: 1e-6, atol: 1e-6), .checkpoint))
        #expect(implicit.forwardEvaluations * 4 < explicit.forwardEvaluations, "msbdf \(implicit.forwardEvaluations), dopri5 \(explicit.forwardEvaluations)")
    }

    @Test func mlpFieldOnASmallBatch() throws {
        let (x, y, readout) = Self.problem(), field = MLPField(parameters: ResidualProblem.initialParameters().field)
        let fine = discreteLossAndGradient(field: field, readout: readout, inputs: x, labels: y, scheme: .rk4, steps: 1000)
        let implicit = try lossAndGradient(field: field, readout: readout, inputs: x, labels: y,
                                           route: .continuous(.gsl(GSLODESolver(stepper: .msbdf)), StepSizeController(rtol: 1e-10, atol: 1e-10), .checkpoint))
        let error = scaledMaxError(implicit.gradient, fine.gradient)
        #expect(error < 1e-6, "relative gradient error \(error)")  // measured 4.7e-8 at 1e-10
    }

    @Test func refusals() throws {
        #expect(throws: ResidualError.self) { try GradientRoute(.gsl(GSLODESolver(stepper: .msbdf)), controller: StepSizeController(rtol: 1e-6, atol: 1e-6, maxSteps: 1000), method: .backsolve) }
        #expect(try GradientRoute(.gsl(GSLODESolver(stepper: .bsimp)), controller: StepSizeController(rtol: 1e-6, atol: 1e-6, maxSteps: 1000))
                == .continuous(.gsl(GSLODESolver(stepper: .bsimp)), StepSizeController(rtol: 1e-6, atol: 1e-6, maxSteps: 1000), .checkpoint))
        let (inputs, labels) = ResidualProblem.circlesAnode3.data()
        do {
            _ = try lossAndGradient(field: MLPField(parameters: ResidualProblem.initialParameters().field),
                                    readout: Readout(parameters: ResidualProblem.initialParameters().readout), inputs: inputs, labels: labels,
                                    route: .continuous(.gsl(GSLODESolver(stepper: .msbdf)), StepSizeController(rtol: 1e-6, atol: 1e-6), .checkpoint))
            Issue.record("a 3000-dimensional implicit solve was not refused")
        } catch {
            #expect("\(error)".contains("solver") && "\(error)".contains("3000"))
        }
    }
}
