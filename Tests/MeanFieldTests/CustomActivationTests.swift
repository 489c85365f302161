import Activations
import Foundation
import GSLKit
import MeanField
import Testing
import TestSupport

/// Families and formulas in the mean-field maps: the families' closed forms against the
/// quadrature route, built-ins written as formulas against the built-ins, the breakpoint
/// calculus against finite differences in q, and the fixed points and critical lines of
/// activations the built-ins do not have.
@Suite struct CustomActivationTests {
    static let closedFormFamilies = ["leaky_relu:0.1", "leaky_relu:-0.4", "leaky_relu:2", "abs", "erf:0.6", "erf:2.5",
                                     "cos", "gaussian", "rbf:0.7", "monomial:1", "monomial:2", "monomial:3"]

    @Test(arguments: closedFormFamilies)
    func familyClosedFormsMatchTheQuadrature(text: String) throws {
        let activation = try Activation(parsing: text)
        #expect(activation.hasClosedFormLength)
        let exact = GaussianIntegrator(activation: activation)
        let numeric = GaussianIntegrator(activation: activation, method: .quadrature)
        for q in [1e-3, 0.05, 0.5, 1, 4, 16] {
            let a = exact.length(q: q), b = numeric.length(q: q)
            #expect(relativeError(b.phi2, a.phi2) < 1e-13, "\(text) E[phi^2] at q = \(q)")
            #expect(relativeError(b.dphi2, a.dphi2) < 1e-13, "\(text) E[phi'^2] at q = \(q)")
            #expect(abs(b.phi2Dq - a.phi2Dq) < 1e-12 * max(1, abs(a.phi2Dq)), "\(text) dE[phi^2]/dq at q = \(q)")
            #expect(abs(b.phi2Dqq - a.phi2Dqq) < 1e-11 * max(1, abs(a.phi2Dqq)), "\(text) d2E[phi^2]/dq2 at q = \(q)")
            #expect(abs(b.dphi2Dq - a.dphi2Dq) < 1e-11 * max(1, abs(a.dphi2Dq)), "\(text) dE[phi'^2]/dq at q = \(q)")
            if activation.kinks.isEmpty {
                #expect(relativeError(b.d2phi2, a.d2phi2) < 1e-12, "\(text) E[phi''^2] at q = \(q)")
            } else {
                #expect(a.d2phi2 == .infinity && b.d2phi2 == .infinity)
            }
            if let fourth = activation.closedFormFourthMoment(q: q) {
                let quadrature = numeric.expectation(variance: q) { $0.d0 * $0.d0 * $0.d0 * $0.d0 }
                #expect(relativeError(quadrature, fourth) < 1e-12, "\(text) E[phi^4] at q = \(q)")
            }
        }
        guard activation.hasClosedFormCross else { return }
        for (q11, q22) in [(0.3, 0.3), (1.0, 2.5), (4.0, 0.7)] {
            for c in [-0.9, -0.3, 0, 0.2, 0.7, 0.99, 1] {
                let a = exact.cross(q11: q11, q22: q22, c: c), b = numeric.cross(q11: q11, q22: q22, c: c)
                #expect(abs(b.phiPhi - a.phiPhi) < 1e-12 * max(1, abs(a.phiPhi)), "\(text) \(q11) \(q22) \(c)")
                #expect(abs(b.dphiDphi - a.dphiDphi) < 1e-12 * max(1, abs(a.dphiDphi)), "\(text) \(q11) \(q22) \(c)")
            }
        }
    }

