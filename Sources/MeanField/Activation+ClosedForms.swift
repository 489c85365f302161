import Activations
import Foundation

extension Activation.Builtin {
    /// Exact Gaussian length moments, where known.
    ///
    /// - erf: E[erf^2] = (2/pi) asin(2q/(1+2q)), E[erf'^2] = (4/pi)/sqrt(1+4q),
    ///   E[erf''^2] = (16/pi) q/(1+4q)^{3/2} (Poole et al. 2016; Williams 1997).
    /// - relu: E[relu^2] = q/2, E[relu'^2] = 1/2 (Cho & Saul 2009).
    /// - hard-tanh, with a = 1/sqrt(q), n(a) the standard normal density:
    ///   E[phi^2] = q(erf(a/sqrt 2) - 2a n(a)) + erfc(a/sqrt 2), E[phi'^2] = erf(a/sqrt 2),
    ///   E[phi phi''] = -2a n(a) (the two Dirac parts of phi'').
    /// - sin: E[sin^2] = (1 - e^{-2q})/2 = -expm1(-2q)/2, E[cos^2] = (1 + e^{-2q})/2.
    /// Derivatives in q are exact derivatives of these expressions.
    func closedFormLength(q: Double) -> LengthMoments? {
        switch self {
        case .linear:
            return LengthMoments(phi2: q, dphi2: 1, d2phi2: 0, phi2Dq: 1, phi2Dqq: 0, dphi2Dq: 0)
        case .relu:
            return LengthMoments(phi2: q / 2, dphi2: 0.5, d2phi2: .infinity, phi2Dq: 0.5, phi2Dqq: 0, dphi2Dq: 0)
        case .erf:
            let r = 1 + 4 * q, s = 1 + 2 * q
            let sr = r.squareRoot()
            return LengthMoments(
                phi2: 2 / Double.pi * Foundation.asin(2 * q / s),
                dphi2: 4 / Double.pi / sr,
                d2phi2: 16 / Double.pi * q / (r * sr),
                phi2Dq: 4 / Double.pi / (s * sr),
                phi2Dqq: 4 / Double.pi * (-2 / (s * s * sr) - 2 / (s * r * sr)),
                dphi2Dq: -8 / Double.pi / (r * sr))
        case .hardTanh:
            guard q > 0 else {
                return LengthMoments(phi2: 0, dphi2: 1, d2phi2: .infinity, phi2Dq: 1, phi2Dqq: 0, dphi2Dq: 0)
            }
            let a = 1 / q.squareRoot()
            let n = 0.3989422804014327 * Foundation.exp(-0.5 * a * a)
            let inside = Foundation.erf(a * 0.7071067811865476)
            let outside = Foundation.erfc(a * 0.7071067811865476)
            return LengthMoments(
                phi2: q * (inside - 2 * a * n) + outside,
                dphi2: inside,
                d2phi2: .infinity,
                phi2Dq: inside - 2 * a * n,
                phi2Dqq: -a * a * a * a * a * n,
                dphi2Dq: -a * a * a * n)
        case .sin:
            // 1 - e^{-2q} through expm1: relative accuracy as q -> 0, where E[sin^2] ~ q.
            let e = Foundation.exp(-2 * q), oneMinus = -Foundation.expm1(-2 * q)
            return LengthMoments(phi2: oneMinus / 2, dphi2: (1 + e) / 2, d2phi2: oneMinus / 2,
                                 phi2Dq: e, phi2Dqq: -2 * e, dphi2Dq: -e)
        case .tanh, .sigmoid, .softplus, .swish, .gelu:
            return nil
        }
    }

    /// E_q[phi^4] where known: linear 3q^2, relu 3q^2/2, sin (3 - 4e^{-2q} + e^{-8q})/8 (from
    /// sin^4 = (3 - 4 cos 2u + cos 4u)/8 and E[cos(a u)] = e^{-a^2 q/2}); sin's quadrature would
    /// need q^{1/2} panels, a hundred million at q = 1e15.
    func closedFormFourthMoment(q: Double) -> Double? {
        switch self {
        case .linear: 3 * q * q
        case .relu: 1.5 * q * q
        case .sin: (3 - 4 * Foundation.exp(-2 * q) + Foundation.exp(-8 * q)) / 8
        default: nil
        }
    }

