import Activations
import Foundation

extension ActivationFamily {
    /// Exact Gaussian length moments of the families that have them, u ~ N(0, q).
    ///
    /// - leaky relu a u + (1 - a) relu(u) (abs is a = -1): E[phi^2] = q (1 + a^2)/2,
    ///   E[phi'^2] = (1 + a^2)/2.
    /// - erf(g u): the built-in erf's moments at Q = g^2 q, each q-derivative and each derivative
    ///   of phi a factor g^2 (E_q[f(g u)^2] = E_{g^2 q}[f^2]).
    /// - cos: E[cos^2] = (1 + e^{-2q})/2, E[sin^2] = (1 - e^{-2q})/2.
    /// - gaussian e^{-u^2/2}, with r = (1 + 2q)^{-1/2}, s = q/(1 + 2q): E[u^{2n} e^{-u^2}] = r (2n-1)!! s^n,
    ///   so E[phi^2] = r, E[phi'^2] = r s, E[phi''^2] = r (3s^2 - 2s + 1).
    /// - rbf sqrt(2) sin(a u + pi/4), a^2 = 2 gamma: phi^2 = 1 + sin(2 a u), so E[phi^2] = 1, E[phi'^2] = a^2, E[phi''^2] = a^4.
    /// - monomial u^k: E[u^{2k}] = (2k - 1)!! q^k, E[phi'^2] = k^2 (2k - 3)!! q^{k-1},
    ///   E[phi''^2] = k^2 (k-1)^2 (2k - 5)!! q^{k-2}.
    func closedFormLength(q: Double) -> LengthMoments? {
        switch self {
        case .leakyRelu(let a):
            let m = 0.5 * (1 + a * a)
            return LengthMoments(phi2: q * m, dphi2: m, d2phi2: a == 1 ? 0 : .infinity, phi2Dq: m, phi2Dqq: 0, dphi2Dq: 0)
        case .abs:
            return ActivationFamily.leakyRelu(slope: -1).closedFormLength(q: q)
        case .erf(let g):
            let g2 = g * g
            guard let m = Activation.Builtin.erf.closedFormLength(q: g2 * q) else { return nil }
            return LengthMoments(phi2: m.phi2, dphi2: g2 * m.dphi2, d2phi2: g2 * g2 * m.d2phi2,
                                 phi2Dq: g2 * m.phi2Dq, phi2Dqq: g2 * g2 * m.phi2Dqq, dphi2Dq: g2 * g2 * m.dphi2Dq)
        case .cos:
            let e = Foundation.exp(-2 * q), oneMinus = -Foundation.expm1(-2 * q)
            return LengthMoments(phi2: (1 + e) / 2, dphi2: oneMinus / 2, d2phi2: (1 + e) / 2,
                                 phi2Dq: -e, phi2Dqq: 2 * e, dphi2Dq: e)
        case .gaussian:
            let t = 1 + 2 * q, r = 1 / t.squareRoot(), s = q / t
            return LengthMoments(phi2: r, dphi2: r * s, d2phi2: r * (3 * s * s - 2 * s + 1),
                                 phi2Dq: -r / t, phi2Dqq: 3 * r / (t * t), dphi2Dq: (1 - q) * r / (t * t))
        case .rbf(let gamma):
            let a2 = 2 * gamma
            return LengthMoments(phi2: 1, dphi2: a2, d2phi2: a2 * a2, phi2Dq: 0, phi2Dqq: 0, dphi2Dq: 0)
        case .monomial(let k):
            let kd = Double(k)
            let phi2 = doubleFactorial(2 * k - 1) * Foundation.pow(q, kd)
            let dphi2 = kd * kd * doubleFactorial(2 * k - 3) * Foundation.pow(q, kd - 1)
            let qkm2 = k >= 2 ? Foundation.pow(q, kd - 2) : 0
            let d2phi2 = k >= 2 ? kd * kd * (kd - 1) * (kd - 1) * doubleFactorial(2 * k - 5) * qkm2 : 0
            return LengthMoments(phi2: phi2, dphi2: dphi2, d2phi2: d2phi2,
                                 phi2Dq: kd * doubleFactorial(2 * k - 1) * Foundation.pow(q, kd - 1),
                                 phi2Dqq: kd * (kd - 1) * doubleFactorial(2 * k - 1) * qkm2,
                                 dphi2Dq: (kd - 1) * kd * kd * doubleFactorial(2 * k - 3) * qkm2)
        case .elu, .selu, .mish, .tanh:
            return nil
        }
    }

