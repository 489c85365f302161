import Foundation
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

    @Test func routesAreParsedFromTheCommandLineForms() throws {
        #expect(try GradientRoute(solver: "rk4:10", method: "discrete", rtol: 1e-5, atol: 1e-5, maxSteps: 10) == .discrete(.rk4, steps: 10))
        #expect(try GradientRoute(solver: "dopri5", method: "checkpoint", rtol: 1e-6, atol: 1e-7, maxSteps: 10)
                == .continuous(.dopri5(Dopri5(rtol: 1e-6, atol: 1e-7, maxSteps: 10)), .checkpoint))
        for (solver, method) in [("rk4:x", "discrete"), ("dopri5", "discrete"), ("rk4:10", "adjoint"), ("rk8", "discrete")] {
            #expect(throws: ResidualError.self) { try GradientRoute(solver: solver, method: method, rtol: 1e-5, atol: 1e-5, maxSteps: 10) }
        }
        #expect(throws: ResidualError.self) { try GradientRoute(solver: "dopri5", method: "adjoint", rtol: -1, atol: 1e-5, maxSteps: 10) }
    }
}
