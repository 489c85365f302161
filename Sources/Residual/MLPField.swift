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

    /// F = f(X) and, per hidden unit of each state, phi(Z) and phi'(Z) of Z = X W1^T + b1
    /// (B x hidden), kept for the vector-Jacobian product at the same X.
    func evaluate(_ x: [Double], batch b: Int) -> (value: [Double], hidden: [Double], slopes: [Double]) {
        // Buffers are created uninitialised and filled once; phi(Z) overwrites Z in place.
        let count = b * hidden
        var slopes: [Double] = []
        let t = [Double](unsafeUninitializedCapacity: count) { values, initialised in
            x.withUnsafeBufferPointer { Perceptron.affine($0, batch: b, w1: parameters.w1, b1: parameters.b1, into: values) }
            slopes = [Double](unsafeUninitializedCapacity: count) { slopeBuffer, filled in
                let z = UnsafeBufferPointer(values)
                if activation == .tanh { VectorMath.tanhAndSlope(z, values: values, slopes: slopeBuffer) }
                else { activation.valuesAndSlopes(z, values: values, slopes: slopeBuffer) }
                filled = count
            }
            initialised = count
        }
        let f = [Double](unsafeUninitializedCapacity: b * d) { f, initialised in
            t.withUnsafeBufferPointer { Perceptron.linear($0, batch: b, w2: parameters.w2, b2: parameters.b2, into: f) }
            initialised = b * d
        }
        return (f, t, slopes)
    }

    /// Jacobian-vector products at X: (df/dx) v = W2 (phi'(Z) * (W1 v)) per state (B x d).
    public func pushforward(_ x: [Double], tangent v: [Double], batch b: Int) -> [Double] {
        let slopes = evaluate(x, batch: b).slopes
        var u = [Double](repeating: 0, count: b * hidden)
        u.withUnsafeMutableBufferPointer { u in
            v.withUnsafeBufferPointer { Perceptron.affine($0, batch: b, w1: parameters.w1, b1: [Double](repeating: 0, count: hidden), into: u) }
            for k in 0..<u.count { u[k] *= slopes[k] }
        }
        var out = [Double](repeating: 0, count: b * d)
        out.withUnsafeMutableBufferPointer { out in
            u.withUnsafeBufferPointer { Perceptron.linear($0, batch: b, w2: parameters.w2, b2: [Double](repeating: 0, count: d), into: out) }
        }
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
        x.withUnsafeBufferPointer { x in
            t.withUnsafeBufferPointer { t in
                slopes.withUnsafeBufferPointer { s in
                    p.withUnsafeBufferPointer { p in
                        Perceptron.pullback(x, hidden: t, slopes: s, cotangent: p, batch: b, w1: parameters.w1, w2: parameters.w2, scale: scale,
                                            dW1: &gradient.w1, db1: &gradient.b1, dW2: &gradient.w2, db2: &gradient.b2)
                    }
                }
            }
        }
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
