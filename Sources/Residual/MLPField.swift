import GSLKit
import MeanField

/// The residual vector field f(x) = W2 phi(W1 x + b1) + b2 (DESIGN.md section 4), time-independent,
/// applied to a whole batch at once: X is B x d row-major (one state per row), so the batch is one
/// coupled ODE of dimension B d. Products are dgemm; phi is any MeanField activation.
public struct MLPField: Sendable {
    /// W1 (hidden x d), b1 (hidden), W2 (d x hidden), b2 (d), row-major.
    public struct Parameters: Sendable, Equatable {
        public var w1: [Double], b1: [Double], w2: [Double], b2: [Double]
        public let dimension: Int, hidden: Int

        public init(w1: [Double], b1: [Double], w2: [Double], b2: [Double], dimension: Int, hidden: Int) {
            precondition(w1.count == hidden * dimension && b1.count == hidden && w2.count == dimension * hidden && b2.count == dimension)
            (self.w1, self.b1, self.w2, self.b2, self.dimension, self.hidden) = (w1, b1, w2, b2, dimension, hidden)
        }

        /// W1, b1, W2, b2 flattened in that order.
        public var flat: [Double] { w1 + b1 + w2 + b2 }
        public var count: Int { 2 * hidden * dimension + hidden + dimension }

        /// Zeros of the same shape (gradient accumulators).
        public var zero: Parameters {
            Parameters(w1: .init(repeating: 0, count: w1.count), b1: .init(repeating: 0, count: hidden),
                       w2: .init(repeating: 0, count: w2.count), b2: .init(repeating: 0, count: dimension), dimension: dimension, hidden: hidden)
        }
    }

    public var parameters: Parameters
    public let activation: Activation

    public init(parameters: Parameters, activation: Activation = .tanh) {
        self.parameters = parameters
        self.activation = activation
    }

    var d: Int { parameters.dimension }
    var hidden: Int { parameters.hidden }

    /// F = f(X) for B states (B x d).
    public func callAsFunction(_ x: [Double], batch: Int) -> [Double] { evaluate(x, batch: batch).value }

    /// F = f(X) and, per hidden unit of each state, phi'(Z) of Z = X W1^T + b1 (B x hidden), kept
    /// for the vector-Jacobian product at the same X.
    func evaluate(_ x: [Double], batch b: Int) -> (value: [Double], hidden: [Double], slopes: [Double]) {
        // Buffers are created uninitialised and filled once (zeroing them first was a tenth of a step).
        let count = b * hidden
        var z = Self.rows(b, of: parameters.b1)
        BLAS.gemm(m: b, n: hidden, k: d, a: x, b: parameters.w1, transposeB: true, beta: 1, c: &z)
        var slopes: [Double] = []
        let t = [Double](unsafeUninitializedCapacity: count) { values, initialised in
            slopes = [Double](unsafeUninitializedCapacity: count) { slopeBuffer, filled in
                z.withUnsafeBufferPointer { z in
                    // tanh, the benchmark's activation, through the vectorised loop (half the time of a step otherwise).
                    if activation == .tanh { VectorMath.tanhAndSlope(z, values: values, slopes: slopeBuffer) }
                    else { activation.valuesAndSlopes(z, values: values, slopes: slopeBuffer) }
                }
                filled = count
            }
            initialised = count
        }
        var f = Self.rows(b, of: parameters.b2)
        BLAS.gemm(m: b, n: d, k: hidden, a: t, b: parameters.w2, transposeB: true, beta: 1, c: &f)
        return (f, t, slopes)
    }

    /// `count` copies of `row`, one after the other.
    static func rows(_ count: Int, of row: [Double]) -> [Double] {
        [Double](unsafeUninitializedCapacity: count * row.count) { buffer, initialised in
            row.withUnsafeBufferPointer { row in
                for i in 0..<count { for j in 0..<row.count { buffer[i * row.count + j] = row[j] } }
            }
            initialised = count * row.count
        }
    }

    /// Jacobian-vector products at X: (df/dx) v = W2 (phi'(Z) * (W1 v)) per state (B x d).
    public func pushforward(_ x: [Double], tangent v: [Double], batch b: Int) -> [Double] {
        let slopes = evaluate(x, batch: b).slopes
        var u = [Double](repeating: 0, count: b * hidden)
        BLAS.gemm(m: b, n: hidden, k: d, a: v, b: parameters.w1, transposeB: true, c: &u)
        for k in 0..<u.count { u[k] *= slopes[k] }
        var out = [Double](repeating: 0, count: b * d)
        BLAS.gemm(m: b, n: d, k: hidden, a: u, b: parameters.w2, transposeB: true, c: &out)
        return out
    }

    /// Vector-Jacobian products at X with cotangent P (B x d): returns (df/dx)^T p per state
    /// (B x d) and adds p^T df/dtheta, summed over the batch and scaled by `scale`, to `gradient`.
    /// With G = (P W2) * phi'(Z): X_bar = G W1, dW2 = P^T phi(Z), db2 = sum P, dW1 = G^T X, db1 = sum G.
    public func pullback(_ x: [Double], cotangent p: [Double], batch b: Int, scale: Double = 1,
                         gradient: inout Parameters) -> [Double] {
        let forward = evaluate(x, batch: b)
        return pullback(x, hidden: forward.hidden, slopes: forward.slopes, cotangent: p, batch: b, scale: scale, gradient: &gradient)
    }

    /// ``pullback(_:cotangent:batch:scale:gradient:)`` reusing phi(Z) and phi'(Z) from ``evaluate(_:batch:)`` at the same X.
    func pullback(_ x: [Double], hidden t: [Double], slopes: [Double], cotangent p: [Double], batch b: Int, scale: Double = 1,
                  gradient: inout Parameters) -> [Double] {
        var g = [Double](repeating: 0, count: b * hidden)
        BLAS.gemm(m: b, n: hidden, k: d, a: p, b: parameters.w2, c: &g)
        for k in 0..<g.count { g[k] *= slopes[k] }
        var xBar = [Double](repeating: 0, count: b * d)
        BLAS.gemm(m: b, n: d, k: hidden, a: g, b: parameters.w1, c: &xBar)
        BLAS.gemm(m: d, n: hidden, k: b, alpha: scale, a: p, transposeA: true, b: t, beta: 1, c: &gradient.w2)
        BLAS.gemm(m: hidden, n: d, k: b, alpha: scale, a: g, transposeA: true, b: x, beta: 1, c: &gradient.w1)
        for i in 0..<b {
            for j in 0..<d { gradient.b2[j] += scale * p[i * d + j] }
            for j in 0..<hidden { gradient.b1[j] += scale * g[i * hidden + j] }
        }
        return xBar
    }
}

extension BLAS {
    /// ``gemm(m:n:k:alpha:a:transposeA:b:transposeB:beta:c:)`` on arrays.
    static func gemm(m: Int, n: Int, k: Int, alpha: Double = 1, a: [Double], transposeA: Bool = false,
                     b: [Double], transposeB: Bool = false, beta: Double = 0, c: inout [Double]) {
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    gemm(m: m, n: n, k: k, alpha: alpha, a: a.baseAddress!, transposeA: transposeA, b: b.baseAddress!,
                         transposeB: transposeB, beta: beta, c: c.baseAddress!)
                }
            }
        }
    }
}
