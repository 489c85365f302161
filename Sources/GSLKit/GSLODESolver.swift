import _CGSL
import _CGSLSupport

/// A system of ordinary differential equations dy/dt = f(t, y) for GSL's `odeiv2` steppers.
///
/// `field(t, y, dydt)` writes f(t, y); `jacobian(t, y, dfdy, dfdt)` writes the row-major Jacobian
/// dfdy[i * n + j] = df_i/dy_j and df/dt (GSL's convention; needed by the implicit steppers
/// rk1imp, rk2imp, rk4imp, bsimp and msbdf). Either may throw; the error ends the solve and is
/// rethrown unchanged.
public struct ODESystem {
    public typealias Field = (_ t: Double, _ y: UnsafeBufferPointer<Double>, _ dydt: UnsafeMutableBufferPointer<Double>) throws -> Void
    public typealias Jacobian = (_ t: Double, _ y: UnsafeBufferPointer<Double>, _ dfdy: UnsafeMutableBufferPointer<Double>,
                                 _ dfdt: UnsafeMutableBufferPointer<Double>) throws -> Void

    public let dimension: Int
    public var field: Field
    public var jacobian: Jacobian?

    public init(dimension: Int, field: @escaping Field, jacobian: Jacobian? = nil) {
        self.dimension = dimension
        self.field = field
        self.jacobian = jacobian
    }
}

/// GSL's `gsl_odeiv2_step_*` methods (GSL manual, "Ordinary Differential Equations").
public enum GSLStepper: String, CaseIterable, Sendable {
    case rk2, rk4, rkf45, rkck, rk8pd, rk1imp, rk2imp, rk4imp, bsimp, msadams, msbdf

    /// Implicit steppers that call the exact Jacobian.
    public var needsJacobian: Bool {
        switch self {
        case .rk1imp, .rk2imp, .rk4imp, .bsimp, .msbdf: true
        default: false
        }
    }

    /// GSL's step type of this case, found by its C name (`gsl_odeiv2_step_type.name`), which
    /// the raw value spells: reordering the cases cannot pick another stepper.
    var stepType: UnsafePointer<gsl_odeiv2_step_type>? {
        cgsl_odeiv2_step_named(rawValue)?.assumingMemoryBound(to: gsl_odeiv2_step_type.self)
    }

    /// The name GSL gives the stepper it runs for this case.
    public var gslName: String? { stepType.map { String(cString: $0.pointee.name) } }
}

/// Why a GSL ODE solve stopped.
public enum ODEError: InvalidParameterReporting {
    /// The vector field returned NaN or infinity: the time and the first bad component.
    case nonFinite(t: Double, component: Int)
    /// More than `maxSteps` accepted steps before reaching `t`.
    case maxSteps(Int, t: Double)
    /// Invalid settings: the parameter and the reason.
    case invalid(InvalidParameter)
    /// GSL reported a failure (e.g. the step size underflowed).
    case gsl(GSLError, t: Double)
    /// The step size fell below 1e-12 of the output interval at `t` with the state bounded: the
    /// field is too stiff or too large for the tolerances (so many steps would be needed that
    /// no step limit is worth waiting for).
    case stepSizeCollapsed(t: Double, step: Double)
    /// The state grew without bound (|y| > 1e100, or the step size collapsed while |y| grew
    /// past ten times its start, chasing a finite-time singularity): the component of largest
    /// magnitude and its value.
    case diverged(t: Double, component: Int, value: Double)
    /// The vector field or its Jacobian threw: its error, unchanged.
    case fieldFailed(any Error)

    /// Invalid settings are the caller's; the rest are failures of the solve.
    public var isUsageError: Bool { if case .invalid = self { true } else { false } }

    public var description: String {
        switch self {
        case .nonFinite(let t, let component): "the vector field is not finite at t = \(t) (component \(component))"
        case .maxSteps(let n, let t): "more than \(n) steps (max-steps) before t = \(t)"
        case .invalid(let parameter): parameter.description
        case .gsl(let error, let t): "\(error) at t = \(t)"
        case .stepSizeCollapsed(let t, let step):
            "the step size fell to \(step) at t = \(t), below 1e-12 of the interval: the field is too stiff or too large here for these tolerances"
        case .diverged(let t, let component, let value):
            "the state diverged near t = \(t): component \(component + 1) reached \(value) and the step size underflowed chasing it"
        case .fieldFailed(let error): "\(error)"
        }
    }
}

/// The states of a solve at its output times and what it cost.
public struct ODESolution: Sendable {
    public let dimension: Int
    public let times: [Double]
    /// Row-major: `states[k * dimension ..< (k + 1) * dimension]` is y(times[k]).
    public let states: [Double]
    public let acceptedSteps: Int
    public let rejectedSteps: Int
    public let fieldEvaluations: Int
    public let jacobianEvaluations: Int

