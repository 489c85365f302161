import Foundation

/// The continuous Hopfield network (Hopfield 1984; <doc:EnergyAndGeometry>):
///
///     C_i du_i/dt = -u_i/tau + sum_j W_ij sigma(u_j) + I_i,   x = sigma(u),
///
/// with the energy E(x) = -1/2 x^T W x - I^T x + (1/tau) sum_i phi(x_i) (phi = psi*, see
/// ``HopfieldActivation``), for which C_i du_i/dt = -dE/dx_i and dE/dt = -sum C_i sigma'(u_i) (du_i/dt)^2 <= 0
/// when W is symmetric. An asymmetric W is accepted for the flow (``asymmetry`` says how far it is
/// from symmetric); everything that needs the energy refuses it.
public struct HopfieldModel: Sendable {
    public let n: Int
    /// Row-major n x n.
    public let weights: [Double]
    public let inputs: [Double]
    public let activation: HopfieldActivation
    public let tau: Double
    public let capacitances: [Double]
    /// max |W_ij - W_ji|.
    public let asymmetry: Double

    public init(weights: [Double], inputs: [Double], activation: HopfieldActivation, tau: Double = 1,
                capacitances: [Double]? = nil) throws(HopfieldError) {
        let n = inputs.count
        guard n >= 1 else { throw .invalidParameter(name: "I", reason: "needs at least one unit") }
        guard weights.count == n * n else {
            throw .invalidParameter(name: "W", reason: "must be \(n) x \(n) to match I's \(n) units, got \(weights.count) values")
        }
        guard weights.allSatisfy(\.isFinite) else { throw .invalidParameter(name: "W", reason: "has a non-finite entry") }
        guard inputs.allSatisfy(\.isFinite) else { throw .invalidParameter(name: "I", reason: "has a non-finite entry") }
        guard tau > 0, tau.isFinite else { throw .invalidParameter(name: "tau", reason: "must be > 0, got \(tau)") }
        let c = capacitances ?? [Double](repeating: 1, count: n)
        guard c.count == n else { throw .invalidParameter(name: "C", reason: "must have \(n) values, got \(c.count)") }
        guard c.allSatisfy({ $0 > 0 && $0.isFinite }) else { throw .invalidParameter(name: "C", reason: "every capacitance must be > 0") }
        var asymmetry = 0.0
        for i in 0..<n { for j in 0..<i { asymmetry = max(asymmetry, abs(weights[i * n + j] - weights[j * n + i])) } }
        self.n = n
        self.weights = weights
        self.inputs = inputs
        self.activation = activation
        self.tau = tau
        self.capacitances = c
        self.asymmetry = asymmetry
    }

    /// Symmetric up to rounding: |W_ij - W_ji| <= 1e-12 max |W|.
    public var isSymmetric: Bool { asymmetry <= 1e-12 * max(1, weights.reduce(0) { max($0, abs($1)) }) }

    func requireSymmetric() throws(HopfieldError) {
        guard isSymmetric else { throw .asymmetric(asymmetry: asymmetry) }
    }

    func requireDimension(_ v: [Double], _ name: String) throws(HopfieldError) {
        guard v.count == n else { throw .invalidParameter(name: name, reason: "must have \(n) values (one per unit), got \(v.count)") }
        guard v.allSatisfy(\.isFinite) else { throw .invalidParameter(name: name, reason: "has a non-finite value") }
    }

    func requireOutputs(_ x: [Double], _ name: String) throws(HopfieldError) {
        try requireDimension(x, name)
        for (i, value) in x.enumerated() where !activation.contains(value) {
            let (a, b) = activation.range
            throw .invalidParameter(name: name, reason: "x_\(i + 1) = \(value) is outside the open output range (\(a), \(b)) of \(activation.kind.rawValue)")
        }
    }

    public func outputs(_ u: [Double]) -> [Double] { u.map(activation.value) }

    /// W x + I.
    @inline(__always)
    func field(_ x: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>) {
        for i in 0..<n {
            var s = inputs[i]
            for j in 0..<n { s += weights[i * n + j] * x[j] }
            out[i] = s
        }
    }

    /// du/dt = C^{-1} (-u/tau + W sigma(u) + I), written into `out`.
    public func velocity(_ u: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>) {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: n) { x in
            for i in 0..<n { x[i] = activation.value(u[i]) }
            field(UnsafeBufferPointer(x), into: out)
            for i in 0..<n { out[i] = (out[i] - u[i] / tau) / capacitances[i] }
        }
    }

    public func velocity(_ u: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: n)
        u.withUnsafeBufferPointer { u in out.withUnsafeMutableBufferPointer { velocity(u, into: $0) } }
        return out
    }

    /// The Jacobian d(du/dt)/du = C^{-1} (-1/tau + W diag(sigma'(u))), row-major.
    public func jacobian(_ u: [Double]) -> [Double] {
        let slopes = u.map { activation.slope($0) }
        var jacobian = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n { jacobian[i * n + j] = weights[i * n + j] * slopes[j] / capacitances[i] }
            jacobian[i * n + i] -= 1 / (tau * capacitances[i])
        }
        return jacobian
    }

    /// E(x) = -1/2 x^T W x - I^T x + (1/tau) sum phi(x_i), for x in the closed output box.
    public func energy(_ x: [Double]) throws(HopfieldError) -> Double {
        try requireSymmetric()
        try requireDimension(x, "x")
        return x.withUnsafeBufferPointer { unsafeEnergy($0) }
    }

    /// The energy without checks (hot loops of quadrature and sampling).
    @inline(__always)
    func unsafeEnergy(_ x: UnsafeBufferPointer<Double>) -> Double {
        var e = 0.0
        for i in 0..<n {
            var wx = 0.0
            for j in 0..<n { wx += weights[i * n + j] * x[j] }
            e -= x[i] * (0.5 * wx + inputs[i])
            e += activation.dual(x[i]) / tau
        }
        return e
    }

    /// grad_x E = -(W x + I) + sigma^{-1}(x)/tau = -C du/dt.
    public func energyGradient(_ x: [Double]) throws(HopfieldError) -> [Double] {
        try requireSymmetric()
        try requireOutputs(x, "x")
        return (0..<n).map { i in
            var s = inputs[i]
            for j in 0..<n { s += weights[i * n + j] * x[j] }
            return activation.inverse(x[i]) / tau - s
        }
    }

    /// Hess_x E = -W + diag(1/(tau sigma'(u_i))), row-major; a fixed point is a stable equilibrium
    /// of the flow exactly when this is positive definite.
    public func energyHessian(_ x: [Double]) throws(HopfieldError) -> [Double] {
        try requireSymmetric()
        try requireOutputs(x, "x")
        var h = weights.map { -$0 }
        for i in 0..<n { h[i * n + i] += 1 / (tau * activation.slope(output: x[i])) }
        return h
    }

    /// The Hessian metric in x: G_ii = C_i/sigma'(u_i) (diagonal).
    public func metric(_ x: [Double]) throws(HopfieldError) -> [Double] {
        try requireOutputs(x, "x")
        return (0..<n).map { capacitances[$0] / activation.slope(output: x[$0]) }
    }
}
