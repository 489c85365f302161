import Foundation
import GSLKit

/// How the stable correlation fixed point c* is solved in the chaotic phase.
public enum CorrelationSolver: Sendable, Equatable {
    /// The Mehler series at q* (``MehlerSeries``), from `initialOrder` raised to the order its
    /// rigorous tail bound asks for at c* (1e-13 of G(1) on G, 1e-12 of G'(1) on G'); beyond
    /// `maxOrder` the direct route takes over.
    case mehler(initialOrder: Int = 32, maxOrder: Int = 768)
    /// Newton on direct two-dimensional quadrature (``GaussianIntegrator/cross(q11:q22:c:)``).
    case direct

    public static let automatic = CorrelationSolver.mehler()
}

extension MeanFieldModel {
    /// The fixed point q* = V(q*) that the iteration q^{l+1} = V(q^l) reaches from q0.
    ///
    /// Found by root finding, not by iterating (convergence is exponentially slow near
    /// criticality and algebraic at it): for V increasing, the iteration moves monotonically
    /// toward the nearest root of F(q) = V(q) - q in the direction of F(q0). That root is
    /// bracketed by a geometric scan (ratio 1.25) and polished by safeguarded Newton with
    /// F'(q) = V'(q) - 1. When V(0) = 0 (phi(0) = 0, sigma_b^2 = 0) and F < 0 all the way down,
    /// q* = 0 exactly.
    ///
    /// - Parameter guess: a nearby solution (e.g. from a neighbouring grid point) used as
    ///   Newton's first iterate once the bracket is known.
    /// - Throws: ``MeanFieldError/noFixedPoint(_:)`` when q grows without bound.
    public func qStar(from q0: Double = 1, guess: Double? = nil,
                      using integrator: GaussianIntegrator) throws(MeanFieldError) -> Double {
        try requireFinite(q0, "q0")
        let f = { (q: Double) -> (value: Double, derivative: Double) in
            let v = self.lengthMap(q, using: integrator)
            return (v.value - q, v.derivative - 1)
        }
        let f0 = sigmaW2 * integrator.pinnedLength(q: q0).phi2 + sigmaB2 - q0
        if f0 == 0 { return q0 }
        let upward = f0 > 0
        // A warm start: plain Newton from the guess, accepted when it lands on a stable root
        // (V' < 1, so F crosses from + to -) on the side of q0 the iteration moves to.
        if let g = guess, g > 0, g.isFinite, (g > q0) == upward {
            var q = g
            for _ in 0..<30 {
                let (value, slope) = f(q)
                guard slope < 0, value.isFinite else { break }
                let next = q - value / slope
                guard next > 0, next.isFinite else { break }
                // Quadratic convergence: after a step below 1e-9 the error is ~ C 1e-18 with
                // C = |F''/(2F')|, so no confirming evaluation is needed unless F' is tiny.
                if Swift.abs(next - q) <= (slope < -1e-3 ? 1e-9 : 1e-15) * next {
                    if (next > q0) == upward { return next }
                    break
                }
                q = next
            }
        }
        var lower: Double, upper: Double
        if upward {
            lower = q0
            upper = Swift.max(q0, 1e-3) * 1.25
            while f(upper).value > 0 {
                lower = upper
                upper *= 1.25
                guard upper < 1e15 else {
                    throw .noFixedPoint("q grows without bound from q0 = \(q0) (V(q) > q up to q = 1e15)")
                }
            }
        } else {
            upper = q0
            lower = q0 / 1.25
            let vanishesAtZero = sigmaB2 == 0 && activation.derivatives(0).d0 == 0
            // V(0) = 0 and V'(0) <= 1: below the scanned range F(q) ~ (V'(0) - 1) q < 0 (at
            // V'(0) = 1, F ~ V''(0) q^2 / 2 < 0 for the saturating odd activations), so the
            // iteration ends at q* = 0; a scan further down would only meet rounding.
            let contractsAtZero = vanishesAtZero && lengthMap(0, using: integrator).derivative <= 1
            while f(lower).value < 0 {
                if contractsAtZero && lower < 1e-9 * q0 { return 0 }
                upper = lower
                lower /= lower > 1e-6 * q0 ? 1.25 : 10
                if lower < 1e-300 {
                    guard vanishesAtZero else {
                        throw .noConvergence("q* search from q0 = \(q0) reached 1e-300 with V(q) < q")
                    }
                    return 0
                }
                if !vanishesAtZero && lower < 1e-6 * q0 {
                    lower = 0  // V(0) = sigma_b^2 + sigma_w^2 phi(0)^2 > 0 brackets the root
                    break
                }
            }
        }
        return try polish(f, lower, upper, guess: guess)
    }

