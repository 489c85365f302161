import Foundation
import GSLKit
import Testing
import TestSupport
@testable import Residual

@Suite struct ContinuousAdjointTests {
    static let problem = ResidualProblem.circlesAnode3.data()
    static let initial = ResidualProblem.initialParameters()

    @Test func dopri5LandsOnT1WithTheRequestedAccuracy() throws {
        // y' = A y with A a rotation plus decay: y(t) = e^{-t/2} R(2t) y0, exact.
        let (solver, controller) = (Dopri5(), StepSizeController(rtol: 1e-10, atol: 1e-10))
        var times: [Double] = []
        let (y, statistics) = try solver.solve({ _, y in [-0.5 * y[0] - 2 * y[1], 2 * y[0] - 0.5 * y[1]] }, from: [1, 0], t0: 0, t1: 3,
                                                controller: controller) { t, _, _ in
            times.append(t)
        }
        let decay = exp(-1.5)
        #expect(abs(y[0] - decay * cos(6)) < 1e-8 && abs(y[1] - decay * sin(6)) < 1e-8)
        #expect(times.last == 3 && statistics.accepted == times.count - 1)
        // FSAL: 6 new evaluations per attempted step, plus the first and the starting-step probe.
        #expect(statistics.evaluations == 6 * (statistics.accepted + statistics.rejected) + 2)
        // Backwards in time too.
        let back = try solver.solve({ _, y in [-0.5 * y[0] - 2 * y[1], 2 * y[0] - 0.5 * y[1]] }, from: y, t0: 3, t1: 0, controller: controller).y
        #expect(abs(back[0] - 1) < 1e-8 && abs(back[1]) < 1e-8)
    }

    /// Dopri5's continuous extension (Shampine's quartic, SciPy's RK45 coefficients) against the
    /// exact solution inside every step of a loose solve (tolerance 1e-6: long steps), and against
    /// the cubic Hermite interpolant through the same points. At theta = 1 it is the next step's start.
    @Test func dopri5DenseOutputIsAccurateInsideSteps() throws {
        let (solver, controller) = (Dopri5(), StepSizeController(rtol: 1e-6, atol: 1e-6))
        var steps: [Dopri5.DenseStep] = []
        let field: (Double, [Double]) -> [Double] = { _, y in [-0.5 * y[0] - 2 * y[1], 2 * y[0] - 0.5 * y[1]] }
        _ = try solver.solve(field, from: [1, 0], t0: 0, t1: 3, controller: controller, dense: { steps.append($0) })
        func exact(_ t: Double) -> [Double] { [exp(-t / 2) * cos(2 * t), exp(-t / 2) * sin(2 * t)] }
        var denseError = 0.0, hermiteError = 0.0
        for (k, step) in steps.enumerated() {
            if k + 1 < steps.count {
                let end = step(theta: 1), next = steps[k + 1].y0
                #expect(abs(end[0] - next[0]) < 1e-15 && abs(end[1] - next[1]) < 1e-15)
            }
            let y0 = step(theta: 0), y1 = step(theta: 1), f0 = field(0, y0), f1 = field(0, y1)
            for theta in stride(from: 0.1, to: 1, by: 0.1) {
                let t = step.t0 + theta * step.h, y = step(theta: theta), truth = exact(t)
                denseError = max(denseError, abs(y[0] - truth[0]), abs(y[1] - truth[1]))
                let (s2, s3) = (theta * theta, theta * theta * theta)
                let hermite = (0..<2).map { (2 * s3 - 3 * s2 + 1) * y0[$0] + (s3 - 2 * s2 + theta) * step.h * f0[$0]
                    + (-2 * s3 + 3 * s2) * y1[$0] + (s3 - s2) * step.h * f1[$0] }
                hermiteError = max(hermiteError, abs(hermite[0] - truth[0]), abs(hermite[1] - truth[1]))
            }
        }
        // Measured: 1.2e-6 against the Hermite interpolant's 1.5e-5 over 22 steps.
        #expect(denseError < 1e-5)
        #expect(denseError < hermiteError / 2)
    }