    public func state(_ k: Int) -> ArraySlice<Double> { states[k * dimension ..< (k + 1) * dimension] }
}

/// An adaptive solve by one of GSL's steppers, landing exactly on every output time
/// (`gsl_odeiv2_evolve_apply` stepped as `gsl_odeiv2_driver_apply` steps it), with the step sizes
/// chosen by a ``StepSizeController`` passed beside it (the standard control
/// |err_i| <= atol + rtol |y_i|, `gsl_odeiv2_control_y_new`). A value, in the manner of diffrax's
/// solvers: `GSLODESolver(stepper: .msbdf).solve(system, from: y0, times: [0, 1, 2],
/// controller: StepSizeController(rtol: 1e-10, atol: 1e-10))`.
public struct GSLODESolver: Sendable, Equatable {
    public var stepper: GSLStepper

    public init(stepper: GSLStepper = .rk8pd) {
        self.stepper = stepper
    }

    /// The first trial step when the controller leaves it to the solver.
    public static let defaultInitialStep = 1e-3

    /// Integrates from y(times[0]) = y0 through the monotone `times`, restarting at the
    /// controller's breakpoints. With `observe`, `observe(t, y)` sees the start, the end of every
    /// accepted step and each restart (for dense output).
    public func solve(_ system: ODESystem, from y0: [Double], times: [Double], controller: StepSizeController,
                      observe: ((Double, UnsafeBufferPointer<Double>) -> Void)? = nil) throws(ODEError) -> ODESolution {
        installGSLErrorHandler()
        let n = system.dimension
        try validate(system: system, y0: y0, times: times)
        do { try controller.validate() } catch { throw .invalid(error) }
        let initialStep = controller.initialStep ?? Self.defaultInitialStep
        let forward = times.count < 2 || times[times.count - 1] >= times[0]

        final class Context {
            let system: ODESystem
            var error: ODEError?
            var evaluations = 0, jacobians = 0
            init(_ system: ODESystem) { self.system = system }
        }
        let context = Context(system)
        let params = Unmanaged.passUnretained(context).toOpaque()
        let function: @convention(c) (Double, UnsafePointer<Double>?, UnsafeMutablePointer<Double>?, UnsafeMutableRawPointer?) -> Int32 = { t, y, dydt, params in
            let context = Unmanaged<Context>.fromOpaque(params!).takeUnretainedValue()
            let n = context.system.dimension
            context.evaluations += 1
            let out = UnsafeMutableBufferPointer(start: dydt, count: n)
            do {
                try context.system.field(t, UnsafeBufferPointer(start: y, count: n), out)
            } catch {
                context.error = .fieldFailed(error)
                return Int32(GSL_EBADFUNC)
            }
            if let bad = out.firstIndex(where: { !$0.isFinite }) {
                context.error = .nonFinite(t: t, component: bad)
                return Int32(GSL_EBADFUNC)
            }
            return Int32(GSL_SUCCESS)
        }
        let jacobian: @convention(c) (Double, UnsafePointer<Double>?, UnsafeMutablePointer<Double>?, UnsafeMutablePointer<Double>?, UnsafeMutableRawPointer?) -> Int32 = { t, y, dfdy, dfdt, params in
            let context = Unmanaged<Context>.fromOpaque(params!).takeUnretainedValue()
            let n = context.system.dimension
            context.jacobians += 1
            do {
                try context.system.jacobian!(t, UnsafeBufferPointer(start: y, count: n),
                                             UnsafeMutableBufferPointer(start: dfdy, count: n * n),
                                             UnsafeMutableBufferPointer(start: dfdt, count: n))
            } catch {
                context.error = .fieldFailed(error)
                return Int32(GSL_EBADFUNC)
            }
            return Int32(GSL_SUCCESS)
        }
        var gslSystem = gsl_odeiv2_system(function: function, jacobian: system.jacobian == nil ? nil : jacobian,
                                          dimension: n, params: params)
        // The C callbacks reach the context through an unretained pointer: keep it alive to the end.
        defer { withExtendedLifetime(context) {} }
        guard let stepType = stepper.stepType else {
            throw ODEError.invalidParameter(name: "stepper", reason: "GSL has no stepper named '\(stepper.rawValue)'")
        }
        guard let driver = gsl_odeiv2_driver_alloc_y_new(&gslSystem, stepType,
                                                          forward ? initialStep : -initialStep, controller.atol, controller.rtol) else {
            throw ODEError.gsl(GSLError(status: Int32(GSL_ENOMEM), reason: "cannot allocate the \(stepper) driver"), t: times[0])
        }
        defer { gsl_odeiv2_driver_free(driver) }
        var y = y0, t = times[0]
        var states = y0
        states.reserveCapacity(n * times.count)
        // Accepted steps are counted here, one per successful gsl_odeiv2_evolve_apply (the
        // evolve's own count also counts attempts a stepper could not complete); rejected ones
        // are the evolve's failed_steps, kept across restarts (gsl_odeiv2_driver_reset zeroes them).
        var (accepted, rejected) = (0, 0)
        y.withUnsafeBufferPointer { observe?(t, $0) }
        for k in 1..<times.count {
            for (start, end) in controller.pieces(from: times[k - 1], to: times[k]) {
                if t != start {
                    // Past a breakpoint: restart as at the start, from the first trial step, keeping the counts.
                    rejected += Int(driver.pointee.e.pointee.failed_steps)
                    do throws(GSLError) { try check(gsl_odeiv2_driver_reset_hstart(driver, forward ? initialStep : -initialStep)) } catch {
                        throw ODEError.gsl(error, t: t)
                    }
                    t = start
                    y.withUnsafeBufferPointer { observe?(t, $0) }
                }
                // Evolve steps as gsl_odeiv2_driver_apply takes them (the same bits), counting
                // accepted steps per piece, and stopping (GSL_ENOPROG) after 1000 steps in a
                // row below 1e-12 of the piece: the pace of a field too stiff or too large to
                // cross it (10^12 steps), which max-steps would wait out ever slower (a stiff
                // start resolved by an implicit stepper takes a few dozen, then grows).
                let smallestStep = 1e-12 * abs(end - start)
                var status: Int32 = 0, steps = 0, tinySteps = 0
                let d = driver.pointee
                while t != end && status == 0 {
                    status = gsl_odeiv2_evolve_apply(d.e, d.c, d.s, d.sys, &t, end, &driver.pointee.h, &y)
                    guard status == 0 else { break }
                    steps += 1
                    accepted += 1
                    if let observe { y.withUnsafeBufferPointer { observe(t, $0) } }
                    guard t != end else { break }
                    tinySteps = abs(driver.pointee.h) < smallestStep ? tinySteps + 1 : 0
                    if steps >= controller.maxSteps { status = Int32(GSL_EMAXITER) } else if tinySteps >= 1000 { status = Int32(GSL_ENOPROG) }
                }
                if let error = context.error { throw error }
                if status == Int32(GSL_EMAXITER) { throw ODEError.maxSteps(controller.maxSteps, t: end) }
                do throws(GSLError) { try check(status) } catch {
                    // A failure with a huge state, or a step size shrunk to nothing while the state
                    // grew tenfold, is a blow-up (a finite-time singularity) the steps chased.
                    let stepCollapsed = abs(driver.pointee.h) < 1e-10 * max(1, abs(t)) || status == Int32(GSL_ENOPROG)
                    let size = y0.reduce(0) { max($0, abs($1)) }
                    if let (component, value) = y.enumerated().max(by: { abs($0.element) < abs($1.element) }),
                       stepCollapsed && abs(value) > 10 * (1 + size) || !(abs(value) < 1e100) {
                        throw ODEError.diverged(t: t, component: component, value: value)
                    }
                    if stepCollapsed { throw ODEError.stepSizeCollapsed(t: t, step: abs(driver.pointee.h)) }
                    throw ODEError.gsl(error, t: t)
                }
            }
            states.append(contentsOf: y)
        }
        return ODESolution(dimension: n, times: times, states: states, acceptedSteps: accepted,
                           rejectedSteps: rejected + Int(driver.pointee.e.pointee.failed_steps), fieldEvaluations: context.evaluations,
                           jacobianEvaluations: context.jacobians)
    }

    private func validate(system: ODESystem, y0: [Double], times: [Double]) throws(ODEError) {
        guard system.dimension >= 1, y0.count == system.dimension else {
            throw ODEError.invalidParameter(name: "y0", reason: "has \(y0.count) values for a system of dimension \(system.dimension)")
        }
        guard !stepper.needsJacobian || system.jacobian != nil else {
            throw ODEError.invalidParameter(name: "stepper", reason: "\(stepper) needs the exact Jacobian and the system has none")
        }
        guard !times.isEmpty, times.allSatisfy(\.isFinite) else {
            throw ODEError.invalidParameter(name: "times", reason: "need at least one finite time")
        }
        let increasing = zip(times, times.dropFirst()).allSatisfy { $0 < $1 }
        let decreasing = zip(times, times.dropFirst()).allSatisfy { $0 > $1 }
        guard increasing || decreasing else {
            throw ODEError.invalidParameter(name: "times", reason: "must be strictly increasing or strictly decreasing")
        }
        guard y0.allSatisfy(\.isFinite) else { throw ODEError.invalidParameter(name: "y0", reason: "is not finite") }
    }
}
