import Foundation
import Testing
@testable import Residual

@Suite struct ResidualTests {
    @Test func circlesAnode3MatchesTheReferenceChecksums() {
        // The checksums of a correct port (Residual's CirclesAnode3 article; also printed by
        // Benchmarks/anchors/circles_anode3.py, an independent stdlib-Python implementation).
        let (inputs, labels) = ResidualProblem.circlesAnode3.data()
        #expect(inputs.count == 3000 && labels.count == 1000 && labels[0] == 0 && labels[1] == 1)
        #expect(abs(inputs.reduce(0, +) - -22.865495885049192) < 1e-12)
        #expect(abs(inputs.reduce(0) { $0 + abs($1) } - 953.11488519397892) < 1e-10)
        #expect(inputs[0] == 0.5145894999914808 && inputs[1] == 0.0024807044158408355 && inputs[2] == 0)
        let (field, readout) = ResidualProblem.initialParameters()
        let parameters = field.flat + readout.flat
        #expect(parameters.count == 235)
        #expect(abs(parameters.reduce(0, +) - 2.145396447945481) < 1e-13)
    }

    /// The loss of `steps` steps of `scheme` at the flat parameters (W1, b1, W2, b2, Wr, br).
    static func loss(_ flat: [Double], scheme: ExplicitRungeKutta, steps: Int, inputs: [Double], labels: [Int]) -> Double {
        let field = MLPField(parameters: .init(w1: Array(flat[0..<96]), b1: Array(flat[96..<128]), w2: Array(flat[128..<224]),
                                               b2: Array(flat[224..<227]), dimension: 3, hidden: 32))
        let readout = Readout(parameters: .init(weights: Array(flat[227..<233]), biases: Array(flat[233..<235]), dimension: 3, classes: 2))
        return readout.loss(scheme.integrate(field, from: inputs, batch: labels.count, steps: steps).final, labels: labels).loss
    }

    @Test(arguments: [(ExplicitRungeKutta.rk4, 10), (.euler, 7), (.midpoint, 5)])
    func discreteAdjointIsTheGradientOfTheDiscreteMap(scheme: ExplicitRungeKutta, steps: Int) {
        // Against fourth-order central differences of the same discrete map (step 1e-3 x scale:
        // truncation ~1e-12, rounding ~1e-13/1e-3): every 13th parameter and a fixed pseudo-random direction,
        // at a perturbed point so that no gradient entry is accidentally tiny.
        let (inputs, labels) = ResidualProblem.circlesAnode3.data()
        let (initialField, initialReadout) = ResidualProblem.initialParameters()
        var flat = initialField.flat + initialReadout.flat
        for k in flat.indices { flat[k] += 0.3 * sin(Double(k)) }
        let field = MLPField(parameters: .init(w1: Array(flat[0..<96]), b1: Array(flat[96..<128]), w2: Array(flat[128..<224]),
                                               b2: Array(flat[224..<227]), dimension: 3, hidden: 32))
        let readout = Readout(parameters: .init(weights: Array(flat[227..<233]), biases: Array(flat[233..<235]), dimension: 3, classes: 2))
        let exact = discreteLossAndGradient(field: field, readout: readout, inputs: inputs, labels: labels, scheme: scheme, steps: steps)
        #expect(exact.forwardEvaluations == steps * scheme.stages && exact.backwardEvaluations == steps * scheme.stages)
        func directional(_ direction: [Double]) -> Double {
            let h = 1e-3
            func at(_ s: Double) -> Double { Self.loss(zip(flat, direction).map { $0 + s * h * $1 }, scheme: scheme, steps: steps, inputs: inputs, labels: labels) }
            return (-at(2) + 8 * at(1) - 8 * at(-1) + at(-2)) / (12 * h)
        }
        let scale = exact.gradient.map(abs).max()!
        for k in stride(from: 0, to: 235, by: 13) {
            var unit = [Double](repeating: 0, count: 235)
            unit[k] = 1
            let difference = directional(unit)
            #expect(abs(difference - exact.gradient[k]) < 1e-9 * scale, "\(scheme.name) parameter \(k): \(exact.gradient[k]) vs \(difference)")
        }
        let direction = (0..<235).map { cos(Double($0 * $0)) }
        let projected = zip(direction, exact.gradient).reduce(0) { $0 + $1.0 * $1.1 }
        #expect(abs(directional(direction) - projected) < 1e-9 * abs(projected))
    }

    /// Blocks of rows run as independent tasks: the same bits for 1 and 2 threads, and the same
    /// gradient (to rounding: only the order of the block sums differs) as one block of all rows.
    @Test func fixedStepGradientIsIndependentOfThreadsAndBlocks() throws {
        let (inputs, labels) = ResidualProblem.circlesAnode3.data()
        let (field, readout) = ResidualProblem.initialParameters()
        let one = discreteLossAndGradient(field: MLPField(parameters: field), readout: Readout(parameters: readout), inputs: inputs,
                                          labels: labels, scheme: .rk4, steps: 6, threads: 1)
        let two = discreteLossAndGradient(field: MLPField(parameters: field), readout: Readout(parameters: readout), inputs: inputs,
                                          labels: labels, scheme: .rk4, steps: 6, threads: 2)
        #expect(one.gradient == two.gradient && one.loss == two.loss)
        // One block of all 1000 rows, by hand.
        let mlp = MLPField(parameters: field), trajectory = ExplicitRungeKutta.rk4.integrate(mlp, from: inputs, batch: labels.count, steps: 6)
        let head = Readout(parameters: readout).loss(trajectory.final, labels: labels)
        var whole = [Double](repeating: 0, count: mlp.parameterCount)
        _ = trajectory.adjoint(mlp, cotangent: head.stateGradient, gradient: &whole)
        let scale = whole.map(abs).max()!
        #expect(zip(one.gradient, whole + head.gradient.flat).allSatisfy { abs($0 - $1) < 1e-13 * scale })
        #expect(head.loss == one.loss)
    }
}
