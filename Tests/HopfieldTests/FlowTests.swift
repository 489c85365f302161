import Foundation
import GSLKit
import Testing
@testable import Hopfield

/// A symmetric 3-unit network with inputs, for each activation.
func threeUnitModel(_ kind: HopfieldActivation.Kind, gain: Double = 2, tau: Double = 1.3) throws -> HopfieldModel {
    // Bounded outputs take any symmetric W; for exp and identity E is bounded below only when W
    // is negative definite (-x.Wx/2 must not beat x log x or x^2/(2 lambda tau)).
    let bounded: [Double] = [0.0, 1.2, -0.7, 1.2, 0.3, 0.5, -0.7, 0.5, -0.2]
    let negative: [Double] = [-0.5, 0.2, 0.1, 0.2, -0.4, 0.15, 0.1, 0.15, -0.6]
    let c: [Double] = [1, 0.6, 1.8]
    let unbounded = kind == .exp || kind == .identity
    let inputs: [Double] = kind == .exp ? [0.4, -0.3, 0.2] : [0.2, -0.3, 0.1]
    return try HopfieldModel(weights: unbounded ? negative : bounded, inputs: inputs,
                             activation: HopfieldActivation(kind, gain: gain), tau: tau, capacitances: c)
}

@Suite struct FlowTests {
    @Test(arguments: HopfieldActivation.Kind.allCases)
    func energyDecreasesAlongEveryTrajectory(kind: HopfieldActivation.Kind) throws {
        let model = try threeUnitModel(kind)
        let times = stride(from: 0.0, through: 6, by: 0.05).map { $0 }
        for u0 in [[1.0, -2, 0.5], [-0.3, 0.4, 2], [0.01, 0, -0.01]] {
            let path = try model.trajectory(u0: u0, times: times)
            let energy = try #require(path.energy)
            for k in 1..<energy.count { #expect(energy[k] <= energy[k - 1] + 1e-12 * max(1, abs(energy[k]))) }
            // dE/dt = -sum C_i sigma'(u_i) (du_i/dt)^2, against a central difference of E(sigma(u + s F)) in s.
            for k in [0, 10, 40] {
                let u = Array(path.row(path.u, k)), f = model.velocity(u)
                let rate = -(0..<3).reduce(0.0) { $0 + model.capacitances[$1] * model.activation.slope(u[$1]) * f[$1] * f[$1] }
                let s = 1e-6
                let ahead = try model.energy(model.outputs(zip(u, f).map { $0 + s * $1 }))
                let behind = try model.energy(model.outputs(zip(u, f).map { $0 - s * $1 }))
                let fd = (ahead - behind) / (2 * s)
                #expect(abs(fd - rate) <= 1e-6 * max(abs(rate), 1), "\(kind) k \(k): \(fd) vs \(rate)")
            }
        }
    }

    @Test(arguments: HopfieldActivation.Kind.allCases)
    func gradientHessianAndJacobianAgreeWithDifferences(kind: HopfieldActivation.Kind) throws {
        let model = try threeUnitModel(kind)
        let u = [0.3, -0.5, 0.8], x = model.outputs(u)
        let gradient = try model.energyGradient(x), hessian = try model.energyHessian(x), jacobian = model.jacobian(u)
        let f = model.velocity(u)
        for i in 0..<3 {
            #expect(abs(gradient[i] + model.capacitances[i] * f[i]) <= 1e-13 * max(1, abs(gradient[i])))
            let h = 1e-6 * min(1, x[i] - model.activation.range.lower, model.activation.range.upper - x[i])
            var xp = x, xm = x
            xp[i] += h; xm[i] -= h
            #expect(abs((try model.energy(xp) - model.energy(xm)) / (2 * h) - gradient[i]) <= 1e-7 * max(1, abs(gradient[i])))
            let gp = try model.energyGradient(xp), gm = try model.energyGradient(xm)
            for j in 0..<3 { #expect(abs((gp[j] - gm[j]) / (2 * h) - hessian[j * 3 + i]) <= 1e-6 * max(1, abs(hessian[j * 3 + i]))) }
            var up = u, um = u
            up[i] += 1e-6; um[i] -= 1e-6
            let fp = model.velocity(up), fm = model.velocity(um)
            for j in 0..<3 { #expect(abs((fp[j] - fm[j]) / 2e-6 - jacobian[j * 3 + i]) <= 1e-8 * max(1, abs(jacobian[j * 3 + i]))) }
        }
    }

    @Test(arguments: [HopfieldActivation.Kind.logistic, .tanh, .atan, .exp])
    func naturalGradientFlowIsTheHopfieldFlowInOutputCoordinates(kind: HopfieldActivation.Kind) throws {
        let model = try threeUnitModel(kind)
        let u0 = [0.9, -1.2, 0.4], times = [0, 0.5, 1, 2, 4]
        let tolerance = 1e-10
        let controller = StepSizeController(rtol: tolerance, atol: tolerance)
        let flow = try model.trajectory(u0: u0, times: times, controller: controller)
        let natural = try model.naturalGradientFlow(x0: model.outputs(u0), times: times, controller: controller)
        for k in 0..<flow.x.count { #expect(abs(flow.x[k] - natural[k]) <= 1e-8 * max(1, abs(flow.x[k])), "\(kind) \(k)") }
    }

    @Test func mirrorDescentConvergesToTheFlowAtOrderOne() throws {
        let model = try threeUnitModel(.logistic)
        let u0 = [0.9, -1.2, 0.4]
        let exact = try model.trajectory(u0: u0, times: [0, 1]).row(try model.trajectory(u0: u0, times: [0, 1]).u, 1)
        var errors: [Double] = []
        for steps in [50, 100, 200, 400] {
            let path = try model.mirrorDescent(u0: u0, step: 1 / Double(steps), steps: steps)
            let end = path[(steps * 3)...]
            errors.append(zip(end, exact).reduce(0) { max($0, abs($1.0 - $1.1)) })
        }
        for k in 1..<errors.count {
            let ratio = errors[k - 1] / errors[k]
            #expect(ratio > 1.85 && ratio < 2.15, "halving h divides the error by \(ratio)")
        }
    }

    @Test func gslSteppersAgreeIncludingTheImplicitOnesWithTheExactJacobian() throws {
        let model = try threeUnitModel(.tanh)
        let u0 = [0.9, -1.2, 0.4], times = [0, 0.7, 3]
        let reference = try model.trajectory(u0: u0, times: times, solver: GSLODESolver(stepper: .rk8pd),
                                         controller: StepSizeController(rtol: 1e-12, atol: 1e-12))
        for stepper in [GSLStepper.rkf45, .rkck, .msbdf, .bsimp, .rk4imp] {
            let path = try model.trajectory(u0: u0, times: times, solver: GSLODESolver(stepper: stepper),
                                            controller: StepSizeController(rtol: 1e-9, atol: 1e-9))
            let error = zip(path.u, reference.u).reduce(0) { max($0, abs($1.0 - $1.1)) }
            #expect(error < 1e-6, "\(stepper): \(error)")
            #expect(path.acceptedSteps > 0)
        }
    }

    @Test func gslSolverReportsBadInputNonFiniteFieldsAndStepLimits() throws {
        let decay = ODESystem(dimension: 1) { _, y, dydt in dydt[0] = -y[0] }
        let controller = StepSizeController(rtol: 1e-8, atol: 1e-8)
        let solution = try GSLODESolver().solve(decay, from: [1], times: [0, 1, 2], controller: StepSizeController(rtol: 1e-12, atol: 1e-12))
        #expect(abs(solution.states[2] - exp(-2)) < 1e-11 && solution.times == [0, 1, 2])
        #expect(throws: ODEError.self) { try GSLODESolver().solve(decay, from: [1], times: [0, 1], controller: StepSizeController(rtol: 0, atol: 1e-8)) }
        #expect(throws: ODEError.self) { try GSLODESolver(stepper: .msbdf).solve(decay, from: [1], times: [0, 1], controller: controller) }
        #expect(throws: ODEError.self) { try GSLODESolver().solve(decay, from: [1], times: [0, 2, 1], controller: controller) }
        let blowUp = ODESystem(dimension: 1) { t, y, dydt in dydt[0] = t > 0.5 ? .nan : 1 }
        do {
            _ = try GSLODESolver().solve(blowUp, from: [0], times: [0, 1], controller: controller)
            Issue.record("a NaN field must stop the solve")
        } catch ODEError.nonFinite(let t, let component) {
            #expect(t > 0.5 && component == 0)
        }
        do {
            _ = try GSLODESolver().solve(decay, from: [1], times: [0, 100], controller: StepSizeController(rtol: 1e-8, atol: 1e-8, maxSteps: 5))
            Issue.record("the step limit must stop the solve")
        } catch ODEError.maxSteps(let n, _) {
            #expect(n == 5)
        }
    }

    @Test func badModelsAreRefusedWithTheParameterNamed() throws {
        let logistic = try HopfieldActivation(.logistic)
        #expect(throws: HopfieldError.self) { try HopfieldModel(weights: [0, 1, 1], inputs: [0, 0], activation: logistic) }
        #expect(throws: HopfieldError.invalidParameter(name: "tau", reason: "must be > 0, got 0.0")) {
            try HopfieldModel(weights: [0], inputs: [0], activation: logistic, tau: 0)
        }
        #expect(throws: HopfieldError.self) { try HopfieldModel(weights: [0], inputs: [0], activation: logistic, capacitances: [-1]) }
        let asymmetric = try HopfieldModel(weights: [0, 1, 0.5, 0], inputs: [0, 0], activation: logistic)
        #expect(!asymmetric.isSymmetric && asymmetric.asymmetry == 0.5)
        #expect(throws: HopfieldError.asymmetric(asymmetry: 0.5)) { try asymmetric.energy([0.5, 0.5]) }
        // The flow itself runs for an asymmetric W; the energy is not reported.
        #expect(try asymmetric.trajectory(u0: [0.1, 0.2], times: [0, 1]).energy == nil)
        #expect(throws: HopfieldError.self) { try threeUnitModel(.logistic).energyGradient([0.5, 1.2, 0.3]) }
        #expect(throws: HopfieldError.self) { try threeUnitModel(.logistic).trajectory(u0: [0.1], times: [0, 1]) }
    }
}
