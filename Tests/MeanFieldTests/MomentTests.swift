import Activations
import Foundation
import GSLKit
import MeanField
import Testing
import TestSupport

/// Gaussian moments: closed forms against the composite quadrature forced on the same
/// activation, the composite quadrature against GSL's adaptive cquad (an independent
/// algorithm), and the Price-identity derivatives against finite differences.
@Suite struct MomentTests {
    static let qs = [1e-3, 0.05, 0.5, 1, 4, 16, 50, 150, 400]

    @Test(arguments: [Activation.erf, .relu, .linear, .sin, .hardTanh])
    func closedFormLengthMatchesQuadrature(activation: Activation) {
        let exact = GaussianIntegrator(activation: activation)
        let numeric = GaussianIntegrator(activation: activation, method: .quadrature)
        for q in Self.qs where !(activation == .sin && q > 16) {
            let a = exact.length(q: q), b = numeric.length(q: q)
            #expect(relativeError(b.phi2, a.phi2) < 1e-13, "\(activation) E[phi^2] at q = \(q)")
            #expect(relativeError(b.dphi2, a.dphi2) < 1e-13, "\(activation) E[phi'^2] at q = \(q)")
            // V'(q): the quadrature adds the Dirac parts of phi'' analytically for kinks.
            #expect(abs(b.phi2Dq - a.phi2Dq) < 1e-13 * max(1, abs(a.phi2Dq)), "\(activation) dV/dq at q = \(q)")
            if activation.kinks.isEmpty {
                #expect(abs(b.d2phi2 - a.d2phi2) < 1e-12 * max(1, a.d2phi2), "\(activation) E[phi''^2] at q = \(q)")
            } else {
                #expect(a.d2phi2 == .infinity && b.d2phi2 == .infinity)
            }
        }
    }

    @Test func closedFormCrossAvailabilityIsDeclared() {
        for activation in Activation.builtins {
            #expect((activation.closedFormCross(q11: 1, q22: 2, c: 0.3) != nil) == activation.hasClosedFormCross)
        }
    }

    @Test(arguments: [Activation.erf, .relu, .linear, .sin])
    func closedFormCrossMatchesQuadrature(activation: Activation) {
        let exact = GaussianIntegrator(activation: activation)
        let numeric = GaussianIntegrator(activation: activation, method: .quadrature)
        for (q11, q22) in [(0.3, 0.3), (1.0, 2.5), (4.0, 0.7), (16.0, 16.0)] {
            for c in [-0.9, -0.3, 0, 0.2, 0.7, 0.99, 0.999999, 1] {
                let a = exact.cross(q11: q11, q22: q22, c: c), b = numeric.cross(q11: q11, q22: q22, c: c)
                let scale = (q11 * q22).squareRoot()
                #expect(abs(b.phiPhi - a.phiPhi) < 1e-12 * max(1, scale), "\(activation) \(q11) \(q22) \(c)")
                #expect(abs(b.dphiDphi - a.dphiDphi) < 1e-12 * max(1, abs(a.dphiDphi)), "\(activation) \(q11) \(q22) \(c)")
            }
        }
    }

    /// The second quadrature: GSL's cquad on [-13 sqrt q, 13 sqrt q] in u, split at 0 and
    /// at +-(1, 4, 10, 25) where the activations change character.
    func reference(_ activation: Activation, q: Double, _ g: (Activation.Derivatives) -> Double) throws -> Double {
        let sd = q.squareRoot()
        let density = { (u: Double) in exp(-0.5 * u * u / q) / (sd * (2 * Double.pi).squareRoot()) }
        let reach = 13 * sd
        let cuts = ([-reach, reach] + [-25, -10, -4, -1, 0, 1, 4, 10, 25].filter { abs($0) < reach }).sorted()
        var total = 0.0
        for (a, b) in zip(cuts, cuts.dropFirst()) {
            total += try adaptiveIntegral(lower: a, upper: b, relativeTolerance: 1e-14) { u in
                g(activation.derivatives(u)) * density(u)
            }
        }
        return total
    }

    @Test(arguments: [Activation.tanh, .sigmoid, .gelu, .swish, .softplus])
    func compositeRuleMatchesAdaptiveCquad(activation: Activation) throws {
        let integrator = GaussianIntegrator(activation: activation)
        for q in Self.qs {
            let m = integrator.length(q: q)
            let phi2 = try reference(activation, q: q) { $0.d0 * $0.d0 }
            let dphi2 = try reference(activation, q: q) { $0.d1 * $0.d1 }
            let d2phi2 = try reference(activation, q: q) { $0.d2 * $0.d2 }
            #expect(relativeError(m.phi2, phi2) < 1e-12, "\(activation) E[phi^2] q = \(q)")
            #expect(relativeError(m.dphi2, dphi2) < 1e-12, "\(activation) E[phi'^2] q = \(q)")
            #expect(relativeError(m.d2phi2, d2phi2) < 1e-11, "\(activation) E[phi''^2] q = \(q)")
        }
    }