    /// A built-in written as a formula gives the built-in's point: q*, chi_1, chi_2, c* and chi_c
    /// (closed forms against the formula's quadrature, or two quadratures on different panels).
    @Test(arguments: [("tanh", "tanh(x)"), ("erf", "erf(x)"), ("sin", "sin(x)"), ("gelu", "x*(1 + erf(x/sqrt(2)))/2"),
                      ("swish", "x*sigmoid(x)"), ("softplus", "softplus(x)"), ("relu", "max(x, 0)"),
                      ("hardtanh", "min(max(x, -1), 1)"), ("sigmoid", "sigmoid(x)")])
    func builtInsAsFormulasGiveTheBuiltInsPoints(builtin: String, formula: String) throws {
        let a = try Activation(parsing: builtin), b = try Activation(parsing: formula)
        for (w, bias) in [(1.5, 0.1), (2.5, 0.3), (1.2, 0.05)] {
            let ma = try MeanFieldModel(activation: a, sigmaW2: w, sigmaB2: bias)
            let mb = try MeanFieldModel(activation: b, sigmaW2: w, sigmaB2: bias)
            guard let pa = try? ma.analyse(using: GaussianIntegrator(activation: a)) else { continue }
            let pb = try mb.analyse(using: GaussianIntegrator(activation: b))
            #expect(relativeError(pb.qStar, pa.qStar) < 1e-13, "\(formula) q* at \(w), \(bias)")
            #expect(relativeError(pb.chi1, pa.chi1) < 1e-13, "\(formula) chi1 at \(w), \(bias)")
            #expect(pa.chi2 == pb.chi2 || relativeError(pb.chi2, pa.chi2) < 1e-11, "\(formula) chi2 at \(w), \(bias)")
            #expect(abs(pb.cStar - pa.cStar) < 1e-12, "\(formula) c* at \(w), \(bias)")
            #expect(relativeError(pb.chiC, pa.chiC) < 1e-12, "\(formula) chi_c at \(w), \(bias)")
            #expect(pa.phase == pb.phase)
        }
    }

    /// The breakpoints' parts of the q-derivatives against central differences in q of the
    /// quadrature's own E[phi^2] and E[phi'^2] (no closed form: elu with alpha != 1 has a kink,
    /// elu:1 a jump of phi'' only, and a shifted, two-sided kink).
    @Test(arguments: ["elu:2", "elu:1", "max(x - 0.7, 0.2*x)", "selu", "where(x > 0.5, x^2, 0.25*x + 0.125)"])
    func breakpointTermsMatchFiniteDifferencesInQ(text: String) throws {
        let activation = try Activation(parsing: text)
        let integrator = GaussianIntegrator(activation: activation, method: .quadrature)
        for q in [0.2, 1, 3] {
            let h = 1e-4 * q
            let m = integrator.length(q: q), plus = integrator.length(q: q + h), minus = integrator.length(q: q - h)
            let slope = (plus.phi2 - minus.phi2) / (2 * h)
            let curvature = (plus.phi2 - 2 * m.phi2 + minus.phi2) / (h * h)
            let dphiSlope = (plus.dphi2 - minus.dphi2) / (2 * h)
            // Central differences: h^2 f'''/6 ~ 1e-9 and rounding 1e-16/h ~ 1e-12 (first), 1e-16/h^2 ~ 1e-8 (second).
            #expect(abs(m.phi2Dq - slope) < 1e-8 * max(1, abs(slope)), "\(text) phi2Dq at q = \(q)")
            #expect(abs(m.dphi2Dq - dphiSlope) < 1e-8 * max(1, abs(dphiSlope)), "\(text) dphi2Dq at q = \(q)")
            #expect(abs(m.phi2Dqq - curvature) < 1e-5 * max(1, abs(curvature)), "\(text) phi2Dqq at q = \(q)")
            let (phi2, slopeOnly) = integrator.lengthWithSlope(q: q)
            #expect(phi2 == m.phi2 && abs(slopeOnly - m.phi2Dq) < 1e-15 * max(1, abs(m.phi2Dq)))
        }
    }

    /// The built-in kinked activations by the breakpoint calculus (method .quadrature) against
    /// their closed forms: relu and hard-tanh's second q-derivatives now come from the one-sided limits.
    @Test(arguments: [Activation.relu, .hardTanh])
    func kinkedBuiltInsByTheBreakpointCalculus(activation: Activation) {
        let exact = GaussianIntegrator(activation: activation)
        let numeric = GaussianIntegrator(activation: activation, method: .quadrature)
        for q in [0.05, 0.5, 1, 4, 16] {
            let a = exact.length(q: q), b = numeric.length(q: q)
            #expect(abs(b.phi2Dqq - a.phi2Dqq) < 1e-13 * max(1, abs(a.phi2Dqq)), "\(activation) at q = \(q)")
            #expect(abs(b.dphi2Dq - a.dphi2Dq) < 1e-13 * max(1, abs(a.dphi2Dq)), "\(activation) at q = \(q)")
        }
    }

