import Activations
import Foundation

/// F(q) = V(q) - q at one q, with the bound below which its sign is not known.
///
/// V(q) = sigma_w^2 E_q[phi^2] + sigma_b^2 carries the relative error of E_q[phi^2]
/// (``GaussianIntegrator/lengthAccuracy``: a few ulp for closed forms, the composite rule's
/// accuracy otherwise) and the rounding of the sum and of the subtraction of q. Where
/// |F| <= `bound` the computed sign of F is noise: q is a fixed point *to rounding*, which is
/// not the same as a fixed point (relu at sigma_w^2 = 2 has V(q) - q = sigma_b^2 > 0 for every
/// q, yet V(q) and q round to the same double once q > sigma_b^2 / eps).
public struct LengthResidual: Sendable, Equatable {
    public var q: Double
    /// V(q) - q as computed.
    public var value: Double
    /// F'(q) = V'(q) - 1.
    public var slope: Double
    /// The bound on the error of `value`.
    public var bound: Double

    /// +1 or -1 where the sign of F is resolved, 0 where rounding hides it.
    public var sign: Int { value > bound ? 1 : value < -bound ? -1 : 0 }

    /// The error in q that `bound` allows at a simple root: bound / |1 - V'(q)|.
    public var rootUncertainty: Double { slope == 0 ? .infinity : bound / Swift.abs(slope) }
}

extension MeanFieldModel {
    /// The relative error in q* above which a fixed point is refused as not determined by double
    /// precision (between the 1e-10 target on q* and the 1e-9 one on depth scales).
    public static let fixedPointAccuracy = 1e-9

    /// ``LengthResidual`` at q >= 0.
    public func lengthResidual(_ q: Double, using integrator: GaussianIntegrator) -> LengthResidual {
        residual(q, integrator.lengthWithSlope(q: q), using: integrator)
    }

    private func residual(_ q: Double, _ m: (phi2: Double, phi2Dq: Double), using integrator: GaussianIntegrator) -> LengthResidual {
        let spread = sigmaW2 * m.phi2
        let v = spread + sigmaB2
        let bound = integrator.lengthAccuracy * spread + 4 * Double.ulpOfOne * (v + q)
        return LengthResidual(q: q, value: v - q, slope: sigmaW2 * m.phi2Dq - 1, bound: bound)
    }

    /// lim V(q)/q as q -> infinity: sigma_w^2 times the activation's ``Activation/lengthGrowth``.
    /// Above 1 the length grows without bound from large q; below 1 V(q) - q -> -infinity.
    public var asymptoticLengthRatio: Double { sigmaW2 * activation.lengthGrowth }

    /// V(0) = 0 (sigma_b^2 = 0 and phi(0) = 0): q* = 0 is a fixed point.
    var lengthVanishesAtZero: Bool { sigmaB2 == 0 && activation.derivatives(0).d0 == 0 }

    /// Where rounding hides V(q) - q at large q, whether q still grows there: V(q)/q tends to
    /// at least 1 and either exceeds it or sigma_b^2 > 0 keeps V(q) - q positive.
    var lengthGrowsWhereHidden: Bool {
        let ratio = asymptoticLengthRatio
        return ratio > 1 - 64 * Double.ulpOfOne && (ratio > 1 || sigmaB2 > 0)
    }

    /// True when V(q) = q for every q (linear at sigma_w^2 = 1 and relu at sigma_w^2 = 2, both
    /// with sigma_b^2 = 0): every length is a fixed point and the iteration stays at q0.
    var lengthMapIsIdentity: Bool {
        activation.isPositivelyHomogeneous && sigmaB2 == 0 && asymptoticLengthRatio == 1
    }

