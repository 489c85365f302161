import Foundation

/// A unit's output function x = sigma(u) of the continuous Hopfield network, with gain lambda > 0,
/// and the convex geometry it carries (<doc:EnergyAndGeometry>; Halder et al., Amari):
///
/// | kind | sigma(u) | range | sigma' in x | psi(u) = Int sigma | phi(x) = psi*(x) | chart Theta(x) = Int dx/sqrt(sigma') |
/// |---|---|---|---|---|---|---|
/// | logistic | 1/(1+e^{-lambda u}) | (0,1) | lambda x(1-x) | log(1+e^{lambda u})/lambda | (x log x + (1-x) log(1-x))/lambda | (2/sqrt lambda) asin sqrt x |
/// | tanh | tanh(lambda u) | (-1,1) | lambda (1-x^2) | log cosh(lambda u)/lambda | ((1+x)log(1+x) + (1-x)log(1-x))/(2 lambda) | asin(x)/sqrt lambda |
/// | atan | (2/pi) atan(pi lambda u/2) | (-1,1) | lambda cos^2(pi x/2) | (2/pi)(u atan(a u) - log(1+a^2u^2)/(2a)), a = pi lambda/2 | -(4/(pi^2 lambda)) log cos(pi x/2) | (2/(pi sqrt lambda)) atanh sin(pi x/2) |
/// | exp | e^{lambda u} | (0,inf) | lambda x | e^{lambda u}/lambda | (x log x - x)/lambda | 2 sqrt(x/lambda) |
/// | identity | lambda u | R | lambda | lambda u^2/2 | x^2/(2 lambda) | x/sqrt lambda |
///
/// grad psi = sigma and phi' = sigma^{-1}, so psi(u) + phi(sigma(u)) = u sigma(u) (Fenchel-Young with
/// equality). The Hessian metric of a unit with capacitance C is G = C/sigma' in x (the Bernoulli
/// Fisher metric for the logistic) and C sigma' in u; the chart theta = sqrt(C) Theta(x) makes it
/// Euclidean, so the geodesic distance is |theta(x) - theta(y)|.
public struct HopfieldActivation: Sendable, Equatable {
    public enum Kind: String, CaseIterable, Sendable {
        case logistic, tanh, atan, exp, identity
    }

    public let kind: Kind
    public let gain: Double

    public init(_ kind: Kind, gain: Double = 1) throws(HopfieldError) {
        guard gain > 0, gain.isFinite else { throw .invalidParameter(name: "gain", reason: "must be > 0 and finite, got \(gain)") }
        self.kind = kind
        self.gain = gain
    }

    /// The open interval of outputs (infinite ends for exp and identity).
    public var range: (lower: Double, upper: Double) {
        switch kind {
        case .logistic: (0, 1)
        case .tanh, .atan: (-1, 1)
        case .exp: (0, .infinity)
        case .identity: (-.infinity, .infinity)
        }
    }

    public var isBounded: Bool { range.lower.isFinite && range.upper.isFinite }

    /// x = sigma(u).
    @inline(__always)
    public func value(_ u: Double) -> Double {
        let z = gain * u
        switch kind {
        case .logistic: return z >= 0 ? 1 / (1 + Foundation.exp(-z)) : Foundation.exp(z) / (1 + Foundation.exp(z))
        case .tanh: return Foundation.tanh(z)
        case .atan: return (2 / Double.pi) * Foundation.atan(Double.pi * z / 2)
        case .exp: return Foundation.exp(z)
        case .identity: return z
        }
    }

    /// sigma'(u), computed from u (accurate where sigma saturates).
    @inline(__always)
    public func slope(_ u: Double) -> Double {
        let z = gain * u
        switch kind {
        case .logistic:
            let e = Foundation.exp(-abs(z))
            return gain * e / ((1 + e) * (1 + e))
        case .tanh:
            let c = Foundation.cosh(z)
            return gain / (c * c)
        case .atan:
            let a = Double.pi * z / 2
            return gain / (1 + a * a)
        case .exp: return gain * Foundation.exp(z)
        case .identity: return gain
        }
    }

    /// sigma'(u) as a function of the output x = sigma(u) (the inverse metric of a unit with C = 1).
    @inline(__always)
    public func slope(output x: Double) -> Double {
        switch kind {
        case .logistic: return gain * x * (1 - x)
        case .tanh: return gain * (1 - x) * (1 + x)
        case .atan:
            let c = Foundation.cos(Double.pi * x / 2)
            return gain * c * c
        case .exp: return gain * x
        case .identity: return gain
        }
    }

    /// sigma''(u)/sigma'(u) as a function of x = sigma(u): d log sigma'/du.
    @inline(__always)
    public func curvatureRatio(output x: Double) -> Double {
        switch kind {
        case .logistic: return gain * (1 - 2 * x)
        case .tanh: return -2 * gain * x
        case .atan: return -(Double.pi * gain / 2) * Foundation.sin(Double.pi * x)
        case .exp: return gain
        case .identity: return 0
        }
    }

