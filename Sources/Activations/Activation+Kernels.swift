import Foundation

/// One activation's derivatives as a method of a small value, so that quadrature loops written
/// generically over a kernel are specialised and a built-in's evaluation inlines into them (one
/// switch per loop instead of one per node). Families and formulas share ``FormulaKernel``.
@usableFromInline package protocol ActivationKernel {
    func derivatives(_ u: Double) -> Activation.Derivatives
    /// phi...phi^(degree) (the rest unspecified), for loops that need fewer than four
    /// derivatives: a formula then runs Taylor mode at that degree.
    func derivatives(_ u: Double, upTo degree: Int) -> Activation.Derivatives
}

extension ActivationKernel {
    @inlinable @inline(__always) package func derivatives(_ u: Double, upTo degree: Int) -> Activation.Derivatives {
        derivatives(u)
    }

    /// (phi, phi') alone.
    @inlinable @inline(__always) package func valueAndSlope(_ u: Double) -> (Double, Double) {
        let d = derivatives(u, upTo: 1)
        return (d.d0, d.d1)
    }
}

/// A loop body generic over the kernel; ``Activation/withKernel(_:)`` picks the kernel once.
@usableFromInline package protocol KernelBody {
    associatedtype Output
    func run<K: ActivationKernel>(_ kernel: K) -> Output
}

struct EvaluateValueAndSlope: KernelBody {
    let u: Double
    @inline(__always) func run<K: ActivationKernel>(_ kernel: K) -> (Double, Double) { kernel.valueAndSlope(u) }
}

struct Evaluate: KernelBody {
    let u: Double
    @inline(__always) func run<K: ActivationKernel>(_ kernel: K) -> Activation.Derivatives { kernel.derivatives(u) }
}

extension Activation {
    @inline(__always)
    @inlinable package func withKernel<B: KernelBody>(_ body: B) -> B.Output {
        switch storage {
        case .builtin(.linear): body.run(LinearKernel())
        case .builtin(.relu): body.run(ReluKernel())
        case .builtin(.hardTanh): body.run(HardTanhKernel())
        case .builtin(.erf): body.run(ErfKernel())
        case .builtin(.tanh): body.run(TanhKernel())
        case .builtin(.sigmoid): body.run(SigmoidKernel())
        case .builtin(.softplus): body.run(SoftplusKernel())
        case .builtin(.swish): body.run(SwishKernel())
        case .builtin(.gelu): body.run(GeluKernel())
        case .builtin(.sin): body.run(SinKernel())
        case .custom(let custom): body.run(FormulaKernel(formula: custom.formula))
        }
    }
}

@usableFromInline struct LinearKernel: ActivationKernel {
    @inlinable @inline(__always) init() {}
    @inlinable @inline(__always) func derivatives(_ u: Double) -> Activation.Derivatives { .init(u, 1, 0, 0, 0) }
}

@usableFromInline struct ReluKernel: ActivationKernel {
    @inlinable @inline(__always) init() {}
    @inlinable @inline(__always) func derivatives(_ u: Double) -> Activation.Derivatives {
        u > 0 ? .init(u, 1, 0, 0, 0) : .init(0, 0, 0, 0, 0)
    }
}

@usableFromInline struct HardTanhKernel: ActivationKernel {
    @inlinable @inline(__always) init() {}
    @inlinable @inline(__always) func derivatives(_ u: Double) -> Activation.Derivatives {
        if u > 1 { return .init(1, 0, 0, 0, 0) }
        if u < -1 { return .init(-1, 0, 0, 0, 0) }
        return .init(u, 1, 0, 0, 0)
    }
}

/// erf: phi' = (2/sqrt(pi)) e^{-u^2}; phi'' = -2u phi'; phi''' = (4u^2 - 2) phi'; phi'''' = (12u - 8u^3) phi'.
@usableFromInline struct ErfKernel: ActivationKernel {
    @inlinable @inline(__always) init() {}
    @inlinable @inline(__always) func derivatives(_ u: Double) -> Activation.Derivatives {
        let d1 = 1.1283791670955126 * Foundation.exp(-u * u)
        let u2 = u * u
        return .init(Foundation.erf(u), d1, -2 * u * d1, (4 * u2 - 2) * d1, (12 * u - 8 * u2 * u) * d1)
    }
}

/// tanh: phi' = 1 - t^2; phi'' = -2t(1 - t^2); phi''' = -2(1 - t^2)(1 - 3t^2);
/// phi'''' = 8t(1 - t^2)(2 - 3t^2). With e = e^{-2|u|} and m = e - 1: tanh|u| = -m/(2 + m),
/// sech^2 u = 4e/(2 + m)^2. One transcendental call: expm1 for |u| < 1/2 (where 1 - e would
/// cancel), exp beyond (where 1 + expm1 would lose e entirely).
@usableFromInline struct TanhKernel: ActivationKernel {
    @inlinable @inline(__always) init() {}
    @inlinable @inline(__always) func derivatives(_ u: Double) -> Activation.Derivatives {
        let a = -2 * Swift.abs(u)
        let m: Double, e: Double
        if a > -1 {
            m = Foundation.expm1(a)
            e = 1 + m
        } else {
            e = Foundation.exp(a)
            m = e - 1
        }
        let r = 1 / (2 + m)
        let t = u < 0 ? m * r : -m * r
        let t2 = t * t
        let s = 4 * e * r * r
        return .init(t, s, -2 * t * s, -2 * s * (1 - 3 * t2), 8 * t * s * (2 - 3 * t2))
    }
}

