import Foundation
import GSLKit
import Testing

/// The step-size controller passed beside GSL's solver: its pieces, its checks, its first step
/// and its breakpoints, on a field with a jump whose exact solution is known.
@Suite struct StepSizeControllerTests {
    /// dy/dt = 1 for t < 1/2 and 3 t^2 after: y(t) = t, then 1/2 + t^3 - 1/8; y(1) = 11/8.
    /// Polynomial of degree <= 2 on each side, so an eighth-order step that does not straddle
    /// t = 1/2 is exact to rounding.
    static var jump: ODESystem { ODESystem(dimension: 1) { t, _, dydt in dydt[0] = t < 0.5 ? 1 : 3 * t * t } }
    static func exact(_ t: Double) -> Double { t < 0.5 ? t : 0.5 + t * t * t - 0.125 }

    @Test func piecesStepAroundTheDistinctBreakpointsInTheOrderTheSolveMeetsThem() {
        let controller = StepSizeController(rtol: 1e-8, atol: 1e-8, breakpoints: [0.7, 0.2, 0.2, 5, -1])
        func flat(_ pieces: [(start: Double, end: Double)]) -> [Double] { pieces.flatMap { [$0.start, $0.end] } }
        #expect(flat(controller.pieces(from: 0, to: 1)) == [0, (0.2).nextDown, (0.2).nextUp, (0.7).nextDown, (0.7).nextUp, 1])
        #expect(flat(controller.pieces(from: 1, to: 0)) == [1, (0.7).nextUp, (0.7).nextDown, (0.2).nextUp, (0.2).nextDown, 0])
        #expect(flat(controller.pieces(from: 0.3, to: 0.3)) == [0.3, 0.3])
        // An end that is a breakpoint is stepped around the same way.
        #expect(flat(controller.pieces(from: 0.2, to: 0.7)) == [(0.2).nextUp, (0.7).nextDown])
        #expect(flat(controller.reflected(about: 1).pieces(from: 0, to: 1)).count == 6)
        #expect(flat(controller.adding(breakpoints: [0.5]).pieces(from: 0, to: 1)).count == 8)
        // Breakpoints one ulp apart leave no piece that ends before it starts.
        let crowded = StepSizeController(rtol: 1e-8, atol: 1e-8, breakpoints: [0.5, (0.5).nextUp])
        #expect(crowded.pieces(from: 0, to: 1).allSatisfy { $0.start <= $0.end })
    }

    @Test func badSettingsAreRefusedByName() {
        let cases: [(StepSizeController, String)] = [
            (StepSizeController(rtol: 0, atol: 1e-8), "rtol"), (StepSizeController(rtol: .nan, atol: 1e-8), "rtol"),
            (StepSizeController(rtol: 1e-8, atol: -1), "atol"), (StepSizeController(rtol: 1e-8, atol: 1e-8, maxSteps: 0), "max-steps"),
            (StepSizeController(rtol: 1e-8, atol: 1e-8, initialStep: 0), "initial step"),
            (StepSizeController(rtol: 1e-8, atol: 1e-8, breakpoints: [.infinity]), "breakpoints"),
        ]
        for (controller, name) in cases {
            #expect(throws: InvalidParameter.self) { try controller.validate() }
            do {
                _ = try GSLODESolver().solve(Self.jump, from: [0], times: [0, 1], controller: controller)
                Issue.record("\(name): the solve ran")
            } catch {
                guard case .invalid(let parameter) = error else { Issue.record("\(name): \(error)"); continue }
                #expect(parameter.name == name)
            }
        }
        // The floor on rtol applies only where asked (GSL's max-norm control copes below it).
        let tiny = StepSizeController(rtol: 1e-18, atol: 1e-18)
        #expect(throws: Never.self) { try tiny.validate() }
        #expect(throws: InvalidParameter.self) {
            try tiny.validate(smallestRelativeTolerance: StepSizeController.smallestAchievableRelativeTolerance)
        }
    }

    @Test(arguments: [GSLStepper.rk8pd, .rkck, .msadams])
    func aBreakpointAtTheJumpRestartsTheSolveThere(stepper: GSLStepper) throws {
        let tolerance = 1e-10
        var observed: [Double] = []
        let split = try GSLODESolver(stepper: stepper).solve(
            Self.jump, from: [0], times: [0, 0.25, 0.75, 1],
            controller: StepSizeController(rtol: tolerance, atol: tolerance, breakpoints: [0.5])) { t, _ in observed.append(t) }
        // The restart: the state at t = 1/2 is seen as the end of one piece and the start of the
        // next, one ulp either side; f is never evaluated at the jump itself.
        #expect(observed.contains((0.5).nextDown) && observed.contains((0.5).nextUp) && !observed.contains(0.5))
        #expect(observed.count == split.acceptedSteps + 2, "one observation per accepted step, the start and the restart")
        for (k, t) in [0, 0.25, 0.75, 1].enumerated() {
            let error = abs(split.state(k)[split.state(k).startIndex] - Self.exact(t))
            // Eighth order is exact on these pieces; the others meet the tolerance per step.
            #expect(error <= (stepper == .rk8pd ? 1e-14 : 100 * tolerance), "\(stepper) t = \(t): \(error)")
        }
        // Without the breakpoint the steps straddle the jump: rejected and shrunk around it.
        let straddled = try GSLODESolver(stepper: stepper).solve(Self.jump, from: [0], times: [0, 0.25, 0.75, 1],
                                                                 controller: StepSizeController(rtol: tolerance, atol: tolerance))
        #expect(split.acceptedSteps + split.rejectedSteps < straddled.acceptedSteps + straddled.rejectedSteps,
                "\(stepper): \(split.acceptedSteps)+\(split.rejectedSteps) steps with the breakpoint, \(straddled.acceptedSteps)+\(straddled.rejectedSteps) without")
        // Backwards from y(1) = 11/8 through the same breakpoint.
        let back = try GSLODESolver(stepper: stepper).solve(Self.jump, from: [Self.exact(1)], times: [1, 0],
                                                            controller: StepSizeController(rtol: tolerance, atol: tolerance, breakpoints: [0.5]))
        #expect(abs(back.state(1)[back.state(1).startIndex]) <= (stepper == .rk8pd ? 1e-14 : 100 * tolerance))
    }

    @Test func theFirstTrialStepIsTheControllersWhenItGivesOne() throws {
        // y' = 1: every step is exact, so the first trial step is accepted as it is.
        let constant = ODESystem(dimension: 1) { _, _, dydt in dydt[0] = 1 }
        for first in [0.25, 1e-3] {
            var observed: [Double] = []
            _ = try GSLODESolver(stepper: .rk8pd).solve(constant, from: [0], times: [0, 1],
                                                        controller: StepSizeController(rtol: 1e-8, atol: 1e-8, initialStep: first)) { t, _ in
                observed.append(t)
            }
            #expect(observed.prefix(2) == [0, first])
        }
    }
}
