import Activations
import Foundation

/// A random deep network in the mean-field limit.
///
/// Conventions (<doc:Conventions>): layers l = 1..L of width N, h^l = W^l phi(h^{l-1}) + b^l,
/// W_ij ~ N(0, sigma_w^2 / N), b_i ~ N(0, sigma_b^2). **sigma_w^2 and sigma_b^2 are variances**
/// (neural-tangents and deepchaos take standard deviations). q^l = |h^l|^2 / N and
/// Dz = e^{-z^2/2} dz / sqrt(2 pi).
///
/// - Length map (Poole et al. 2016, eq. 3): V(q) = sigma_w^2 E_q[phi^2] + sigma_b^2.
/// - Correlation map: q12' = sigma_w^2 E[phi(u1) phi(u2)] + sigma_b^2 with u1 = sqrt(q11) z1,
///   u2 = sqrt(q22)(c z1 + sqrt(1-c^2) z2); c' = q12' / sqrt(V(q11) V(q22)).
public struct MeanFieldModel: Sendable, Equatable {
    public let activation: Activation
    /// Weight variance sigma_w^2 (not the standard deviation).
    public let sigmaW2: Double
    /// Bias variance sigma_b^2 (not the standard deviation).
    public let sigmaB2: Double

    public init(activation: Activation, sigmaW2: Double, sigmaB2: Double) throws(MeanFieldError) {
        try requireFinite(sigmaW2, "sigma_w2")
        try requireFinite(sigmaB2, "sigma_b2")
        self.activation = activation
        self.sigmaW2 = sigmaW2
        self.sigmaB2 = sigmaB2
    }

    /// V(q) and V'(q) = sigma_w^2 E_q[phi'^2 + phi phi''] (Price identity).
    public func lengthMap(_ q: Double, using integrator: GaussianIntegrator) -> (value: Double, derivative: Double) {
        let m = integrator.lengthWithSlope(q: q)
        return (sigmaW2 * m.phi2 + sigmaB2, sigmaW2 * m.phi2Dq)
    }

    /// V''(q) = sigma_w^2 d^2/dq^2 E_q[phi^2].
    public func lengthMapSecondDerivative(_ q: Double, using integrator: GaussianIntegrator) -> Double {
        sigmaW2 * integrator.length(q: q).phi2Dqq
    }

    /// One layer of the joint map: (q11, q22, c) -> (q11', q22', c').
    public func correlationMap(q11: Double, q22: Double, c: Double,
                               using integrator: GaussianIntegrator) throws(MeanFieldError) -> (q11: Double, q22: Double, c: Double) {
        try requireFinite(q11, "q11")
        try requireFinite(q22, "q22")
        guard c.isFinite, Swift.abs(c) <= 1 else {
            throw .invalidParameter(name: "c", reason: "a correlation must lie in [-1, 1], got \(c)")
        }
        let n11 = lengthMap(q11, using: integrator).value
        let n22 = q11 == q22 ? n11 : lengthMap(q22, using: integrator).value
        if c == 1 && q11 == q22 { return (n11, n22, 1) }  // c = 1 is exactly a fixed point
        let q12 = sigmaW2 * integrator.cross(q11: q11, q22: q22, c: c).phiPhi + sigmaB2
        let norm = (n11 * n22).squareRoot()
        guard norm > 0 else {
            throw .noFixedPoint("both lengths vanish after the layer (q = 0): the correlation is undefined")
        }
        return (n11, n22, Swift.min(1, Swift.max(-1, q12 / norm)))
    }

    /// chi_1 = sigma_w^2 E_q[phi'^2] at q (= f'(1) of the c-map at q = q*).
    public func chi1(at q: Double, using integrator: GaussianIntegrator) -> Double {
        sigmaW2 * integrator.length(q: q).dphi2
    }

    /// chi_1'(q) = sigma_w^2 d/dq E_q[phi'^2] = (sigma_w^2 / 2) E_q[(phi'^2)''], written by Gaussian
    /// integration by parts twice as sigma_w^2 E_q[phi'(u)^2 (u^2 - q)] / (2 q^2), so that it needs
    /// no third derivative and holds for kinked activations (0 for relu: exactly conformal).
    /// The slope of the radial correction of an embedded manifold's metric (the Embedding module's Geometry article). Requires q > 0.
    public func chi1Slope(at q: Double, using integrator: GaussianIntegrator) -> Double {
        sigmaW2 * integrator.expectation(variance: q) { u, d in d.d1 * d.d1 * (u * u - q) } / (2 * q * q)
    }
}
