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
