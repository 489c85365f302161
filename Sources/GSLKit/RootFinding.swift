import _CGSL

/// Why a root solve stopped without an answer.
public enum RootFindingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// f(lower) and f(upper) have the same sign.
    case notBracketed(lower: Double, upper: Double)
    /// The function returned NaN or infinity at `x`.
    case nonFinite(x: Double)
    /// No convergence within the iteration budget.
    case maxIterations(Int)

    public var description: String {
        switch self {
        case .notBracketed(let a, let b): "the root is not bracketed by [\(a), \(b)]"
        case .nonFinite(let x): "the function is not finite at \(x)"
        case .maxIterations(let n): "no convergence in \(n) iterations"
        }
    }
}

/// Tolerances of a one-dimensional root solve: stop when the bracket (or Newton step) is below
/// `absolute + relative * |x|`.
public struct RootTolerance: Sendable {
    public var absolute: Double
    public var relative: Double
    public var maxIterations: Int

    public init(absolute: Double = 0, relative: Double = 4e-16, maxIterations: Int = 200) {
        self.absolute = absolute
        self.relative = relative
        self.maxIterations = maxIterations
    }

    @inline(__always) func converged(_ step: Double, at x: Double) -> Bool {
        abs(step) <= absolute + relative * abs(x)
    }
}

/// Safeguarded Newton iteration on a bracket: a Newton step from the current iterate is taken
/// when it stays inside the bracket and shrinks it fast enough, otherwise bisection. Each
/// evaluation tightens the bracket, so it converges whenever the bracket holds a sign change
/// (quadratically near a simple root). Pure Swift: the function usually is a quadrature loop
/// that should not cross into C.
///
/// - Parameters:
///   - f: returns (f(x), f'(x)); may throw, the error propagates.
///   - lower, upper: a bracket with f(lower) f(upper) <= 0.
///   - guess: the first iterate (clamped into the bracket); the midpoint when nil.
public func newtonBracketed(
    lower: Double, upper: Double, guess: Double? = nil,
    tolerance: RootTolerance = RootTolerance(),
    _ f: (Double) throws -> (value: Double, derivative: Double)
) throws -> Double {
    var a = lower, b = upper
    let fa0 = try f(a).value
    if fa0 == 0 { return a }
    let fb0 = try f(b).value
    if fb0 == 0 { return b }
    guard fa0.isFinite, fb0.isFinite else {
        throw RootFindingError.nonFinite(x: fa0.isFinite ? b : a)
    }
    guard (fa0 < 0) != (fb0 < 0) else {
        throw RootFindingError.notBracketed(lower: lower, upper: upper)
    }
    let signA = fa0 < 0
    var x = min(max(guess ?? 0.5 * (a + b), min(a, b)), max(a, b))
    var previousWidth = abs(b - a)
    for _ in 0..<tolerance.maxIterations {
        let (fx, dfx) = try f(x)
        guard fx.isFinite else { throw RootFindingError.nonFinite(x: x) }
        if fx == 0 { return x }
        if (fx < 0) == signA { a = x } else { b = x }
        let width = abs(b - a)
        var next = x - fx / dfx
        let inside = dfx != 0 && dfx.isFinite && next > min(a, b) && next < max(a, b)
        if !inside || width > 0.5 * previousWidth && abs(next - x) > 0.5 * width {
            next = 0.5 * (a + b)
        }
        previousWidth = width
        if tolerance.converged(next - x, at: next) || tolerance.converged(width, at: x) {
            return next
        }
        x = next
    }
    throw RootFindingError.maxIterations(tolerance.maxIterations)
}

/// Brent's method through GSL's `gsl_root_fsolver_brent`, for functions without a derivative.
/// A Swift error thrown by `f` is stashed, the callback returns NaN and GSL stops with
/// `GSL_EBADFUNC`; the stashed error is rethrown.
public func brent(
    lower: Double, upper: Double, tolerance: RootTolerance = RootTolerance(),
    _ f: (Double) throws -> Double
) throws -> Double {
    installGSLErrorHandler()
    return try withoutActuallyEscaping(f) { f in
        final class Context {
            let f: (Double) throws -> Double
            var error: (any Error)?
            init(_ f: @escaping (Double) throws -> Double) { self.f = f }
        }
        let context = Context(f)
        let pointer = Unmanaged.passUnretained(context).toOpaque()
        var function = gsl_function(
            function: { x, params in
                let context = Unmanaged<Context>.fromOpaque(params!).takeUnretainedValue()
                do { return try context.f(x) } catch {
                    context.error = error
                    return .nan
                }
            },
            params: pointer)
        guard let solver = gsl_root_fsolver_alloc(cgsl_root_fsolver_brent()) else {
            throw GSLError(status: Int32(GSL_ENOMEM), reason: "cannot allocate Brent solver")
        }
        defer { gsl_root_fsolver_free(solver) }
        let fa = try f(lower), fb = try f(upper)
        if fa == 0 { return lower }
        if fb == 0 { return upper }
        guard (fa < 0) != (fb < 0) else { throw RootFindingError.notBracketed(lower: lower, upper: upper) }
        try withExtendedLifetime(context) {
            try check(gsl_root_fsolver_set(solver, &function, lower, upper))
        }
        for _ in 0..<tolerance.maxIterations {
            let status = withExtendedLifetime(context) { gsl_root_fsolver_iterate(solver) }
            if let error = context.error { throw error }
            try check(status)
            let a = gsl_root_fsolver_x_lower(solver), b = gsl_root_fsolver_x_upper(solver)
            let root = gsl_root_fsolver_root(solver)
            guard root.isFinite else { throw RootFindingError.nonFinite(x: root) }
            if tolerance.converged(b - a, at: root) { return root }
        }
        throw RootFindingError.maxIterations(tolerance.maxIterations)
    }
}
