import Foundation
import GSLKit
import Testing
@testable import Residual

@Suite struct FlowMetricTests {
    @Test func theFlowMapJacobianMatchesDifferencesAndJacobisFormula() throws {
        // D Phi from the variational equation against central differences of the flow map
        // (rk8pd at 1e-12, step 1e-5: truncation ~1e-10), det D Phi = exp Int tr J, and G = M^T M.
        let field = MLPField(parameters: ResidualProblem.initialParameters().field)
        let x0 = Array(ResidualProblem.circlesAnode3.data().inputs[0..<3])
        let metric = try field.flowMetric(at: x0)
        #expect(abs(metric.logDeterminant - metric.integralTrace) < 1e-9 * max(1, abs(metric.integralTrace)))
        let (solver, controller) = (GSLODESolver(stepper: .rk8pd), StepSizeController(rtol: 1e-12, atol: 1e-12))
        let flow = ODESystem(dimension: 3) { _, y, dydt in
            let f = field(Array(y), batch: 1)
            for a in 0..<3 { dydt[a] = f[a] }
        }
        for b in 0..<3 {
            var plus = x0, minus = x0
            plus[b] += 1e-5; minus[b] -= 1e-5
            let p = try solver.solve(flow, from: plus, times: [0, 1], controller: controller).state(1)
            let m = try solver.solve(flow, from: minus, times: [0, 1], controller: controller).state(1)
            for a in 0..<3 {
                let difference = (p[p.startIndex + a] - m[m.startIndex + a]) / 2e-5
                #expect(abs(difference - metric.jacobian[a * 3 + b]) < 1e-8 * max(1, abs(difference)))
            }
        }
        // The metric's eigenvalues are positive and multiply to det(D Phi)^2.
        #expect(metric.eigenvalues.allSatisfy { $0 > 0 })
        #expect(abs(metric.eigenvalues.map(log).reduce(0, +) - 2 * metric.logDeterminant) < 1e-10 * max(1, abs(metric.logDeterminant)))
        #expect(throws: ResidualError.self) { try field.flowMetric(at: [1, 2]) }
    }
}
