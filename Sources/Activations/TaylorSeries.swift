import Foundation

/// A truncated Taylor series u(x0 + t) = c0 + c1 t + c2 t^2 + c3 t^3 + c4 t^4 + O(t^5): the
/// value type of Taylor-mode automatic differentiation to fourth order.
///
/// Coefficients are normalised, c_k = u^(k)(x0)/k!. Every elementary function propagates them
/// by the recurrences of Griewank & Walther, "Evaluating Derivatives" (2008), section 13.2
/// (products by convolution; exp, log, sqrt, powers and the functions with w' = g(w) u' from
/// k w_k = sum_{j=1}^k j u_j g_{k-j}), so that derivatives are exact to rounding: no finite
/// differences, no symbolic blow-up.
public struct TaylorSeries: Sendable, Equatable {
    /// c0...c4 in lanes 0...4 (lanes 5...7 unused, zero).
    public var coefficients: SIMD8<Double>


    @inlinable public init(_ coefficients: SIMD8<Double>) { self.coefficients = coefficients }

    /// A constant: every derivative 0.
    @inlinable public init(constant: Double) {
        coefficients = .zero
        coefficients[0] = constant
    }

    /// The independent variable at x0: x0 + t.
    @inlinable public init(variable x0: Double) {
        coefficients = .zero
        coefficients[0] = x0
        coefficients[1] = 1
    }

    @inlinable public subscript(k: Int) -> Double {
        get { coefficients[k] }
        set { coefficients[k] = newValue }
    }

    public static var order: Int { 4 }

    @inlinable public var value: Double { coefficients[0] }

    /// (u, u', u'', u''', u'''') = k! c_k.
    @inlinable public var derivatives: Activation.Derivatives {
        .init(coefficients[0], coefficients[1], 2 * coefficients[2], 6 * coefficients[3], 24 * coefficients[4])
    }

    @inlinable public static func + (a: Self, b: Self) -> Self { Self(a.coefficients + b.coefficients) }
    @inlinable public static func - (a: Self, b: Self) -> Self { Self(a.coefficients - b.coefficients) }
    @inlinable public static prefix func - (a: Self) -> Self { Self(-a.coefficients) }
    @inlinable public static func * (a: Double, b: Self) -> Self { Self(a * b.coefficients) }

    /// w_k = sum_{j=0}^k u_j v_{k-j}.
    @inlinable public static func * (a: Self, b: Self) -> Self {
        var w = Self(constant: 0)
        for k in 0...order {
            var sum = 0.0
            for j in 0...k { sum += a[j] * b[k - j] }
            w[k] = sum
        }
        return w
    }

    /// w_k = (u_k - sum_{j=0}^{k-1} w_j v_{k-j}) / v_0.
    @inlinable public static func / (a: Self, b: Self) -> Self {
        var w = Self(constant: 0)
        for k in 0...order {
            var sum = a[k]
            for j in 0..<k { sum -= w[j] * b[k - j] }
            w[k] = sum / b[0]
        }
        return w
    }

    /// The series of w with w' = g u', given w0 and a function producing g's coefficient k from
    /// w's coefficients 0...k (g a function of w alone, as for tanh, the logistic and exp):
    /// k w_k = sum_{j=1}^k j u_j g_{k-j}.
    @inlinable func integrating(value w0: Double, slope g0: Double,
                                slopeCoefficient: (Self, Int) -> Double) -> Self {
        var w = Self(constant: w0), g = Self(constant: g0)
        for k in 1...Self.order {
            var sum = 0.0
            for j in 1...k { sum += Double(j) * self[j] * g[k - j] }
            w[k] = sum / Double(k)
            g[k] = slopeCoefficient(w, k)
        }
        return w
    }

    /// The series of w with w' = g u' for a series g known in advance (erf, softplus, sin).
    @inlinable func integrating(value w0: Double, slope g: Self) -> Self {
        var w = Self(constant: w0)
        for k in 1...Self.order {
            var sum = 0.0
            for j in 1...k { sum += Double(j) * self[j] * g[k - j] }
            w[k] = sum / Double(k)
        }
        return w
    }

