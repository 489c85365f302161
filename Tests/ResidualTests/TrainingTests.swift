import Foundation
import GSLKit
import Testing
@testable import Residual

@Suite struct TrainingTests {
    @Test func adamFirstStepIsTheLearningRateTimesTheSign() {
        // With zero moments, m/(1-b1) = g and v/(1-b2) = g^2: the first update is lr g/(|g| + eps).
        var adam = Adam(learningRate: 0.01)
        var parameters = [1.0, -2.0, 0.5]
        let gradient = [3.0, -0.25, 1e-3]
        adam.update(&parameters, gradient: gradient)
        for (k, g) in gradient.enumerated() {
            let expected = [1.0, -2.0, 0.5][k] - 0.01 * g / (abs(g) + 1e-8)
            #expect(abs(parameters[k] - expected) < 1e-15)
        }
    }

    @Test func trainingLowersTheLossAndLogsEveryStep() throws {
        // Adam at lr 1e-2 leaves the ln 2 plateau after about 40 steps (loss 0.40 at step 40, 0.03 at 50).
        let training = try ResidualTraining(route: .discrete(.rk4, steps: 4), steps: 50)
        let (log, parameters) = try training.run()
        #expect(log.count == 50 && parameters.count == 235)
        #expect(log.last!.loss < 0.2 * log.first!.loss, "\(log.map(\.loss))")
        #expect(log.allSatisfy { $0.forwardEvaluations == 16 && $0.backwardEvaluations == 16 && $0.milliseconds > 0 })
        #expect(throws: ResidualError.self) { try ResidualTraining(route: .discrete(.rk4, steps: 4), steps: 0) }
    }

    /// An adaptive route takes its default method from the solver (backsolve for explicit ones,
    /// checkpoint for implicit ones, which cannot backsolve) and the benchmark's controller by
    /// default, and checks the controller it is given, whatever the solver.
    @Test func adaptiveRoutesTakeTheirDefaultMethodAndCheckTheirController() throws {
        let tight = StepSizeController(rtol: 1e-6, atol: 1e-7, maxSteps: 10)
        #expect(try GradientRoute(.dopri5, controller: tight) == .continuous(.dopri5, tight, .backsolve))
        #expect(try GradientRoute(.dopri5, method: .checkpoint) == .continuous(.dopri5, StepSizeController(rtol: 1e-5, atol: 1e-5), .checkpoint))
        let rk8pd = GSLODESolver(stepper: .rk8pd)
        #expect(try GradientRoute(.gsl(rk8pd), controller: tight) == .continuous(.gsl(rk8pd), tight, .backsolve))
        for solver in [AdaptiveSolver.dopri5, .gsl(GSLODESolver(stepper: .rkck))] {
            for (rtol, atol, maxSteps, name) in [(-1.0, 1e-5, 10, "rtol"), (1e-20, 1e-5, 10, "rtol"), (1e-5, .nan, 10, "atol"), (1e-5, 1e-5, 0, "max-steps")] {
                let error = #expect(throws: ResidualError.self) {
                    try GradientRoute(solver, controller: StepSizeController(rtol: rtol, atol: atol, maxSteps: maxSteps))
                }
                guard case .invalid(let parameter)? = error else { Issue.record("expected invalid \(name), got \(String(describing: error))"); continue }
                #expect(parameter.name == name)
            }
        }
    }
}

@Suite struct ProblemsAndLossesTests {
    @Test func datasetsAreDeterministicBalancedAndWhereTheyShouldBe() {
        for problem in ResidualProblem.allCases {
            let (inputs, labels) = problem.data()
            #expect(inputs.count == 3000 && labels.count == 1000 && labels.filter { $0 == 1 }.count == 500)
            #expect(inputs == problem.data().inputs)
            #expect(stride(from: 2, to: 3000, by: 3).allSatisfy { inputs[$0] == 0 })
        }
        // Moons: label 0 on the upper unit half-circle, label 1 on the shifted lower one, up to the 0.1 noise.
        let (moons, labels) = ResidualProblem.twoMoons.data()
        for i in 0..<1000 {
            let (x, y) = labels[i] == 0 ? (moons[3 * i], moons[3 * i + 1]) : (1 - moons[3 * i], 0.5 - moons[3 * i + 1])
            #expect(abs((x * x + y * y).squareRoot() - 1) <= 0.1 * 2.0.squareRoot() + 1e-12 && y >= -0.1)
        }
        // Spirals: radius 0.1 + 0.9 s grows with the angle, up to 0.05 noise per coordinate.
        let (spirals, _) = ResidualProblem.twoSpirals.data()
        for i in 0..<1000 {
            let r = (spirals[3 * i] * spirals[3 * i] + spirals[3 * i + 1] * spirals[3 * i + 1]).squareRoot()
            #expect(r <= 1 + 0.05 * 2.0.squareRoot() + 1e-12)
        }
    }

    @Test(arguments: Readout.Loss.allCases)
    func readoutGradientsAreDerivativesOfTheLoss(loss: Readout.Loss) {
        // dL/dx(T) and dL/dWr by central differences (step 1e-6, error ~1e-10).
        let (inputs, labels) = ResidualProblem.twoMoons.data()
        let x = Array(inputs[0..<30]), y = Array(labels[0..<10])
        let readout = Readout(parameters: ResidualProblem.initialParameters().readout, loss: loss)
        let result = readout.loss(x, labels: y)
        for k in [0, 4, 11, 29] {
            var plus = x, minus = x
            plus[k] += 1e-6; minus[k] -= 1e-6
            let difference = (readout.loss(plus, labels: y).loss - readout.loss(minus, labels: y).loss) / 2e-6
            #expect(abs(difference - result.stateGradient[k]) < 1e-8)
        }
        for k in 0..<6 {
            var plus = readout, minus = readout
            plus.parameters.weights[k] += 1e-6; minus.parameters.weights[k] -= 1e-6
            let difference = (plus.loss(x, labels: y).loss - minus.loss(x, labels: y).loss) / 2e-6
            #expect(abs(difference - result.gradient.weights[k]) < 1e-8)
        }
    }

    @Test func miniBatchesAreDistinctPointsReproducibleAndFullWhenUnset() throws {
        let (inputs, labels) = ResidualProblem.circlesAnode3.data()
        let training = try ResidualTraining(route: .discrete(.rk4, steps: 2), steps: 3, batchSize: 64, seed: 7)
        let first = training.batch(0, inputs: inputs, labels: labels), again = training.batch(0, inputs: inputs, labels: labels)
        #expect(first.labels.count == 64 && first.inputs.count == 192 && first.inputs == again.inputs)
        #expect(training.batch(1, inputs: inputs, labels: labels).inputs != first.inputs)
        let points = stride(from: 0, to: 192, by: 3).map { [first.inputs[$0], first.inputs[$0 + 1]] }
        #expect(Set(points.map { "\($0)" }).count == 64)
        let full = try ResidualTraining(route: .discrete(.rk4, steps: 2), steps: 3)
        #expect(full.batch(5, inputs: inputs, labels: labels).inputs == inputs)
        #expect(throws: ResidualError.self) { try ResidualTraining(route: .discrete(.rk4, steps: 2), batchSize: 0) }
        // SGD with momentum: v = mu v + g, theta -= lr v.
        var sgd = SGD(learningRate: 0.5, momentum: 0.9)
        var theta = [1.0]
        sgd.update(&theta, gradient: [2]); sgd.update(&theta, gradient: [2])
        #expect(theta == [1 - 0.5 * 2 - 0.5 * (0.9 * 2 + 2)])
    }
}