    /// Exact joint moments (q12 = c sqrt(q11 q22)).
    ///
    /// - leaky relu: E[phi phi] = a q12 + (1 - a)^2 K, E[phi' phi'] = a + (1 - a)^2 (pi - t)/(2 pi),
    ///   K and t = acos c the relu's arc-cosine kernel (E[u1 relu(u2)] = q12/2).
    /// - erf(g u): the built-in erf's at g^2 q11, g^2 q22, E[phi' phi'] times g^2.
    /// - cos: E[cos cos] = e^{-(q11+q22)/2} cosh q12, E[sin sin] = e^{-(q11+q22)/2} sinh q12.
    /// - gaussian: with D = (1 + q11)(1 + q22) - q12^2, E[phi phi] = D^{-1/2}, E[phi' phi'] = q12 D^{-3/2}.
    /// - rbf: E[phi phi] = e^{-gamma (q11 + q22 - 2 q12)}, E[phi' phi'] = 2 gamma E[phi phi].
    func closedFormCross(q11: Double, q22: Double, c: Double) -> CrossMoments? {
        let q12 = c * (q11 * q22).squareRoot()
        switch self {
        case .leakyRelu(let a):
            guard let relu = Activation.Builtin.relu.closedFormCross(q11: q11, q22: q22, c: c) else { return nil }
            let b = (1 - a) * (1 - a)
            return CrossMoments(phiPhi: a * q12 + b * relu.phiPhi, dphiDphi: a + b * relu.dphiDphi)
        case .abs:
            return ActivationFamily.leakyRelu(slope: -1).closedFormCross(q11: q11, q22: q22, c: c)
        case .erf(let g):
            let g2 = g * g
            guard let m = Activation.Builtin.erf.closedFormCross(q11: g2 * q11, q22: g2 * q22, c: c) else { return nil }
            return CrossMoments(phiPhi: m.phiPhi, dphiDphi: g2 * m.dphiDphi)
        case .cos:
            guard let sin = Activation.Builtin.sin.closedFormCross(q11: q11, q22: q22, c: c) else { return nil }
            return CrossMoments(phiPhi: sin.dphiDphi, dphiDphi: sin.phiPhi)
        case .gaussian:
            let d = (1 + q11) * (1 + q22) - q12 * q12
            let r = 1 / d.squareRoot()
            return CrossMoments(phiPhi: r, dphiDphi: q12 * r / d)
        case .rbf(let gamma):
            let k = Foundation.exp(-gamma * (q11 + q22 - 2 * q12))
            return CrossMoments(phiPhi: k, dphiDphi: 2 * gamma * k)
        case .elu, .selu, .mish, .tanh, .monomial:
            return nil
        }
    }

    /// E_q[phi^4]: leaky relu 3q^2 (1 + a^4)/2, monomial (4k - 1)!! q^{2k}, gaussian (1 + 4q)^{-1/2},
    /// cos (3 + 4e^{-2q} + e^{-8q})/8, rbf 3/2 - e^{-16 gamma q}/2.
    func closedFormFourthMoment(q: Double) -> Double? {
        switch self {
        case .leakyRelu(let a): 1.5 * q * q * (1 + a * a * a * a)
        case .abs: 3 * q * q
        case .monomial(let k): doubleFactorial(4 * k - 1) * Foundation.pow(q, 2 * Double(k))
        case .gaussian: 1 / (1 + 4 * q).squareRoot()
        case .cos: (3 + 4 * Foundation.exp(-2 * q) + Foundation.exp(-8 * q)) / 8
        case .rbf(let gamma): 1.5 - 0.5 * Foundation.exp(-16 * gamma * q)
        case .elu, .selu, .mish, .tanh, .erf: nil
        }
    }

    var hasClosedFormLength: Bool {
        switch self {
        case .leakyRelu, .abs, .erf, .cos, .gaussian, .rbf, .monomial: true
        case .elu, .selu, .mish, .tanh: false
        }
    }

    var hasClosedFormCross: Bool {
        switch self {
        case .leakyRelu, .abs, .erf, .cos, .gaussian, .rbf: true
        case .elu, .selu, .mish, .tanh, .monomial: false
        }
    }
}

/// n!! for odd n >= -1 ((-1)!! = 1).
private func doubleFactorial(_ n: Int) -> Double {
    var result = 1.0
    var k = n
    while k > 1 { result *= Double(k); k -= 2 }
    return result
}