    /// The coefficient k of w^2 from w's coefficients 0...k.
    @inlinable static func squareCoefficient(_ w: Self, _ k: Int) -> Double {
        var sum = 0.0
        for i in 0...k { sum += w[i] * w[k - i] }
        return sum
    }
}

extension TaylorSeries {
    /// e^u: w' = w u'.
    public var exp: Self {
        let w0 = Foundation.exp(self[0])
        return integrating(value: w0, slope: w0) { w, k in w[k] }
    }

    /// e^u - 1 with c0 from expm1 (no cancellation near u = 0).
    public var expm1: Self {
        var w = exp
        w[0] = Foundation.expm1(self[0])
        return w
    }

    /// log u: w_k = (u_k - (1/k) sum_{j=1}^{k-1} j w_j u_{k-j}) / u_0.
    public var log: Self { logarithm(of: self, value: Foundation.log(self[0])) }

    /// log(1 + u) with c0 from log1p.
    public var log1p: Self {
        var shifted = self
        shifted[0] += 1
        return logarithm(of: shifted, value: Foundation.log1p(self[0]))
    }

    private func logarithm(of u: Self, value: Double) -> Self {
        var w = Self(constant: value)
        for k in 1...Self.order {
            var sum = 0.0
            for j in 1..<k { sum += Double(j) * w[j] * u[k - j] }
            w[k] = (u[k] - sum / Double(k)) / u[0]
        }
        return w
    }

    /// sqrt u: w_k = (u_k - sum_{j=1}^{k-1} w_j w_{k-j}) / (2 w_0).
    public var squareRoot: Self {
        var w = Self(constant: self[0].squareRoot())
        for k in 1...Self.order {
            var sum = self[k]
            for j in 1..<k { sum -= w[j] * w[k - j] }
            w[k] = sum / (2 * w[0])
        }
        return w
    }

    /// u^r for a constant r: integer r by repeated products (any sign of u), otherwise
    /// k u_0 w_k = sum_{j=1}^k ((r + 1) j - k) u_j w_{k-j} (u_0 > 0).
    public func power(_ r: Double) -> Self {
        if let integer = integerPower(r) { return integer }
        var w = Self(constant: Foundation.pow(self[0], r))
        for k in 1...Self.order {
            var sum = 0.0
            for j in 1...k { sum += ((r + 1) * Double(j) - Double(k)) * self[j] * w[k - j] }
            w[k] = sum / (Double(k) * self[0])
        }
        return w
    }

    /// sin u and cos u together: s' = c u', c' = -s u'.
    public var sinAndCos: (sin: Self, cos: Self) {
        var s = Self(constant: Foundation.sin(self[0])), c = Self(constant: Foundation.cos(self[0]))
        for k in 1...Self.order {
            var sumS = 0.0, sumC = 0.0
            for j in 1...k {
                sumS += Double(j) * self[j] * c[k - j]
                sumC += Double(j) * self[j] * s[k - j]
            }
            s[k] = sumS / Double(k)
            c[k] = -sumC / Double(k)
        }
        return (s, c)
    }

    /// tanh u: w' = (1 - w^2) u', with 1 - w^2 at x0 from the built-in tanh's sech^2 (no
    /// cancellation at large |u|).
    public var tanh: Self {
        let d = TanhKernel().derivatives(self[0])
        return integrating(value: d.d0, slope: d.d1) { w, k in -Self.squareCoefficient(w, k) }
    }

    /// The logistic 1/(1 + e^{-u}): w' = w(1 - w) u'.
    public var sigmoid: Self {
        let d = SigmoidKernel().derivatives(self[0])
        return integrating(value: d.d0, slope: d.d1) { w, k in w[k] - Self.squareCoefficient(w, k) }
    }

    /// softplus log(1 + e^u): w' = sigmoid(u) u'.
    public var softplus: Self {
        integrating(value: SoftplusKernel().derivatives(self[0]).d0, slope: sigmoid)
    }

    /// erf u: w' = (2/sqrt(pi)) e^{-u^2} u'.
    public var erf: Self {
        let gaussian = 1.1283791670955126 * (-(self * self)).exp
        return integrating(value: Foundation.erf(self[0]), slope: gaussian)
    }
}