    /// u = sigma^{-1}(x) = phi'(x), for x inside ``range``.
    @inline(__always)
    public func inverse(_ x: Double) -> Double {
        switch kind {
        case .logistic: return (Foundation.log(x) - Foundation.log1p(-x)) / gain
        case .tanh: return Foundation.atanh(x) / gain
        case .atan: return 2 / (Double.pi * gain) * Foundation.tan(Double.pi * x / 2)
        case .exp: return Foundation.log(x) / gain
        case .identity: return x / gain
        }
    }

    /// psi(u) = Int_0^u sigma + const, the convex potential with grad psi = sigma (constants as in the
    /// table, so that phi = psi*).
    public func potential(_ u: Double) -> Double {
        let z = gain * u
        switch kind {
        case .logistic: return (Swift.max(z, 0) + Foundation.log1p(Foundation.exp(-abs(z)))) / gain
        case .tanh: return (abs(z) + Foundation.log1p(Foundation.exp(-2 * abs(z))) - Foundation.log(2)) / gain
        case .atan:
            let a = Double.pi * gain / 2
            return (2 / Double.pi) * (u * Foundation.atan(a * u) - Foundation.log1p(a * a * u * u) / (2 * a))
        case .exp: return Foundation.exp(z) / gain
        case .identity: return gain * u * u / 2
        }
    }

    /// phi(x) = Int_0^x sigma^{-1} (the Legendre dual of psi), continuous up to the ends of a
    /// bounded range (0 log 0 = 0); +infinity outside the closed range.
    public func dual(_ x: Double) -> Double {
        func xlogx(_ t: Double) -> Double { t == 0 ? 0 : t * Foundation.log(t) }
        switch kind {
        case .logistic:
            guard x >= 0, x <= 1 else { return .infinity }
            return (xlogx(x) + xlogx(1 - x)) / gain
        case .tanh:
            guard x >= -1, x <= 1 else { return .infinity }
            return (xlogx(1 + x) + xlogx(1 - x)) / (2 * gain)
        case .atan:
            guard x > -1, x < 1 else { return .infinity }
            return -4 / (Double.pi * Double.pi * gain) * Foundation.log(Foundation.cos(Double.pi * x / 2))
        case .exp:
            guard x >= 0 else { return .infinity }
            return (xlogx(x) - x) / gain
        case .identity: return x * x / (2 * gain)
        }
    }

    /// phi(sigma(u)), computed from the state u: equal to ``dual(_:)`` at x = sigma(u) but accurate
    /// where sigma saturates and x rounds onto a face of the box (logistic at u = 49 has
    /// 1 - x = 5e-22). The ends enter through their own exact forms, e.g. for the logistic
    /// log x = -softplus(-z) and log(1 - x) = -softplus(z), z = gain u; for tanh 1 -+ x = 2 sigma(-+2z);
    /// for atan cos(pi x/2) = 1/sqrt(1 + a^2 u^2).
    public func dual(state u: Double) -> Double {
        let z = gain * u
        func softplus(_ t: Double) -> Double { Swift.max(t, 0) + Foundation.log1p(Foundation.exp(-abs(t))) }
        func logistic(_ t: Double) -> Double { t >= 0 ? 1 / (1 + Foundation.exp(-t)) : Foundation.exp(t) / (1 + Foundation.exp(t)) }
        switch kind {
        case .logistic:
            return (-logistic(z) * softplus(-z) - logistic(-z) * softplus(z)) / gain
        case .tanh:
            let log2 = Foundation.log(2.0)
            let upper = 2 * logistic(2 * z), lower = 2 * logistic(-2 * z)  // 1 + x, 1 - x
            return (upper * (log2 - softplus(-2 * z)) + lower * (log2 - softplus(2 * z))) / (2 * gain)
        case .atan:
            let au = abs(Double.pi * z / 2)
            let log = au < 1e150 ? Foundation.log1p(au * au) : 2 * Foundation.log(au) + Foundation.log1p(1 / (au * au))
            return 2 / (Double.pi * Double.pi * gain) * log
        case .exp: return Foundation.exp(z) * (z - 1) / gain
        case .identity: return gain * u * u / 2
        }
    }

    /// Theta(x) = Int dx/sqrt(sigma'), the flat (geodesic) chart of a unit with C = 1.
    public func chart(_ x: Double) -> Double {
        let s = gain.squareRoot()
        switch kind {
        case .logistic: return 2 / s * Foundation.asin(Swift.min(Swift.max(x, 0), 1).squareRoot())
        case .tanh: return Foundation.asin(Swift.min(Swift.max(x, -1), 1)) / s
        case .atan: return 2 / (Double.pi * s) * Foundation.atanh(Foundation.sin(Double.pi * x / 2))
        case .exp: return 2 * (Swift.max(x, 0) / gain).squareRoot()
        case .identity: return x / s
        }
    }

    /// x = Theta^{-1}(theta).
    public func chartInverse(_ theta: Double) -> Double {
        let s = gain.squareRoot()
        switch kind {
        case .logistic:
            let r = Foundation.sin(theta * s / 2)
            return r * r
        case .tanh: return Foundation.sin(theta * s)
        case .atan: return 2 / Double.pi * Foundation.asin(Foundation.tanh(Double.pi * s * theta / 2))
        case .exp: return gain * theta * theta / 4
        case .identity: return s * theta
        }
    }

    /// Whether x lies strictly inside ``range``.
    public func contains(_ x: Double) -> Bool { x > range.lower && x < range.upper }
}