    private func polish(_ f: (Double) -> (value: Double, derivative: Double),
                        _ lower: Double, _ upper: Double, guess: Double?) throws(MeanFieldError) -> Double {
        do {
            return try newtonBracketed(lower: lower, upper: upper, guess: guess,
                                       tolerance: RootTolerance(absolute: 1e-300, relative: 1e-15, maxIterations: 200), f)
        } catch {
            throw .noConvergence("q* in [\(lower), \(upper)]: \(error)")
        }
    }

    /// The stable correlation fixed point c* at q = qStar, given chi_1 there.
    ///
    /// Ordered or critical (chi_1 <= 1): c* = 1. Chaotic: f(c) = (sigma_w^2 G(c) + sigma_b^2)/q*
    /// has a power series with non-negative coefficients (``MehlerSeries``), so g(c) = f(c) - c is
    /// convex on [0, 1] with g(0) >= 0, g(1) = 0, g'(1) = chi_1 - 1 > 0: exactly one root in
    /// [0, 1), reached monotonically by Newton from c = 0. Odd phi with sigma_b^2 = 0 gives
    /// c* = 0 exactly.
    ///
    /// - Returns: c* and chi_c(c*) = sigma_w^2 E[phi'(u1) phi'(u2)] = f'(c*); `seriesOrder` is the
    ///   Mehler order that met the bound (nil when the series was not used).
    public func cStar(qStar: Double, chi1: Double, solver: CorrelationSolver = .automatic,
                      moments: LengthMoments? = nil,
                      using integrator: GaussianIntegrator) throws(MeanFieldError) -> (cStar: Double, chiC: Double, seriesOrder: Int?) {
        guard chi1 > 1, qStar > 0 else { return (1, chi1, nil) }
        if activation.isOdd && sigmaB2 == 0 {
            let slope = sigmaW2 * integrator.cross(q11: qStar, q22: qStar, c: 0).dphiDphi
            return (0, slope, nil)
        }
        if integrator.method == .automatic, activation.hasClosedFormCross {
            let solution = try cStarNewton(qStar: qStar) { c in
                let m = integrator.cross(q11: qStar, q22: qStar, c: c)
                return (m.phiPhi, qStar * m.dphiDphi)
            }
            return (solution.cStar, solution.chiC, nil)
        }
        if case .mehler(let initialOrder, let maxOrder) = solver, activation.kinks.isEmpty {
            let moments = moments ?? integrator.length(q: qStar)
            var order = initialOrder
            while true {
                let series = MehlerSeries(integrator: integrator, q: qStar, order: order, moments: moments)
                // A clearly negative residual means the projections are not resolved: go direct.
                guard series.residual > -1e-13 * moments.phi2 else { break }
                let solution = try cStarNewton(qStar: qStar) { series.evaluate($0) }
                // Relative to G(1) = E[phi^2] and G'(1) = q E[phi'^2]: the residuals cannot fall
                // below the 1-D quadrature's own error (~1e-14 relative).
                let valueTolerance = 1e-13 * moments.phi2
                let slopeTolerance = 1e-12 * qStar * moments.dphi2
                let bound = series.truncationBound(at: solution.cStar)
                if bound.value <= valueTolerance && bound.derivative <= slopeTolerance {
                    let polished = solution.cStar > 0.9 ? polishNearOne(solution, series: series) : solution
                    return (polished.cStar, polished.chiC, order)
                }
                // The order the bounds ask for at this c* if the residuals stopped shrinking;
                // they do shrink, so grow at most fourfold a round.
                let logC = Foundation.log(Swift.max(solution.cStar, 1e-3))
                let needValue = Foundation.log(valueTolerance / Swift.max(series.residual, 1e-300)) / logC
                let needSlope = Foundation.log(slopeTolerance / Swift.max(series.derivativeResidual, 1e-300)) / logC
                let needed = Int(Swift.min(Swift.max(needValue, needSlope, Double(2 * order)), Double(4 * order))) + 8
                guard order < maxOrder else { break }
                order = Swift.min((needed + 15) / 16 * 16, maxOrder)
            }
        }
        let solution = try cStarNewton(qStar: qStar) { c in
            let m = integrator.cross(q11: qStar, q22: qStar, c: c)
            return (m.phiPhi, qStar * m.dphiDphi)
        }
        return (solution.cStar, solution.chiC, nil)
    }

