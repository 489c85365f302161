import Foundation
import GSLKit
import Testing
@testable import Residual

@Suite struct HamiltonianTests {
    @Test func jacobianVectorProductsAreDerivativesAndAdjointToThePullback() {
        // (df/dx) v against central differences of f along v (step 1e-5: error ~1e-10), and
        // <u, J v> = <J^T u, v>, which ties the pushforward to the tested pullback.
        let (inputs, _) = ResidualProblem.circlesAnode3.data()
        let x = Array(inputs[0..<30]), batch = 10
        let field = MLPField(parameters: ResidualProblem.initialParameters().field)
        let v = (0..<30).map { sin(Double($0) + 0.3) }, u = (0..<30).map { cos(Double(2 * $0)) }
        let jv = field.pushforward(x, tangent: v, batch: batch)
        let plus = field(zip(x, v).map { $0 + 1e-5 * $1 }, batch: batch), minus = field(zip(x, v).map { $0 - 1e-5 * $1 }, batch: batch)
        for k in 0..<30 { #expect(abs(jv[k] - (plus[k] - minus[k]) / 2e-5) < 1e-9) }
        var unused = [Double](repeating: 0, count: field.parameterCount)
        let jtu = field.pullback(x, cotangent: u, batch: batch, gradient: &unused)
        let left = zip(u, jv).reduce(0) { $0 + $1.0 * $1.1 }, right = zip(jtu, v).reduce(0) { $0 + $1.0 * $1.1 }
        #expect(abs(left - right) < 1e-13 * abs(left))
    }

    @Test func hamiltonianAndPairingDriftShrinkWithTheTolerance() throws {
        let (inputs, labels) = ResidualProblem.circlesAnode3.data()
        let (field, readout) = ResidualProblem.initialParameters()
        var drifts: [(Double, Double)] = []
        for tolerance in [1e-5, 1e-10] {
            let diagnostics = try HamiltonianDiagnostics(field: MLPField(parameters: field), readout: Readout(parameters: readout),
                                                         inputs: inputs, labels: labels, controller: StepSizeController(rtol: tolerance, atol: tolerance))
            #expect(diagnostics.times.first == 1 && diagnostics.times.last == 0)
            #expect(diagnostics.hamiltonianDrift < 10 * tolerance && diagnostics.pairingDrift < 10 * tolerance,
                    "tolerance \(tolerance): H drift \(diagnostics.hamiltonianDrift), p.dx drift \(diagnostics.pairingDrift)")
            drifts.append((diagnostics.hamiltonianDrift, diagnostics.pairingDrift))
        }
        #expect(drifts[1].0 < drifts[0].0 && drifts[1].1 < drifts[0].1)
    }

    @Test func inputsThatDoNotFitTheFieldAreRefusedByName() throws {
        let (inputs, labels) = ResidualProblem.circlesAnode3.data()
        let (field, readout) = ResidualProblem.initialParameters()
        let error = #expect(throws: ResidualError.self) {
            try HamiltonianDiagnostics(field: MLPField(parameters: field), readout: Readout(parameters: readout),
                                       inputs: Array(inputs.dropLast()), labels: labels, controller: StepSizeController(rtol: 1e-5, atol: 1e-5))
        }
        guard case .invalid(let parameter)? = error else { Issue.record("expected invalid inputs, got \(String(describing: error))"); return }
        #expect(parameter.name == "inputs")
    }
}
