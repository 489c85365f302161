import GSLKit

/// An adaptive solver for the continuous adjoint, passed as a value: the hand-written Dopri5 (RMS
/// error norm, as torchdiffeq and diffrax) or one of GSL's steppers (max-norm control
/// |err_i| <= atol + rtol |y_i|): the explicit embedded Runge-Kutta rkf45, rkck, rk8pd, or the
/// implicit rk1imp, rk2imp, rk4imp, bsimp, msbdf for stiff fields, which take the exact Jacobian
/// as a dense matrix of the whole system (so they are offered up to ``implicitDimensionLimit``).
/// The tolerances, step limit and breakpoints are not the solver's: a `StepSizeController`
/// goes beside it.
public enum AdaptiveSolver: Sendable, Equatable {
    case dopri5
    case gsl(GSLODESolver)

    public static let gslSteppers: [GSLStepper] = [.rkf45, .rkck, .rk8pd]
    public static let implicitSteppers: [GSLStepper] = [.rk1imp, .rk2imp, .rk4imp, .bsimp, .msbdf]
    /// The largest system an implicit stepper is given: its dense Jacobian has n^2 entries and
    /// each factorisation costs ~n^3/3 (1200: 11 MB and 0.6 GFLOP).
    public static let implicitDimensionLimit = 1200

    /// Whether the solver calls the Jacobian.
    public var needsJacobian: Bool {
        if case .gsl(let solver) = self { return solver.stepper.needsJacobian }
        return false
    }

    /// Integrates dy/dt = f(t, y) from t0 to t1 (either direction) with the steps `controller`
    /// chooses, restarting at its breakpoints; `observe(t, y, dy)` sees the start of every piece
    /// and every accepted step's end with its derivative (for GSL the derivative costs one
    /// evaluation, counted).
    /// Implicit steppers need `jacobian(t, y)`, df/dy dense and row-major; df/dt, which bsimp
    /// uses, is taken by a central difference in t (step 1e-6). `dense` sees Dopri5's continuous
    /// extension of every accepted step (GSL's steppers have none).
    public func solve(_ f: @escaping (Double, [Double]) -> [Double], jacobian: ((Double, [Double]) -> [Double])? = nil,
                      from y0: [Double], t0: Double, t1: Double, controller: StepSizeController,
                      observe: ((Double, [Double], [Double]) -> Void)? = nil,
                      dense: ((Dopri5.DenseStep) -> Void)? = nil) throws(ResidualError) -> (y: [Double], statistics: Dopri5.Statistics) {
        switch self {
        case .dopri5:
            return try Dopri5().solve(f, from: y0, t0: t0, t1: t1, controller: controller, observe: observe, dense: dense)
        case .gsl(let solver):
            do { try controller.validate(smallestRelativeTolerance: StepSizeController.smallestAchievableRelativeTolerance) } catch {
                throw .invalid(error)
            }
            var system = ODESystem(dimension: y0.count) { t, y, dydt in
                let value = f(t, Array(y))
                for i in value.indices { dydt[i] = value[i] }
            }
            if solver.stepper.needsJacobian {
                guard let jacobian else {
                    throw .invalidParameter(name: "solver", reason: "GSL's \(solver.stepper) needs the field's Jacobian")
                }
                guard y0.count <= Self.implicitDimensionLimit else {
                    throw .invalidParameter(name: "solver", reason: "GSL's \(solver.stepper) takes the dense Jacobian of the whole system, here \(y0.count) x \(y0.count); it is offered up to \(Self.implicitDimensionLimit) (solve the batch in smaller pieces, or use an explicit solver)")
                }
                system.jacobian = { t, y, dfdy, dfdt in
                    let state = Array(y), delta = 1e-6
                    let j = jacobian(t, state)
                    for k in j.indices { dfdy[k] = j[k] }
                    let (plus, minus) = (f(t + delta, state), f(t - delta, state))
                    for k in plus.indices { dfdt[k] = (plus[k] - minus[k]) / (2 * delta) }
                }
            }
            var extra = 0
            let observer: ((Double, UnsafeBufferPointer<Double>) -> Void)? = observe.map { observe in
                { t, y in
                    let state = Array(y)
                    extra += 1
                    observe(t, state, f(t, state))
                }
            }
            do {
                let solution = try solver.solve(system, from: y0, times: [t0, t1], controller: controller, observe: observer)
                var statistics = Dopri5.Statistics()
                statistics.evaluations = solution.fieldEvaluations + extra
                statistics.accepted = solution.acceptedSteps
                statistics.rejected = solution.rejectedSteps
                return (Array(solution.state(1)), statistics)
            } catch ODEError.nonFinite(let t, let component) {
                throw .nonFinite("the field returned a non-finite value in component \(component) at t = \(t)")
            } catch ODEError.maxSteps(let n, let t) {
                throw .maxStepsExceeded("\(n) steps reached before t = \(t); raise max-steps or the tolerances")
            } catch ODEError.invalid(let parameter) {
                throw .invalid(parameter)
            } catch {
                if case .stepSizeCollapsed = error { throw .stepSizeUnderflow("GSL \(solver.stepper): \(error)") }
                throw .solverFailed("GSL \(solver.stepper): \(error)")
            }
        }
    }
}