    /// Newton in delta = 1 - c on f(c) - c = delta - (sigma_w^2/q*) (G(1) - G(1 - delta)), which
    /// uses f(1) = 1 exactly (G(1) = E[phi^2], sigma_w^2 E[phi^2] + sigma_b^2 = q*): near the
    /// critical line, where 1 - chi_c is tiny, the c-form loses 1e-16/(1 - chi_c) of c* to
    /// cancellation and to the rounding of q*; this form keeps 1 - c* to full relative accuracy.
    private func polishNearOne(_ start: (cStar: Double, chiC: Double), series: MehlerSeries) -> (cStar: Double, chiC: Double) {
        let scale = sigmaW2 / series.q
        var delta = 1 - start.cStar
        var previousStep = Double.infinity
        for _ in 0..<30 {
            let (deficit, slope) = series.deficit(delta: delta)
            let g = delta - scale * deficit
            let dg = 1 - scale * slope
            guard dg > 0, g.isFinite else { return start }
            let step = -g / dg
            // Converged, or down to rounding noise (ulp(delta) / (1 - chi_c)): the step stops shrinking.
            if Swift.abs(step) <= 1e-15 * delta || Swift.abs(step) >= 0.5 * previousStep {
                return (1 - delta, scale * slope)
            }
            previousStep = Swift.abs(step)
            delta += step
            guard delta > 0 else { return start }
        }
        return start
    }

    /// Newton from c = 0 on g(c) = (sigma_w^2 G(c) + sigma_b^2)/q* - c, given (G, G').
    private func cStarNewton(qStar: Double, _ correlation: (Double) -> (value: Double, derivative: Double))
        throws(MeanFieldError) -> (cStar: Double, chiC: Double)
    {
        var c = 0.0
        let scale = sigmaW2 / qStar
        for _ in 0..<200 {
            let (value, derivative) = correlation(c)
            let g = scale * value + sigmaB2 / qStar - c
            let slope = scale * derivative - 1
            guard g.isFinite, slope.isFinite else {
                throw .noConvergence("c-map is not finite at c = \(c)")
            }
            if g <= 0 { return (c, scale * derivative) }  // at the root (convexity: never beyond it)
            guard slope < 0 else { throw .noConvergence("c-map slope >= 1 below c* at c = \(c)") }
            let step = -g / slope
            let next = Swift.min(c + step, 1)
            if step <= 1e-16 * Swift.max(Swift.abs(c), 1e-300) || next == c {
                return (next, scale * correlation(next).derivative)
            }
            c = next
        }
        throw .noConvergence("c* Newton iteration did not converge in 200 steps")
    }
}
