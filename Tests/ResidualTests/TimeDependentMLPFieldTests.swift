import Foundation
import GSLKit
import Testing
import TestSupport
@testable import Residual

@Suite struct TimeDependentMLPFieldTests {
    static let problem = ResidualProblem.circlesAnode3.data()
    static let initial = ResidualProblem.initialParameters()

    /// Three knots (t = 0, 1/2, 1), each perturbed differently so the weights really move with t.
    static func field() throws -> TimeDependentMLPField {
        let base = initial.field.flat
        let knots = (0..<3).flatMap { m in base.enumerated().map { k, v in v + 0.2 * sin(Double(7 * k + 3 * m + 1)) } }
        return try TimeDependentMLPField(knotParameters: knots, shape: initial.field, knots: 3)
    }

    @Test func oneKnotIsTheTimeIndependentField() throws {
        let (inputs, labels) = Self.problem
        let readout = Readout(parameters: Self.initial.readout)
        let constant = try TimeDependentMLPField(initial: Self.initial.field, knots: 1)
        let a = discreteLossAndGradient(field: constant, readout: readout, inputs: inputs, labels: labels, scheme: .rk4, steps: 5)
        let b = discreteLossAndGradient(field: MLPField(parameters: Self.initial.field), readout: readout, inputs: inputs, labels: labels,
                                        scheme: .rk4, steps: 5)
        #expect(a.gradient == b.gradient && a.loss == b.loss)
    }

    /// The discrete adjoint of 8 RK4 steps (landing on the knots) against fourth-order central
    /// differences of the same discrete map in parameters of each knot (truncation ~1e-12).
    @Test func discreteAdjointAgainstFiniteDifferences() throws {
        let (all, allLabels) = Self.problem
        let inputs = Array(all[0..<300]), labels = Array(allLabels[0..<100])
        let field = try Self.field(), readout = Readout(parameters: Self.initial.readout)
        let exact = discreteLossAndGradient(field: field, readout: readout, inputs: inputs, labels: labels, scheme: .rk4, steps: 8)
        func loss(_ theta: [Double]) -> Double {
            let moved = try! TimeDependentMLPField(knotParameters: theta, shape: Self.initial.field, knots: 3)
            let final = ExplicitRungeKutta.rk4.integrate(moved, from: inputs, batch: labels.count, steps: 8).final
            return readout.loss(final, labels: labels).loss
        }
        let theta = field.parameterVector, h = 1e-3, scale = exact.gradient.map(abs).max()!
        for k in stride(from: 5, to: theta.count, by: 47) {
            func at(_ s: Double) -> Double { var shifted = theta; shifted[k] += s * h; return loss(shifted) }
            let difference = (-at(2) + 8 * at(1) - 8 * at(-1) + at(-2)) / (12 * h)
            #expect(abs(difference - exact.gradient[k]) < 1e-9 * scale, "parameter \(k): \(exact.gradient[k]) vs \(difference)")
        }
    }

    /// Both continuous adjoints (restarted at the middle knot) against a fine RK4 solve.
    @Test(arguments: [AdjointMethod.backsolve, .checkpoint])
    func continuousAdjointsAgainstFineRK4(method: AdjointMethod) throws {
        let (all, allLabels) = Self.problem
        let inputs = Array(all[0..<300]), labels = Array(allLabels[0..<100])
        let field = try Self.field(), readout = Readout(parameters: Self.initial.readout)
        let fine = discreteLossAndGradient(field: field, readout: readout, inputs: inputs, labels: labels, scheme: .rk4, steps: 512)
        let adjoint = try lossAndGradient(field: field, readout: readout, inputs: inputs, labels: labels,
                                          route: .continuous(.dopri5, StepSizeController(rtol: 1e-11, atol: 1e-11), method))
        let error = scaledMaxError(adjoint.gradient, fine.gradient)
        // Measured 7e-12 (backsolve, tolerance-limited) and 2.8e-10 (checkpoint, interpolant-limited).
        #expect(error < (method == .backsolve ? 1e-10 : 3e-9), "\(method): \(error)")
    }

    /// The flow metric of a knotted field restarts its solve at the knots: its D Phi against
    /// central differences of 512 RK4 steps (which land on the knot; truncation ~1e-13), and
    /// Liouville's log det D Phi = Int tr J to the solver's tolerance.
    @Test func flowMetricOfAKnottedFieldRestartsAtTheKnots() throws {
        let field = try Self.field()
        let x0 = Array(Self.problem.inputs[0..<3])
        let metric = try field.flowMetric(at: x0)
        #expect(abs(metric.logDeterminant - metric.integralTrace) < 1e-9 * max(1, abs(metric.integralTrace)))
        func end(_ x: [Double]) -> [Double] { ExplicitRungeKutta.rk4.integrate(field, from: x, batch: 1, steps: 512).final }
        for b in 0..<3 {
            var plus = x0, minus = x0
            plus[b] += 1e-5; minus[b] -= 1e-5
            let (p, m) = (end(plus), end(minus))
            for a in 0..<3 {
                let difference = (p[a] - m[a]) / 2e-5
                #expect(abs(difference - metric.jacobian[a * 3 + b]) < 1e-8 * max(1, abs(difference)), "D Phi[\(a), \(b)]")
            }
        }
    }
}