    @Test func badFieldsAndLimitsAreErrorsNotHangs() throws {
        let (solver, controller) = (Dopri5(), StepSizeController(rtol: 1e-6, atol: 1e-6, maxSteps: 50))
        #expect { try solver.solve({ t, y in [t > 0.5 ? .nan : 1] }, from: [0], t0: 0, t1: 1, controller: controller) } throws: { error in
            guard case ResidualError.nonFinite(let message) = error else { return false }
            return message.contains("t = ")
        }
        // y' = y^2 from y(0) = 1 blows up at t = 1.
        #expect { try solver.solve({ _, y in [y[0] * y[0]] }, from: [1], t0: 0, t1: 2, controller: controller) } throws: { error in
            if case ResidualError.maxStepsExceeded = error { return true }
            if case ResidualError.stepSizeUnderflow = error { return true }
            if case ResidualError.nonFinite = error { return true }
            return false
        }
        // A stiff y' = -1e9 (y - cos t) at tight tolerances: the step limit, not a failure.
        #expect { try solver.solve({ t, y in [-1e9 * (y[0] - cos(t))] }, from: [0], t0: 0, t1: 1, controller: controller) } throws: { error in
            if case ResidualError.maxStepsExceeded = error { return true }
            return false
        }
        for bad in [StepSizeController(rtol: 0, atol: 1e-6), StepSizeController(rtol: 1e-6, atol: .nan), StepSizeController(rtol: 1e-16, atol: 1e-6)] {
            #expect(throws: ResidualError.self) { try solver.solve({ _, y in y }, from: [1], t0: 0, t1: 1, controller: bad) }
        }
    }

    /// The controller beside Dopri5: a breakpoint at a jump of f restarts the solve there (fifth
    /// order is exact on the quadratic pieces), fewer steps than straddling it, and a first step
    /// the controller gives is the first step taken.
    @Test func dopri5RestartsAtTheControllersBreakpointsAndTakesItsFirstStep() throws {
        // dy/dt = 1 for t < 1/2, 3 t^2 after: y(1) = 11/8.
        let jump: (Double, [Double]) -> [Double] = { t, _ in [t < 0.5 ? 1 : 3 * t * t] }
        var observed: [Double] = []
        let split = try Dopri5().solve(jump, from: [0], t0: 0, t1: 1,
                                       controller: StepSizeController(rtol: 1e-10, atol: 1e-10, breakpoints: [0.5])) { t, _, _ in observed.append(t) }
        #expect(abs(split.y[0] - 1.375) < 1e-14)
        #expect(observed.contains((0.5).nextDown) && observed.contains((0.5).nextUp) && observed.last == 1)
        let straddled = try Dopri5().solve(jump, from: [0], t0: 0, t1: 1, controller: StepSizeController(rtol: 1e-10, atol: 1e-10))
        #expect(split.statistics.accepted + split.statistics.rejected < straddled.statistics.accepted + straddled.statistics.rejected)
        let back = try Dopri5().solve(jump, from: [1.375], t0: 1, t1: 0, controller: StepSizeController(rtol: 1e-10, atol: 1e-10, breakpoints: [0.5]))
        #expect(abs(back.y[0]) < 1e-14)
        var first: [Double] = []
        _ = try Dopri5().solve({ _, _ in [1] }, from: [0], t0: 0, t1: 1,
                               controller: StepSizeController(rtol: 1e-8, atol: 1e-8, initialStep: 0.3)) { t, _, _ in first.append(t) }
        #expect(first.prefix(2) == [0, 0.3])
    }

    @Test(arguments: [(AdjointMethod.backsolve, 1e-11), (.checkpoint, 1e-9)])
    func continuousAdjointAtTightToleranceIsTheFineDiscreteGradient(method: AdjointMethod, tolerance: Double) throws {
        // The continuous adjoint at rtol = atol = 1e-12 against the discrete gradient of 100 RK4
        // steps (whose own error is ~4e-14 relative: rk4:10 differs from rk4:2000 by 4.3e-10 and
        // the error falls as h^4).
        let (inputs, labels) = Self.problem
        let field = MLPField(parameters: Self.initial.field), readout = Readout(parameters: Self.initial.readout)
        let fine = discreteLossAndGradient(field: field, readout: readout, inputs: inputs, labels: labels, scheme: .rk4, steps: 100)
        let adjoint = try continuousLossAndGradient(field: field, readout: readout, inputs: inputs, labels: labels,
                                                    solver: .dopri5, controller: StepSizeController(rtol: 1e-12, atol: 1e-12), method: method)
        let scale = fine.gradient.map(abs).max()!
        let error = maxAbsError(adjoint.gradient, fine.gradient)
        #expect(error < tolerance * scale, "\(method): \(error / scale)")
        #expect(abs(adjoint.loss - fine.loss) < 1e-12)
    }

    @Test(arguments: [(AdjointMethod.backsolve, GSLStepper.rk8pd), (.checkpoint, .rkck)])
    func gslSteppersGiveTheSameContinuousAdjoint(method: AdjointMethod, stepper: GSLStepper) throws {
        // GSL's explicit steppers through the same adjoint, at 1e-10 (max-norm control), against
        // 100 RK4 steps' discrete gradient (itself ~4e-14 from the exact one). The checkpoint
        // reads x(t) off a cubic Hermite interpolant, fourth order in the step: rk8pd's long steps
        // leave it at 2.7e-8 at this tolerance, so it is checked with the fifth-order rkck.
        let (inputs, labels) = Self.problem
        let field = MLPField(parameters: Self.initial.field), readout = Readout(parameters: Self.initial.readout)
        let fine = discreteLossAndGradient(field: field, readout: readout, inputs: inputs, labels: labels, scheme: .rk4, steps: 100)
        let route = try GradientRoute(.gsl(GSLODESolver(stepper: stepper)), controller: StepSizeController(rtol: 1e-10, atol: 1e-10),
                                      method: method)
        let gsl = try lossAndGradient(field: field, readout: readout, inputs: inputs, labels: labels, route: route)
        let scale = fine.gradient.map(abs).max()!
        let error = maxAbsError(gsl.gradient, fine.gradient)
        #expect(error < 1e-8 * scale, "\(stepper) \(method): \(error / scale)")
        #expect(gsl.forwardEvaluations > 0 && gsl.backwardEvaluations > 0)
        #expect(throws: ResidualError.self) { try GradientRoute(.gsl(GSLODESolver(stepper: .msbdf)), method: .backsolve) }
    }
}
