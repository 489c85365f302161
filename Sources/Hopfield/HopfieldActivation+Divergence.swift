import Foundation

extension HopfieldActivation {
    /// The Bregman divergence of the dual potential, D(x, d) = phi(x + d) - phi(x) - phi'(x) d,
    /// computed without the cancellation of its three terms, so that it keeps full relative
    /// accuracy for |d| as small as 1e-150 (the Gibbs density's width at temperature 1e-300);
    /// +infinity where x + d leaves the closed output range. With g(v) = (1 + v) log(1 + v) - v
    /// (the divergence of t log t, summed as its series for |v| <= 0.1):
    ///
    /// - logistic: D = (x g(d/x) + (1 - x) g(-d/(1 - x))) / lambda;
    /// - tanh: D = ((1 + x) g(d/(1 + x)) + (1 - x) g(-d/(1 - x))) / (2 lambda);
    /// - atan, with a = pi x/2, e = pi d/2, t = tan a and h = cos(a + e)/cos(a) - 1
    ///   = -2 sin^2(e/2) - t sin e: D = 4/(pi^2 lambda) (h - log(1 + h) + 2 sin^2(e/2) - t (e - sin e));
    /// - exp: D = x g(d/x) / lambda; identity: D = d^2/(2 lambda).
    ///
    /// `x` must lie strictly inside the range (the centre of a Gibbs window is an interior minimum).
    public func dualDivergence(_ x: Double, _ d: Double) -> Double {
        switch kind {
        case .logistic:
            guard x + d >= 0, x + d <= 1 else { return .infinity }
            return (x * Self.entropyDivergence(d / x) + (1 - x) * Self.entropyDivergence(-d / (1 - x))) / gain
        case .tanh:
            guard x + d >= -1, x + d <= 1 else { return .infinity }
            return ((1 + x) * Self.entropyDivergence(d / (1 + x)) + (1 - x) * Self.entropyDivergence(-d / (1 - x))) / (2 * gain)
        case .atan:
            guard x + d > -1, x + d < 1 else { return .infinity }
            let a = Double.pi * x / 2, e = Double.pi * d / 2
            let t = Foundation.tan(a), half = Foundation.sin(e / 2)
            let h = -2 * half * half - t * Foundation.sin(e)
            return 4 / (Double.pi * Double.pi * gain) * (Self.logDivergence(h) + 2 * half * half - t * Self.sineRemainder(e))
        case .exp:
            guard x + d >= 0 else { return .infinity }
            return x * Self.entropyDivergence(d / x) / gain
        case .identity:
            return d * d / (2 * gain)
        }
    }

    /// g(v) = (1 + v) log(1 + v) - v = sum_{k>=2} (-v)^k / (k (k - 1)), g(-1) = 1.
    static func entropyDivergence(_ v: Double) -> Double {
        if v == -1 { return 1 }
        guard abs(v) <= 0.1 else { return (1 + v) * Foundation.log1p(v) - v }
        return series(v) { Double($0 * ($0 - 1)) }
    }

    /// h - log(1 + h) = sum_{k>=2} (-h)^k / k.
    static func logDivergence(_ h: Double) -> Double {
        guard abs(h) <= 0.1 else { return h - Foundation.log1p(h) }
        return series(h) { Double($0) }
    }

    /// sum_{k>=2} (-v)^k / denominator(k), to full precision for |v| <= 0.1.
    private static func series(_ v: Double, denominator: (Int) -> Double) -> Double {
        var sum = 0.0, power = v * v
        for k in 2...40 {
            let term = power / denominator(k)
            sum += term
            if abs(term) <= 1e-17 * abs(sum) { break }
            power *= -v
        }
        return sum
    }

    /// e - sin e = sum_{k>=1} (-1)^{k+1} e^{2k+1} / (2k+1)!.
    static func sineRemainder(_ e: Double) -> Double {
        guard abs(e) <= 0.5 else { return e - Foundation.sin(e) }
        var sum = 0.0, term = e * e * e / 6
        for k in 1...20 {
            sum += term
            if abs(term) <= 1e-17 * abs(sum) { break }
            term *= -e * e / Double((2 * k + 2) * (2 * k + 3))
        }
        return sum
    }
}