/// The numbers a formula's tape is evaluated in: ``TaylorSeries`` for all four derivatives,
/// ``DualNumber`` for phi and phi' alone (the loops of E[phi phi] and E[phi' phi'], five times
/// cheaper). One evaluator (``Formula``) serves both.
public protocol FormulaNumber: Sendable {
    init(constant: Double)
    init(variable x0: Double)
    /// Coefficient k of the Taylor series (u^(k)/k!), k = 0...order.
    subscript(k: Int) -> Double { get }
    static var order: Int { get }
    static func + (a: Self, b: Self) -> Self
    static func - (a: Self, b: Self) -> Self
    static prefix func - (a: Self) -> Self
    static func * (a: Self, b: Self) -> Self
    static func / (a: Self, b: Self) -> Self
    var exp: Self { get }
    var expm1: Self { get }
    var log: Self { get }
    var log1p: Self { get }
    var squareRoot: Self { get }
    func power(_ r: Double) -> Self
    var sinAndCos: (sin: Self, cos: Self) { get }
    var tanh: Self { get }
    var sigmoid: Self { get }
    var softplus: Self { get }
    var erf: Self { get }
}

extension TaylorSeries: FormulaNumber {}

/// u + u' t: first-order forward mode.
public struct DualNumber: FormulaNumber, Equatable {
    public var value: Double
    public var slope: Double

    @inlinable public init(_ value: Double, _ slope: Double) { (self.value, self.slope) = (value, slope) }
    @inlinable public init(constant: Double) { self.init(constant, 0) }
    @inlinable public init(variable x0: Double) { self.init(x0, 1) }
    @inlinable public subscript(k: Int) -> Double { k == 0 ? value : slope }
    public static var order: Int { 1 }

    @inlinable public static func + (a: Self, b: Self) -> Self { Self(a.value + b.value, a.slope + b.slope) }
    @inlinable public static func - (a: Self, b: Self) -> Self { Self(a.value - b.value, a.slope - b.slope) }
    @inlinable public static prefix func - (a: Self) -> Self { Self(-a.value, -a.slope) }
    @inlinable public static func * (a: Self, b: Self) -> Self { Self(a.value * b.value, a.slope * b.value + a.value * b.slope) }
    @inlinable public static func / (a: Self, b: Self) -> Self {
        let w = a.value / b.value
        return Self(w, (a.slope - w * b.slope) / b.value)
    }
    public var exp: Self { let e = Foundation.exp(value); return Self(e, e * slope) }
    public var expm1: Self { Self(Foundation.expm1(value), Foundation.exp(value) * slope) }
    public var log: Self { Self(Foundation.log(value), slope / value) }
    public var log1p: Self { Self(Foundation.log1p(value), slope / (1 + value)) }
    public var squareRoot: Self { let r = value.squareRoot(); return Self(r, slope / (2 * r)) }
    public func power(_ r: Double) -> Self {
        if let integer = integerPower(r) { return integer }
        let w = Foundation.pow(value, r)
        return Self(w, r * w / value * slope)
    }
    public var sinAndCos: (sin: Self, cos: Self) {
        let s = Foundation.sin(value), c = Foundation.cos(value)
        return (Self(s, c * slope), Self(c, -s * slope))
    }
    public var tanh: Self { let d = TanhKernel().derivatives(value); return Self(d.d0, d.d1 * slope) }
    public var sigmoid: Self { let d = SigmoidKernel().derivatives(value); return Self(d.d0, d.d1 * slope) }
    public var softplus: Self { let d = SoftplusKernel().derivatives(value); return Self(d.d0, d.d1 * slope) }
    public var erf: Self {
        Self(Foundation.erf(value), 1.1283791670955126 * Foundation.exp(-value * value) * slope)
    }
}

extension FormulaNumber {
    /// u^r for a whole r with |r| <= 64 by repeated squaring (exact for any sign of u); nil otherwise.
    func integerPower(_ r: Double) -> Self? {
        guard r == r.rounded(), Swift.abs(r) <= 64 else { return nil }
        var result = Self(constant: 1), base = self, n = Int(Swift.abs(r))
        while n > 0 {
            if n & 1 == 1 { result = result * base }
            base = base * base
            n >>= 1
        }
        return r < 0 ? Self(constant: 1) / result : result
    }
}
