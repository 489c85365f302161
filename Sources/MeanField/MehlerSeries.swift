import Activations
import Foundation

/// The Hermite (Mehler) expansion of the equal-variance correlation integral:
/// G(c) = E[phi(u1) phi(u2)] = sum_n b_n c^n with b_n = E[phi(sqrt(q) z) h_n(z)]^2, where h_n are
/// the orthonormal probabilists' Hermite polynomials (h_n = He_n / sqrt(n!)) and (u1, u2) have
/// variance q and correlation c. G'(c) = sum_n n b_n c^{n-1} = q E[phi'(u1) phi'(u2)].
///
/// Parseval gives a rigorous tail bound: with R0 = E[phi^2] - sum_{n<=N} b_n and
/// R1 = q E[phi'^2] - sum_{n<=N} n b_n (both exact 1-D moments), for |c| < 1
/// |G - G_N| <= |c|^{N+1} R0 and |G' - G'_N| <= |c|^N R1. A negative residual beyond rounding
/// reveals a quadrature error in the coefficients.
public struct MehlerSeries: Sendable {
    public let q: Double
    /// b_n, n = 0...N.
    public let coefficients: [Double]
    /// a_n = E[phi(sqrt(q) z) h_n(z)], n = 0...N (b_n = a_n^2): with them, E[phi(u) phi(v)] for
    /// unequal variances is sum_n a_n(q1) a_n(q2) c^n (``DatasetKernels``).
    public let projections: [Double]
    /// R0 and R1 above.
    public let residual: Double
    public let derivativeResidual: Double
    /// E[phi^2] = G(1), the scale of the residuals.
    public let secondMoment: Double

    public var order: Int { coefficients.count - 1 }

    /// Projects phi(sqrt(q) z) on h_0...h_order with the integrator's composite rule (symmetric
    /// in z, so only z >= 0 is visited with phi split in even and odd parts), refined so that
    /// every panel resolves the oscillations of h_order.
    public init(integrator: GaussianIntegrator, q: Double, order: Int, moments: LengthMoments) {
        self.q = q
        var options = integrator.options
        options.tail = Swift.max(options.tail, 12.5)  // h_n(z) e^{-z^2/2} decays only like e^{-z^2/4}
        let panel = Swift.min(options.gaussianPanel, 6.5 / Double(order).squareRoot())
        integrator.hermiteRule.build(mean: 0, sd: q.squareRoot(), profile: integrator.activation.quadratureProfile,
                                     options: options, maxStandardPanel: panel)
        let rule = integrator.hermiteRule
        let (y, even, odd) = rule.nodes.withUnsafeBufferPointer { nodes in
            rule.standardNodes.withUnsafeBufferPointer { standard in
                rule.weights.withUnsafeBufferPointer { weights in
                    integrator.activation.withKernel(ParityLoop(nodes: nodes, standardNodes: standard, weights: weights,
                                                                isOdd: integrator.activation.isOdd))
                }
            }
        }
        // Four nodes a lane; padding lanes carry zero weight.
        let lanes = (y.count + 3) / 4
        func pack(_ values: [Double]) -> [SIMD4<Double>] {
            var packed = [SIMD4<Double>](repeating: .zero, count: lanes)
            for (i, value) in values.enumerated() { packed[i >> 2][i & 3] = value }
            return packed
        }
        let y4 = pack(y), even4 = pack(even), odd4 = pack(odd)
        var h = [SIMD4<Double>](repeating: SIMD4(repeating: 1), count: lanes)
        var hPrevious = [SIMD4<Double>](repeating: .zero, count: lanes)
        var b = [Double](repeating: 0, count: order + 1), a = b
        y4.withUnsafeBufferPointer { y in
            even4.withUnsafeBufferPointer { even in
                odd4.withUnsafeBufferPointer { odd in
                    h.withUnsafeMutableBufferPointer { h in
                        hPrevious.withUnsafeMutableBufferPointer { hPrevious in
                            for n in 0...order {
                                // b_n = (sum_i w_i phi_i h_n(y_i))^2; h_{n+1} = (y h_n - sqrt(n) h_{n-1}) / sqrt(n+1).
                                let down = Double(n).squareRoot(), up = 1 / Double(n + 1).squareRoot()
                                let weights = n % 2 == 0 ? even : odd
                                var sum = SIMD4<Double>.zero
                                for k in 0..<lanes {
                                    let current = h[k]
                                    sum += weights[k] * current
                                    h[k] = (y[k] * current - down * hPrevious[k]) * up
                                    hPrevious[k] = current
                                }
                                let projection = sum.sum()
                                a[n] = projection
                                b[n] = projection * projection
                            }
                        }
                    }
                }
            }
        }
        coefficients = b
        projections = a
        var sum = 0.0, weightedSum = 0.0
        for n in stride(from: order, through: 0, by: -1) {
            sum += b[n]
            weightedSum += Double(n) * b[n]
        }
        secondMoment = moments.phi2
        residual = moments.phi2 - sum
        derivativeResidual = q * moments.dphi2 - weightedSum
    }

    /// (G(c), G'(c)) from the truncated series, by Horner's rule.
    @inline(__always)
    public func evaluate(_ c: Double) -> (value: Double, derivative: Double) {
        var value = 0.0, derivative = 0.0
        let n = coefficients.count
        for k in stride(from: n - 1, through: 0, by: -1) {
            derivative = derivative * c + value
            value = value * c + coefficients[k]
        }
        return (value, derivative)
    }

    /// (G(1) - G(1 - delta), G'(1 - delta)) without cancellation:
    /// G(1) - G(c) = sum_{n<=N} b_n (1 - c^n) + R0 - sum_{n>N} b_n c^n, with
    /// 1 - c^n = -expm1(n log1p(-delta)); the last sum lies in [0, c^{N+1} R0] (the value part of
    /// ``truncationBound(at:)``) and is dropped. R0 enters only above 1e-13 E[phi^2]: below, it is
    /// the ~1e-15 disagreement of two quadrature rules, not a tail. Near c = 1 this keeps the
    /// relative accuracy of delta that the difference G(1) - G(c) loses.
    public func deficit(delta: Double) -> (value: Double, derivative: Double) {
        let logC = Foundation.log1p(-delta)
        var value = residual > 1e-13 * secondMoment ? residual : 0, derivative = 0.0
        for n in 1..<coefficients.count {
            let k = Double(n)
            value -= coefficients[n] * Foundation.expm1(k * logC)
            derivative += k * coefficients[n] * Foundation.exp((k - 1) * logC)
        }
        return (value, derivative)
    }

    /// Rigorous bounds on the truncation errors of ``evaluate(_:)`` at c.
    public func truncationBound(at c: Double) -> (value: Double, derivative: Double) {
        let a = Swift.abs(c)
        let power = Foundation.pow(a, Double(order))
        return (power * a * Swift.max(residual, 0), power * Swift.max(derivativeResidual, 0))
    }
}