    /// The fixed point q* = V(q*) that the iteration q^{l+1} = V(q^l) reaches from q0.
    ///
    /// V is increasing, so the iteration moves monotonically toward the nearest root of
    /// F(q) = V(q) - q in the direction of F(q0); that root is found by root finding, not by
    /// iterating (convergence is exponentially slow near criticality, algebraic at it). Every sign
    /// test compares F with its rounding bound (``LengthResidual``), never with 0:
    /// - the root is bracketed by a scan in log q whose steps grow while the sign stays (so any
    ///   q0 from 1e-300 to 1e300 and any sigma_b^2 down to 1e-300 cost a few dozen evaluations)
    ///   between two q where F's sign is resolved, and polished by safeguarded Newton;
    /// - where rounding hides F on the way up, divergence is decided from the asymptotics of
    ///   V(q)/q (``asymptoticLengthRatio``: >= 1, or = 1 with sigma_b^2 > 0, means q grows
    ///   without bound), never from a bracket that rounding invented;
    /// - where V(0) = 0 and V'(0) <= 1 (the map contracts or is marginal at 0) and F < 0 down to
    ///   where rounding hides it, q* = 0 exactly;
    /// - a root whose uncertainty bound / |1 - V'(q*)| exceeds ``fixedPointAccuracy`` relative
    ///   is refused as not determined in double precision.
    ///
    /// - Parameter guess: a nearby solution (e.g. from a neighbouring grid point) used as
    ///   Newton's first iterate; accepted only on a resolved, well-conditioned stable root on the
    ///   side of q0 the iteration moves to, otherwise the scan decides.
    /// - Throws: ``MeanFieldError/noFixedPoint(_:)`` when q grows without bound,
    ///   ``MeanFieldError/noConvergence(_:)`` when rounding leaves q* undetermined.
    public func qStar(from q0: Double = 1, guess: Double? = nil,
                      using integrator: GaussianIntegrator) throws(MeanFieldError) -> Double {
        try requireFinite(q0, "q0")
        if lengthMapIsIdentity { return q0 }
        // The start's moments are remembered by the integrator: a sweep starts every point at q0.
        let pinned = integrator.pinnedLength(q: q0)
        let start = residual(q0, (pinned.phi2, pinned.phi2Dq), using: integrator)
        if start.value == 0 && start.slope < 0 { return q0 }
        var direction = start.sign
        if direction == 0 {
            // q0 is a fixed point to rounding: accept it where that pins q* to the target.
            if start.slope < 0 && start.rootUncertainty <= Self.fixedPointAccuracy * q0 {
                return try polish(lower: nil, upper: nil, from: start, using: integrator)
            }
            direction = try unresolvedDirection(at: start, using: integrator)
        }
        if let g = guess, let warm = warmStart(g, q0: q0, upward: direction > 0, using: integrator) {
            return warm
        }
        // direction 0 (q0 inside a stable root's unresolved stretch) scans down to the bracket below.
        return direction > 0 ? try scanUp(from: start, using: integrator) : try scanDown(from: start, using: integrator)
    }

    /// Where rounding hides F at q0 over a stretch too wide to pin q*: the direction in which the
    /// nearest resolved sign pushes the iteration; 0 when F is resolved positive below and
    /// negative above, i.e. q0 lies inside a stable root's unresolved stretch (the downward scan
    /// then brackets it between the resolved point below and q0).
    private func unresolvedDirection(at start: LengthResidual, using integrator: GaussianIntegrator) throws(MeanFieldError) -> Int {
        if asymptoticLengthRatio >= 1 - 64 * Double.ulpOfOne && sigmaB2 > 0 && start.slope >= -1e-6 { return 1 }
        var step = 1.25
        var below = start.q, above = start.q
        while below > 1e-300 || above < 1e300 {
            below /= step
            above *= step
            let up = lengthResidual(above, using: integrator), down = lengthResidual(below, using: integrator)
            // The nearer resolved side decides: above q0 a positive F, below it a negative F
            // carries the iteration through q0 (no root in between is resolvable).
            if down.sign == -1 { return -1 }
            if up.sign == 1 { return 1 }
            if down.sign == 1 && up.sign == -1 { return 0 }
            step *= step
        }
        throw .noConvergence("V(q) - q is below its rounding bound on both sides of q0 = \(start.q): the fixed point cannot be resolved in double precision")
    }

    /// Plain Newton from `guess`, accepted when it lands on a resolved, well-conditioned stable root
    /// (V'(q*) < 1, F crossing from + to -) on the side of q0 the iteration moves to.
    private func warmStart(_ guess: Double, q0: Double, upward: Bool, using integrator: GaussianIntegrator) -> Double? {
        guard guess > 0, guess.isFinite, (guess > q0) == upward else { return nil }
        var q = guess
        for _ in 0..<30 {
            let r = lengthResidual(q, using: integrator)
            guard r.slope < 0, r.value.isFinite else { return nil }
            let next = q - r.value / r.slope
            guard next > 0, next.isFinite else { return nil }
            // Quadratic convergence: after a step below 1e-9 the error is ~ C 1e-18 with
            // C = |F''/(2F')|, so no confirming evaluation is needed unless F' is tiny.
            if Swift.abs(next - q) <= (r.slope < -1e-3 ? 1e-9 : 1e-15) * next {
                guard (next > q0) == upward, r.rootUncertainty <= Self.fixedPointAccuracy * next else { return nil }
                return next
            }
            q = next
        }
        return nil
    }

    /// F(q0) > 0: q rises to the first q where F turns resolved-negative, or without bound.
    private func scanUp(from start: LengthResidual, using integrator: GaussianIntegrator) throws(MeanFieldError) -> Double {
        var lower = start
        var q = start.q
        var logStep = Foundation.log(1.25)
        let ratio = asymptoticLengthRatio
        let growsWhereHidden = lengthGrowsWhereHidden
        while true {
            let next = Swift.max(q, 1e-3) * Foundation.exp(logStep)
            guard next < 1e300 else {
                throw .noFixedPoint("q grows without bound from q0 = \(start.q): V(q) - q > 0, or hidden by rounding, up to q = \(q)")
            }
            q = next
            let r = lengthResidual(q, using: integrator)
            guard r.value.isFinite else {
                throw .noFixedPoint("q grows without bound from q0 = \(start.q): V(q) overflows at q = \(q)")
            }
            switch r.sign {
            case -1:
                return try polish(lower: lower, upper: r, from: nil, using: integrator)
            case 1:
                lower = r
                logStep = Swift.min(logStep * 1.5, 23)
            default:
                if growsWhereHidden {
                    throw .noFixedPoint(
                        "q grows without bound from q0 = \(start.q): V(q) - q > 0 until rounding hides it at q = \(q), and V(q)/q -> sigma_w2 x \(activation.lengthGrowth) = \(ratio)"
                            + (ratio > 1 ? " > 1" : " with sigma_b2 > 0"))
                }
                // A crossing being resolved: step finely through it.
                logStep = Foundation.log(1.25)
            }
        }
    }