    /// SELU's self-normalising fixed point: q* = 1 at sigma_w^2 = 1, sigma_b^2 = 0 (Klambauer et al. 2017).
    @Test func seluIsSelfNormalising() throws {
        let selu = try Activation(parsing: "selu")
        let model = try MeanFieldModel(activation: selu, sigmaW2: 1, sigmaB2: 0)
        let integrator = GaussianIntegrator(activation: selu)
        let q = try model.qStar(from: 3, using: integrator)
        #expect(abs(q - 1) < 1e-12)
        #expect(abs(integrator.length(q: 1).phi2 - 1) < 1e-14)
        // Its mean: E[selu(z)] = 0 by the quadrature too.
        #expect(abs(integrator.expectation(variance: 1) { $0.d0 }) < 1e-14)
    }

    /// Critical lines where no built-in reaches: leaky relu's sigma_w^2 = 2/(1 + a^2) at sigma_b^2 = 0
    /// exactly; for elu, selu and mish chi_1 = 1 at the returned point, on the stable branch.
    @Test func criticalLinesOfFamilies() throws {
        for a in [0.01, 0.1, 0.5, -0.3] {
            let leaky = try Activation(parsing: "leaky_relu:\(a)")
            let point = try leaky.criticalPoint(sigmaB2: 0)
            #expect(relativeError(point.sigmaW2, 2 / (1 + a * a)) < 1e-15)
            #expect(point.qStar == nil)
            #expect(throws: MeanFieldError.self) { try leaky.criticalPoint(sigmaB2: 0.1) }
        }
        for text in ["elu:1", "selu", "mish", "tanh:1.5"] {
            let activation = try Activation(parsing: text)
            let integrator = GaussianIntegrator(activation: activation)
            for b in [0.01, 0.1, 0.5] {
                guard let point = try? activation.criticalPoint(sigmaB2: b, using: integrator), let q = point.qStar else { continue }
                let model = try MeanFieldModel(activation: activation, sigmaW2: point.sigmaW2, sigmaB2: b)
                #expect(abs(model.chi1(at: q, using: integrator) - 1) < 1e-10, "\(text) at sigma_b2 = \(b)")
                #expect(abs(model.lengthMap(q, using: integrator).value - q) < 1e-10 * q, "\(text) at sigma_b2 = \(b)")
                #expect(model.lengthMap(q, using: integrator).derivative < 1, "\(text) at sigma_b2 = \(b)")
            }
        }
    }

    /// A decreasing length map (the gaussian activation): V'(q*) < 0 and the depth scale uses |V'|.
    @Test func decreasingLengthMapsHaveANegativeSlopeAndUseItsSize() throws {
        let gaussian = try Activation(parsing: "gaussian")
        let integrator = GaussianIntegrator(activation: gaussian)
        let model = try MeanFieldModel(activation: gaussian, sigmaW2: 1.5, sigmaB2: 0.1)
        let points = try model.lengthFixedPoints(using: integrator)
        #expect(points.points.count == 1)
        let p = try #require(points.points.first)
        #expect(p.vPrime < 0 && p.vPrime > -1 && p.isStable)
        let analysis = try model.analyse(using: integrator)
        #expect(relativeError(analysis.xiQ, -1 / log(-analysis.vPrime)) < 1e-15)
        // V'(q*) = -(q* - sigma_b^2)/(1 + 2q*) > -1/2 for every gaussian map: stable throughout.
        for w in [0.5, 4, 40, 400] {
            let m = try MeanFieldModel(activation: gaussian, sigmaW2: w, sigmaB2: 0.2)
            let found = try m.lengthFixedPoints(using: integrator).points
            #expect(found.count == 1 && found[0].isStable && found[0].vPrime > -0.5, "sigma_w2 = \(w)")
            #expect(relativeError(found[0].vPrime, -(found[0].qStar - 0.2) / (1 + 2 * found[0].qStar)) < 1e-12)
        }
    }

    /// An oscillating phi at a variance too large for the panel cap: the integrator says so.
    @Test func truncatedRulesAreCounted() throws {
        let activation = try Activation(parsing: "cos(3*x)")
        let integrator = GaussianIntegrator(activation: activation, method: .quadrature)
        _ = integrator.length(q: 1)
        #expect(integrator.truncatedRules == 0)
        _ = integrator.length(q: 1e8)
        #expect(integrator.truncatedRules > 0)
    }
}