/// The logistic s = 1/(1 + e^{-u}) with s and 1 - s from one exponential;
/// s' = s(1-s), s'' = s'(1-2s), s''' = s'(1 - 6s'), s'''' = s'(1-2s)(1 - 12s').
@usableFromInline struct SigmoidKernel: ActivationKernel {
    @inlinable @inline(__always) init() {}
    @inlinable @inline(__always) func derivatives(_ u: Double) -> Activation.Derivatives {
        let e = Foundation.exp(-Swift.abs(u))
        let big = 1 / (1 + e), small = e * big
        let (s, sc) = u >= 0 ? (big, small) : (small, big)
        let d1 = s * sc
        let skew = sc - s
        return .init(s, d1, d1 * skew, d1 * (1 - 6 * d1), d1 * skew * (1 - 12 * d1))
    }
}

/// softplus log(1 + e^u) = max(u, 0) + log1p(e^{-|u|}); its derivatives are the logistic's.
@usableFromInline struct SoftplusKernel: ActivationKernel {
    @inlinable @inline(__always) init() {}
    @inlinable @inline(__always) func derivatives(_ u: Double) -> Activation.Derivatives {
        let l = SigmoidKernel().derivatives(u)
        let e = Foundation.exp(-Swift.abs(u))
        return .init(Swift.max(u, 0) + Foundation.log1p(e), l.d0, l.d1, l.d2, l.d3)
    }
}

/// swish / SiLU u s(u): (u s)^(k) = k s^(k-1) + u s^(k).
@usableFromInline struct SwishKernel: ActivationKernel {
    @inlinable @inline(__always) init() {}
    @inlinable @inline(__always) func derivatives(_ u: Double) -> Activation.Derivatives {
        let l = SigmoidKernel().derivatives(u)
        return .init(u * l.d0, l.d0 + u * l.d1, 2 * l.d1 + u * l.d2, 3 * l.d2 + u * l.d3, 4 * l.d3 + u * l.d4)
    }
}

/// gelu u Phi(u), n the standard normal density: phi' = Phi + u n; phi'' = n(2 - u^2);
/// phi''' = n(u^3 - 4u); phi'''' = n(-u^4 + 7u^2 - 4).
@usableFromInline struct GeluKernel: ActivationKernel {
    @inlinable @inline(__always) init() {}
    @inlinable @inline(__always) func derivatives(_ u: Double) -> Activation.Derivatives {
        let n = 0.3989422804014327 * Foundation.exp(-0.5 * u * u)
        let cdf = 0.5 * Foundation.erfc(-u * 0.7071067811865476)
        let u2 = u * u
        return .init(u * cdf, cdf + u * n, n * (2 - u2), n * (u2 * u - 4 * u), n * (7 * u2 - u2 * u2 - 4))
    }
}

/// A family's or formula's derivatives by Taylor mode on its tape.
@usableFromInline struct FormulaKernel: ActivationKernel {
    @usableFromInline let formula: Formula
    @usableFromInline init(formula: Formula) { self.formula = formula }
    @usableFromInline func derivatives(_ u: Double) -> Activation.Derivatives { formula.derivatives(at: u) }
    @usableFromInline func derivatives(_ u: Double, upTo degree: Int) -> Activation.Derivatives {
        guard degree <= 1 else { return formula.derivatives(at: u) }
        let (value, slope) = formula.valueAndSlope(at: u)
        return .init(value, slope, 0, 0, 0)
    }
}

@usableFromInline struct SinKernel: ActivationKernel {
    @inlinable @inline(__always) init() {}
    @inlinable @inline(__always) func derivatives(_ u: Double) -> Activation.Derivatives {
        let s = Foundation.sin(u), c = Foundation.cos(u)
        return .init(s, c, -s, -c, s)
    }
}

extension Activation {
    /// phi(z) and phi'(z) for every entry of `z`, with one dispatch on the activation for the
    /// whole buffer (the loop specialised to its kernel): the hot loop of residual fields.
    public func valuesAndSlopes(_ z: UnsafeBufferPointer<Double>, values: UnsafeMutableBufferPointer<Double>,
                                slopes: UnsafeMutableBufferPointer<Double>) {
        withKernel(ValuesAndSlopes(z: z, values: values, slopes: slopes))
    }
}

struct ValuesAndSlopes: KernelBody {
    let z: UnsafeBufferPointer<Double>
    let values: UnsafeMutableBufferPointer<Double>
    let slopes: UnsafeMutableBufferPointer<Double>

    @inline(__always)
    func run<K: ActivationKernel>(_ kernel: K) {
        for k in 0..<z.count {
            (values[k], slopes[k]) = kernel.valueAndSlope(z[k])
        }
    }
}