    /// F(q0) < 0: q falls to the first q where F turns resolved-positive, or to q* = 0.
    private func scanDown(from start: LengthResidual, using integrator: GaussianIntegrator) throws(MeanFieldError) -> Double {
        var upper = start
        var q = start.q
        var logStep = Foundation.log(1.25)
        let vanishesAtZero = lengthVanishesAtZero
        let contractsAtZero = vanishesAtZero && lengthMap(0, using: integrator).derivative <= 1
        while true {
            q /= Foundation.exp(logStep)
            if q < 1e-300 {
                if vanishesAtZero { return 0 }
                // V(0) = sigma_b^2 + sigma_w^2 phi(0)^2 > 0: F(0) > 0 closes the bracket.
                return try polish(lower: lengthResidual(0, using: integrator), upper: upper, from: nil, using: integrator)
            }
            let r = lengthResidual(q, using: integrator)
            switch r.sign {
            case 1:
                return try polish(lower: r, upper: upper, from: nil, using: integrator)
            case -1:
                upper = r
                logStep = Swift.min(logStep * 1.5, 23)
            default:
                // Marginal at 0 (V'(0) = 1): F = O(q^2) drops below rounding and stays there.
                // Keep scanning (a resolved positive F below would still bracket a root).
                logStep = contractsAtZero ? Swift.min(logStep * 1.5, 23) : Foundation.log(1.25)
            }
        }
    }

    /// Safeguarded Newton on a bracket with F(lower) > 0 > F(upper) (either may be nil when
    /// `start` already sits at a root to rounding): Newton steps that stay inside and shrink the
    /// bracket, else bisection (geometric across wide brackets). Stops on a step below 1e-15
    /// relative or a bracket two ulp wide; the root must be resolved to ``fixedPointAccuracy``.
    private func polish(lower: LengthResidual?, upper: LengthResidual?, from start: LengthResidual?,
                        using integrator: GaussianIntegrator) throws(MeanFieldError) -> Double {
        var a = lower?.q ?? 0, b = upper?.q ?? .infinity
        var r = start ?? upper!
        if start == nil {
            // Start from the end nearer the root by Newton's measure.
            let fromLower = lower!.slope < 0 ? -lower!.value / lower!.slope : .infinity
            let fromUpper = upper!.slope < 0 ? upper!.value / upper!.slope : .infinity
            r = fromLower < fromUpper ? lower! : upper!
        }
        var previousWidth = Double.infinity
        for _ in 0..<400 {
            let newton = r.q - r.value / r.slope
            let width = b - a
            if r.sign == 0 && (Swift.abs(newton - r.q) <= 1e-15 * r.q || width <= 4 * Double.ulpOfOne * b) {
                let q = newton > a && newton < b ? newton : r.q
                guard r.rootUncertainty <= Self.fixedPointAccuracy * q || q == 0 else {
                    let range = b.isFinite ? "in [\(a), \(b)]" : "near \(q)"
                    throw .noConvergence(
                        "q* \(range) is not determined in double precision: V(q) - q is below its rounding bound there (\(r.bound) at q = \(q), where 1 - V'(q) = \(-r.slope))")
                }
                return q
            }
            guard width > 4 * Double.ulpOfOne * b else {
                throw .noConvergence("the q* bracket [\(a), \(b)] closed with V(q) - q = \(r.value), above its rounding bound \(r.bound)")
            }
            var next = newton
            let inside = r.slope != 0 && r.slope.isFinite && newton > a && newton < b
            if !inside || (width > 0.5 * previousWidth && Swift.abs(newton - r.q) > 0.5 * width) {
                // Geometric bisection across wide brackets (a = 0 counts as 1e-300: q* may be that small).
                let floor = Swift.max(a, 1e-300)
                next = b.isFinite ? (b / floor > 4 ? (floor * b).squareRoot() : 0.5 * (a + b)) : 2 * r.q
            }
            previousWidth = width
            r = lengthResidual(next, using: integrator)
            guard r.value.isFinite, r.slope.isFinite else {
                throw .noConvergence("V(q) is not finite at q = \(next)")
            }
            if r.value > 0 { a = next } else { b = next }
        }
        throw .noConvergence("q* in [\(a), \(b)] is not determined in double precision: V(q) - q stays within its rounding bound (\(r.bound) at q = \(r.q)) across it")
    }
}
