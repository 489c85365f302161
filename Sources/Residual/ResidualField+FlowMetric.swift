import GSLKit

/// The geometry of the time-1 flow map Phi: x(0) -> x(1) of dx/dt = f(t, x) at one input.
public struct FlowMetric: Sendable {
    public let x0: [Double]
    public let x1: [Double]
    /// D Phi (d x d, row-major), from the variational equation dM/dt = J(x(t)) M, M(0) = 1.
    public let jacobian: [Double]
    /// log |det D Phi|.
    public let logDeterminant: Double
    /// Int_0^1 tr J(x(t)) dt: equal to log det D Phi (Jacobi's formula, Liouville).
    public let integralTrace: Double
    /// The pulled-back metric G(x0) = D Phi^T G_out D Phi with G_out the Euclidean metric of the
    /// readout's input space (row-major), and its eigenvalues ascending: the squared stretch of
    /// the flow along its principal directions.
    public let metric: [Double]
    public let eigenvalues: [Double]
}

extension ResidualField {
    /// Integrates [x, M, Int tr J] over [0, 1] from x0 (GSL rk8pd at rtol = atol = 1e-11 by
    /// default), restarting at the field's knots.
    public func flowMetric(at x0: [Double], solver: GSLODESolver = GSLODESolver(stepper: .rk8pd),
                           controller: StepSizeController = StepSizeController(rtol: 1e-11, atol: 1e-11, maxSteps: 1_000_000))
        throws(ResidualError) -> FlowMetric {
        let field = self, d = dimension
        guard x0.count == d, x0.allSatisfy(\.isFinite) else {
            throw .invalidParameter(name: "x0", reason: "needs \(d) finite values, got \(x0.count)")
        }
        let system = ODESystem(dimension: d + d * d + 1) { t, y, dydt in
            let x = Array(y[0..<d])
            let f = field(x, time: t, batch: 1), j = field.jacobian(at: x, time: t)
            for a in 0..<d { dydt[a] = f[a] }
            DenseLinearAlgebra.multiply(j, UnsafeBufferPointer(rebasing: y[d ..< d + d * d]), n: d,
                                        into: UnsafeMutableBufferPointer(rebasing: dydt[d ..< d + d * d]))
            dydt[d + d * d] = (0..<d).reduce(0) { $0 + j[$1 * d + $1] }
        }
        var y0 = x0 + [Double](repeating: 0, count: d * d + 1)
        for a in 0..<d { y0[d + a * d + a] = 1 }
        let end: [Double]
        do {
            end = Array(try solver.solve(system, from: y0, times: [0, 1], controller: controller.adding(breakpoints: breakpoints)).state(1))
        } catch {
            throw .nonFinite("the variational solve failed: \(error)")
        }
        let m = Array(end[d ..< d + d * d])
        var g = [Double](repeating: 0, count: d * d)
        for a in 0..<d { for b in 0..<d { for k in 0..<d { g[a * d + b] += m[k * d + a] * m[k * d + b] } } }
        do {
            return FlowMetric(x0: x0, x1: Array(end[0..<d]), jacobian: m, logDeterminant: try DenseLinearAlgebra.logAbsDeterminant(m, n: d),
                              integralTrace: end[d + d * d], metric: g, eigenvalues: try DenseLinearAlgebra.symmetricEigenvalues(g, n: d))
        } catch {
            throw .nonFinite("the flow map's Jacobian: \(error)")
        }
    }
}
