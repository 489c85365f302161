/// Gaussian moments of one activation at one variance q, u ~ N(0, q).
///
/// The q-derivatives follow from the heat-equation (Price) identity d/dq E_q[g] = 1/2 E_q[g'']:
/// `phi2Dq` = E[phi'^2 + phi phi''], `phi2Dqq` = 1/2 E[3 phi''^2 + 4 phi' phi''' + phi phi''''],
/// `dphi2Dq` = E[phi''^2 + phi' phi''']. For kinked activations the Dirac parts of phi'' are
/// included (closed forms), and E[phi''^2] is +infinity.
public struct LengthMoments: Sendable, Equatable {
    /// E[phi(u)^2].
    public var phi2: Double
    /// E[phi'(u)^2].
    public var dphi2: Double
    /// E[phi''(u)^2] (infinite for relu and hard-tanh).
    public var d2phi2: Double
    /// d/dq E[phi^2] = E[phi'^2 + phi phi''].
    public var phi2Dq: Double
    /// d^2/dq^2 E[phi^2].
    public var phi2Dqq: Double
    /// d/dq E[phi'^2] = E[phi''^2 + phi' phi'''].
    public var dphi2Dq: Double

    public init(phi2: Double, dphi2: Double, d2phi2: Double, phi2Dq: Double, phi2Dqq: Double, dphi2Dq: Double) {
        self.phi2 = phi2
        self.dphi2 = dphi2
        self.d2phi2 = d2phi2
        self.phi2Dq = phi2Dq
        self.phi2Dqq = phi2Dqq
        self.dphi2Dq = dphi2Dq
    }
}

/// Joint Gaussian moments of a pair (u1, u2) with variances q11, q22 and correlation c.
public struct CrossMoments: Sendable, Equatable {
    /// E[phi(u1) phi(u2)].
    public var phiPhi: Double
    /// E[phi'(u1) phi'(u2)] = d E[phi(u1) phi(u2)] / d q12 (Price).
    public var dphiDphi: Double

    public init(phiPhi: Double, dphiDphi: Double) {
        self.phiPhi = phiPhi
        self.dphiDphi = dphiDphi
    }
}

/// Which route computes Gaussian moments.
public enum MomentMethod: String, Sendable, CaseIterable {
    /// Closed forms where they exist (linear, relu, erf, sin, hard-tanh in 1-D), quadrature otherwise.
    case automatic
    /// Always the composite quadrature (the independent route in tests). Dirac parts of phi''
    /// for kinked activations are still added analytically: quadrature cannot see them.
    case quadrature
}
