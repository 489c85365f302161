import _CVectorMath

/// The products of a one-hidden-layer perceptron f(x) = W2 phi(W1 x + b1) + b2 over a batch of
/// rows, in C loops vectorised over the hidden index (`Sources/CVectorMath/perceptron.c`): for
/// the skinny shapes of residual fields (d = 3, h = 32) they beat a general matrix product, whose
/// packing and dispatch outweigh the arithmetic. Row-major throughout: x (batch x d), W1 (h x d),
/// W2 (d x h), Z, phi(Z), phi'(Z) (batch x h).
public enum Perceptron {
    /// Z = X W1^T + b1.
    public static func affine(_ x: UnsafeBufferPointer<Double>, batch: Int, w1: [Double], b1: [Double],
                              into z: UnsafeMutableBufferPointer<Double>) {
        let h = b1.count, d = w1.count / max(h, 1)
        precondition(w1.count == h * d && x.count >= batch * d && z.count >= batch * h)
        withUnsafeTemporaryAllocation(of: Double.self, capacity: max(d * h, 1)) { scratch in
            nd_affine_rows(batch, d, h, x.baseAddress, w1, b1, z.baseAddress, scratch.baseAddress)
        }
    }

    /// F = T W2^T + b2 (batch x d).
    public static func linear(_ t: UnsafeBufferPointer<Double>, batch: Int, w2: [Double], b2: [Double],
                              into f: UnsafeMutableBufferPointer<Double>) {
        let d = b2.count, h = w2.count / max(d, 1)
        precondition(w2.count == h * d && t.count >= batch * h && f.count >= batch * d)
        nd_linear_rows(batch, h, d, t.baseAddress, w2, b2, f.baseAddress)
    }

    /// The vector-Jacobian product with cotangents P (batch x d): with G = (P W2) * phi'(Z),
    /// returns X_bar = G W1 (batch x d) and adds to `gradient`, laid out as [dW1, db1, dW2, db2],
    /// scale G^T X, scale sum_i G_i, scale P^T phi(Z) and scale sum_i P_i.
    public static func pullback(_ x: UnsafeBufferPointer<Double>, hidden t: UnsafeBufferPointer<Double>,
                                slopes s: UnsafeBufferPointer<Double>, cotangent p: UnsafeBufferPointer<Double>, batch: Int,
                                dimension d: Int, w1: [Double], w2: [Double], scale: Double,
                                gradient: UnsafeMutableBufferPointer<Double>) -> [Double] {
        let h = w1.count / max(d, 1)
        precondition(w1.count == h * d && w2.count == d * h && gradient.count >= 2 * h * d + h + d)
        precondition(x.count >= batch * d && p.count >= batch * d && t.count >= batch * h && s.count >= batch * h)
        let dW1 = gradient.baseAddress!, db1 = dW1 + h * d, dW2 = db1 + h, db2 = dW2 + d * h
        return [Double](unsafeUninitializedCapacity: batch * d) { xBar, initialised in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: nd_perceptron_pullback_scratch(d, h)) { scratch in
                nd_perceptron_pullback(batch, d, h, x.baseAddress, t.baseAddress, s.baseAddress, p.baseAddress, w1, w2, scale,
                                       xBar.baseAddress, dW1, db1, dW2, db2, scratch.baseAddress)
            }
            initialised = batch * d
        }
    }
}
