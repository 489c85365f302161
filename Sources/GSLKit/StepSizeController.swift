/// How an adaptive solve chooses its steps, passed beside the solver as diffrax passes its
/// `PIDController` (with `dt0` and `max_steps`) beside `Dopri5()`: the tolerances the local
/// error estimate is held to, the step limit, the first trial step, and the times where the field
/// may jump (diffrax's `jump_ts`).
///
/// The norm the tolerances enter is the solver's: Dopri5 accepts a step when the RMS norm
/// sqrt(mean_i (e_i / (atol + rtol max(|y0_i|, |y1_i|)))^2) <= 1 (torchdiffeq's and diffrax's),
/// GSL's steppers when |e_i| <= atol + rtol |y_i| for every i (`gsl_odeiv2_control_y_new`).
///
/// At each breakpoint the solve stops and restarts as at its start (a new first trial step; a
/// multistep method's history cleared; `observe` sees the state as the end of one piece and the
/// start of the next), so that no step straddles a jump in f or its derivatives, and f is never
/// evaluated at the breakpoint itself (``pieces(from:to:)``). `maxSteps` bounds each piece: Dopri5 counts its trial steps, accepted and
/// rejected; GSL's steppers their accepted steps to each output time.
///
/// ```swift
/// let controller = StepSizeController(rtol: 1e-8, atol: 1e-8, breakpoints: [0.5])
/// try GSLODESolver(stepper: .rk8pd).solve(system, from: y0, times: [0, 1], controller: controller)
/// ```
public struct StepSizeController: Sendable, Equatable {
    public var rtol: Double
    public var atol: Double
    public var maxSteps: Int
    /// The first trial step's size (its sign follows the direction of the solve); `nil` lets the
    /// solver choose (Dopri5: Hairer's estimate from the sizes of y, f and f'; GSL: 1e-3).
    public var initialStep: Double?
    /// Times where the solve restarts, in any order and either direction (those outside the
    /// interval are ignored).
    public var breakpoints: [Double]

    public init(rtol: Double, atol: Double, maxSteps: Int = 100_000, initialStep: Double? = nil, breakpoints: [Double] = []) {
        self.rtol = rtol
        self.atol = atol
        self.maxSteps = maxSteps
        self.initialStep = initialStep
        self.breakpoints = breakpoints
    }

    /// The smallest relative tolerance Dopri5 and the residual routes are asked for (a few ulp of
    /// the state): below it the error estimate is rounding and the step size shrinks until it
    /// underflows. GSL's max-norm control with an absolute floor copes with less (a Hopfield
    /// trajectory at rtol = atol = 1e-18 lands), so ``validate(smallestRelativeTolerance:)``
    /// applies it only where asked.
    public static let smallestAchievableRelativeTolerance = 1e-15

    /// Throws unless both tolerances are finite and positive with rtol >= `smallestRelativeTolerance`,
    /// the step limit is at least 1, the initial step (if given) finite and positive, and every
    /// breakpoint finite.
    public func validate(smallestRelativeTolerance: Double = 0) throws(InvalidParameter) {
        guard rtol.isFinite, rtol > 0 else { throw InvalidParameter(name: "rtol", reason: "must be finite and > 0, got \(rtol)") }
        guard rtol >= smallestRelativeTolerance else {
            throw InvalidParameter(name: "rtol", reason: "must be >= \(smallestRelativeTolerance): float64 (eps = 2.2e-16) cannot meet a smaller relative tolerance, got \(rtol)")
        }
        guard atol.isFinite, atol > 0 else { throw InvalidParameter(name: "atol", reason: "must be finite and > 0, got \(atol)") }
        guard maxSteps >= 1 else { throw InvalidParameter(name: "max-steps", reason: "must be >= 1, got \(maxSteps)") }
        if let initialStep, !(initialStep.isFinite && initialStep > 0) {
            throw InvalidParameter(name: "initial step", reason: "must be finite and > 0, got \(initialStep)")
        }
        if let bad = breakpoints.first(where: { !$0.isFinite }) {
            throw InvalidParameter(name: "breakpoints", reason: "must be finite, got \(bad)")
        }
    }

    /// The pieces a solve from t0 to t1 (either direction) is cut into at the distinct
    /// breakpoints, in the order it meets them. f is never evaluated at a breakpoint, which
    /// belongs to neither side of a jump: a piece that reaches one ends at the last double before
    /// it and the next starts at the first double after it, the state carried across the gap of
    /// one or two ulp (diffrax's `prevbefore`/`nextafter` around its `jump_ts`); t0 or t1 being a
    /// breakpoint moves that end the same way.
    public func pieces(from t0: Double, to t1: Double) -> [(start: Double, end: Double)] {
        let forward = t1 >= t0
        func before(_ b: Double) -> Double { forward ? b.nextDown : b.nextUp }
        func after(_ b: Double) -> Double { forward ? b.nextUp : b.nextDown }
        let all = Set(breakpoints)
        let inside = all.filter { forward ? $0 > t0 && $0 < t1 : $0 < t0 && $0 > t1 }
        let cuts = forward ? inside.sorted() : inside.sorted(by: >)
        guard t0 != t1 else { return [(t0, t1)] }
        let starts = [all.contains(t0) ? after(t0) : t0] + cuts.map(after)
        let ends = cuts.map(before) + [all.contains(t1) ? before(t1) : t1]
        // Breakpoints a few ulp apart would leave a piece that ends before it starts: drop it.
        return zip(starts, ends).filter { forward ? $0.0 <= $0.1 : $0.0 >= $0.1 }.map { (start: $0.0, end: $0.1) }
    }

    /// This controller with `times` among its breakpoints too.
    public func adding(breakpoints times: [Double]) -> StepSizeController {
        var controller = self
        controller.breakpoints += times
        return controller
    }

    /// This controller for a solve in s = t_ref - t (a backward solve run forwards): every
    /// breakpoint b becomes t_ref - b.
    public func reflected(about reference: Double) -> StepSizeController {
        var controller = self
        controller.breakpoints = breakpoints.map { reference - $0 }
        return controller
    }
}