    @Test(arguments: [Activation.tanh, .sigmoid, .erf, .gelu, .swish, .softplus, .hardTanh, .sin])
    func priceIdentitiesMatchFiniteDifferences(activation: Activation) {
        let integrator = GaussianIntegrator(activation: activation, method: .quadrature)
        for q in [0.2, 1, 3, 9] {
            let h = 1e-4 * q
            let plus = integrator.length(q: q + h), minus = integrator.length(q: q - h)
            let m = integrator.length(q: q)
            // Central differences: truncation ~ h^2, rounding ~ 1e-16 / h.
            let tolerance = 1e-7
            #expect(abs((plus.phi2 - minus.phi2) / (2 * h) - m.phi2Dq) < tolerance, "\(activation) dE[phi^2]/dq at \(q)")
            #expect(abs((plus.phi2Dq - minus.phi2Dq) / (2 * h) - m.phi2Dqq) < tolerance, "\(activation) d2E[phi^2]/dq2 at \(q)")
            #expect(abs((plus.dphi2 - minus.dphi2) / (2 * h) - m.dphi2Dq) < tolerance, "\(activation) dE[phi'^2]/dq at \(q)")
        }
    }

    @Test(arguments: [Activation.tanh, .sigmoid, .gelu, .hardTanh])
    func crossDerivativeIsPriceIdentity(activation: Activation) {
        // d E[phi(u1) phi(u2)] / d q12 = E[phi'(u1) phi'(u2)], q12 = c sqrt(q11 q22).
        let integrator = GaussianIntegrator(activation: activation)
        for (q11, q22, c) in [(1.0, 1.0, 0.3), (2.0, 0.5, -0.4), (4.0, 3.0, 0.8)] {
            let h = 1e-5
            let scale = (q11 * q22).squareRoot()
            let plus = integrator.cross(q11: q11, q22: q22, c: c + h).phiPhi
            let minus = integrator.cross(q11: q11, q22: q22, c: c - h).phiPhi
            let derivative = integrator.cross(q11: q11, q22: q22, c: c).dphiDphi
            #expect(abs((plus - minus) / (2 * h * scale) - derivative) < 1e-8, "\(activation) \(q11) \(q22) \(c)")
        }
    }

    @Test(arguments: [Activation.tanh, .sigmoid, .swish])
    func crossAtUnitCorrelationIsTheLengthMoment(activation: Activation) {
        let integrator = GaussianIntegrator(activation: activation)
        for q in [0.1, 2, 40] {
            let m = integrator.length(q: q)
            let nearlyOne = integrator.cross(q11: q, q22: q, c: 1 - 1e-12)
            #expect(relativeError(nearlyOne.phiPhi, m.phi2) < 1e-11)
            #expect(relativeError(nearlyOne.dphiDphi, m.dphi2) < 1e-10)
        }
    }

    @Test(arguments: [Activation.tanh, .sigmoid, .gelu, .softplus])
    func mehlerSeriesMatchesDirectQuadrature(activation: Activation) {
        let integrator = GaussianIntegrator(activation: activation)
        for q in [0.3, 1.5, 4] {
            // The truncation error must lie within the rigorous Parseval bound (plus the two
            // quadratures' own ~1e-14 error).
            let series = MehlerSeries(integrator: integrator, q: q, order: 128, moments: integrator.length(q: q))
            #expect(series.residual > -1e-14)
            for c in [0.0, 0.3, 0.8, 0.95, 0.999] {
                let direct = integrator.cross(q11: q, q22: q, c: c)
                let (value, derivative) = series.evaluate(c)
                let bound = series.truncationBound(at: c)
                #expect(abs(value - direct.phiPhi) <= bound.value + 1e-13, "\(activation) q \(q) c \(c)")
                #expect(abs(derivative - q * direct.dphiDphi) <= bound.derivative + 1e-12, "\(activation) q \(q) c \(c)")
                #expect(value <= direct.phiPhi + 1e-13, "the terms are >= 0: a partial sum is a lower bound")
            }
        }
    }
}

@Suite struct FourthMomentTests {
    @Test(arguments: [Activation.linear, .relu, .sin])
    func closedFormsAgreeWithQuadrature(activation: Activation) {
        // E_q[phi^4] in closed form against the composite rule, where the rule is cheap (q <= 20).
        let integrator = GaussianIntegrator(activation: activation, method: .quadrature)
        for q in [0.01, 0.5, 3, 20] {
            let exact = activation.closedFormFourthMoment(q: q)!
            let numeric = integrator.expectation(variance: q) { $0.d0 * $0.d0 * $0.d0 * $0.d0 }
            #expect(abs(exact - numeric) <= 1e-13 * max(exact, 1e-300), "\(activation) q = \(q)")
        }
    }
}