    var hasClosedFormLength: Bool {
        switch self {
        case .linear, .relu, .erf, .hardTanh, .sin: true
        case .tanh, .sigmoid, .softplus, .swish, .gelu: false
        }
    }

    var hasClosedFormCross: Bool {
        switch self {
        case .linear, .relu, .erf, .sin: true
        case .tanh, .sigmoid, .softplus, .swish, .gelu, .hardTanh: false
        }
    }

    /// Exact joint moments, where known (q12 = c sqrt(q11 q22)).
    ///
    /// - erf: E[phi phi] = (2/pi) asin(2 q12 / sqrt((1+2q11)(1+2q22))),
    ///   E[phi' phi'] = (4/pi) / sqrt((1+2q11)(1+2q22) - 4 q12^2).
    /// - relu (arc-cosine kernel, Cho & Saul 2009), t = acos c:
    ///   E[phi phi] = sqrt(q11 q22)/(2 pi) (sin t + (pi - t) cos t), E[phi' phi'] = (pi - t)/(2 pi).
    /// - sin: E[sin sin] = e^{-(q11+q22)/2} sinh q12, E[cos cos] = e^{-(q11+q22)/2} cosh q12.
    func closedFormCross(q11: Double, q22: Double, c: Double) -> CrossMoments? {
        let q12 = c * (q11 * q22).squareRoot()
        switch self {
        case .linear:
            return CrossMoments(phiPhi: q12, dphiDphi: 1)
        case .relu:
            let t = Foundation.acos(Swift.min(1, Swift.max(-1, c)))
            return CrossMoments(
                phiPhi: (q11 * q22).squareRoot() / (2 * Double.pi) * (Foundation.sin(t) + (Double.pi - t) * c),
                dphiDphi: (Double.pi - t) / (2 * Double.pi))
        case .erf:
            let p = (1 + 2 * q11) * (1 + 2 * q22)
            return CrossMoments(
                phiPhi: 2 / Double.pi * Foundation.asin(Swift.min(1, Swift.max(-1, 2 * q12 / p.squareRoot()))),
                dphiDphi: 4 / Double.pi / (p - 4 * q12 * q12).squareRoot())
        case .sin:
            // e^{-s} sinh(q12) and e^{-s} cosh(q12), s = (q11 + q22)/2 >= |q12|, as differences of
            // exponentials that cannot overflow (sinh alone overflows for q12 > 710).
            let s = 0.5 * (q11 + q22)
            if Swift.abs(q12) < 700 {
                let e = Foundation.exp(-s)
                return CrossMoments(phiPhi: e * Foundation.sinh(q12), dphiDphi: e * Foundation.cosh(q12))
            }
            let plus = Foundation.exp(q12 - s), minus = Foundation.exp(-q12 - s)
            return CrossMoments(phiPhi: 0.5 * (plus - minus), dphiDphi: 0.5 * (plus + minus))
        case .tanh, .sigmoid, .softplus, .swish, .gelu, .hardTanh:
            return nil
        }
    }
}

extension Activation {
    /// Exact Gaussian length moments, where known: the built-ins' (``Activation/Builtin``) and the
    /// families' (``ActivationFamily``); nil for formulas and for the rest.
    public func closedFormLength(q: Double) -> LengthMoments? {
        if let builtin { return builtin.closedFormLength(q: q) }
        return family?.closedFormLength(q: q)
    }

    /// Exact joint moments E[phi(u1) phi(u2)], E[phi'(u1) phi'(u2)], where known.
    public func closedFormCross(q11: Double, q22: Double, c: Double) -> CrossMoments? {
        if let builtin { return builtin.closedFormCross(q11: q11, q22: q22, c: c) }
        return family?.closedFormCross(q11: q11, q22: q22, c: c)
    }

    /// E_q[phi^4], where known.
    public func closedFormFourthMoment(q: Double) -> Double? {
        if let builtin { return builtin.closedFormFourthMoment(q: q) }
        return family?.closedFormFourthMoment(q: q)
    }

    /// True when ``closedFormLength(q:)`` answers for every q.
    public var hasClosedFormLength: Bool { builtin?.hasClosedFormLength ?? family?.hasClosedFormLength ?? false }

    /// True when ``closedFormCross(q11:q22:c:)`` answers for every argument.
    public var hasClosedFormCross: Bool { builtin?.hasClosedFormCross ?? family?.hasClosedFormCross ?? false }
}
