import Activations
import GSLKit

/// The residual vector field f(x) = W2 phi(W1 x + b1) + b2 (<doc:CirclesAnode3>), time-independent,
/// applied to a whole batch at once: X is B x d row-major (one state per row), so the batch is one
/// coupled ODE of dimension B d. The products (d = 3 inputs, hidden = 32) are the C kernels of
/// ``Perceptron`` (below where dgemm pays); phi is any MeanField activation.
public struct MLPField: ResidualField {
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

    }

    public var parameters: Parameters
    public let activation: Activation

    public init(parameters: Parameters, activation: Activation = .tanh) {
        self.parameters = parameters
        self.activation = activation
    }

    var d: Int { parameters.dimension }
    var hidden: Int { parameters.hidden }

    /// X with phi(Z) and phi'(Z) of Z = X W1^T + b1 (B x hidden).
    public struct Saved: Sendable {
        var input: [Double]
        var hidden: [Double]
        var slopes: [Double]
    }

    public var dimension: Int { d }
    public var parameterVector: [Double] { parameters.flat }
    /// X, phi(Z) and phi'(Z).
    public func savedCount(batch: Int) -> Int { batch * (d + 2 * hidden) }

    /// F = f(X) (the field is time-independent) with phi(Z) and phi'(Z) kept for the vector-Jacobian product.
    /// Each call allocates its B x hidden buffers: in a loop of many calls, run
    /// `Memory.keepLargeBlocksOnTheHeap()` once at the program's start (the neurodyn executable does), or
    /// every 256 kB buffer is a fresh mmap and the call takes three times as long.
    public func evaluate(_ x: [Double], time _: Double = 0, batch b: Int) -> (value: [Double], saved: Saved) {
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
        return (f, Saved(input: x, hidden: t, slopes: slopes))
    }

    /// Jacobian-vector products at X: (df/dx) v = W2 (phi'(Z) * (W1 v)) per state (B x d).
    public func pushforward(_ x: [Double], time t: Double = 0, tangent v: [Double], batch b: Int) -> [Double] {
        let slopes = evaluate(x, time: t, batch: b).saved.slopes
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

    /// With G = (P W2) * phi'(Z): X_bar = G W1, and into `gradient` (W1, b1, W2, b2 flattened)
    /// dW1 = G^T X, db1 = sum G, dW2 = P^T phi(Z), db2 = sum P, scaled.
    public func pullback(_ saved: Saved, cotangent p: [Double], batch b: Int, scale: Double = 1, gradient: inout [Double]) -> [Double] {
        precondition(gradient.count == parameters.count)
        return saved.input.withUnsafeBufferPointer { x in
            saved.hidden.withUnsafeBufferPointer { t in
                saved.slopes.withUnsafeBufferPointer { s in
                    p.withUnsafeBufferPointer { p in
                        gradient.withUnsafeMutableBufferPointer {
                            Perceptron.pullback(x, hidden: t, slopes: s, cotangent: p, batch: b, dimension: d, w1: parameters.w1,
                                                w2: parameters.w2, scale: scale, gradient: $0)
                        }
                    }
                }
            }
        }
    }

    /// J(x) = W2 diag(phi'(W1 x + b1)) W1 at one state (d x d, row-major).
    public func jacobian(at x: [Double], time t: Double = 0) -> [Double] {
        let slopes = evaluate(x, time: t, batch: 1).saved.slopes
        var j = [Double](repeating: 0, count: d * d)
        for a in 0..<d {
            for b in 0..<d {
                var s = 0.0
                for k in 0..<hidden { s += parameters.w2[a * hidden + k] * slopes[k] * parameters.w1[k * d + b] }
                j[a * d + b] = s
            }
        }
        return j
    }
}
