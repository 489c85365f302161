import GSLKit

/// The adjoint as Hamiltonian mechanics (<doc:Adjoint>): with H(x, p) = p . f(x),
/// dx/dt = dH/dp = f and dp/dt = -dH/dx = -(df/dx)^T p. For an autonomous field H is constant
/// along the exact flow, and so is p . dx for any variational solution d(dx)/dt = (df/dx) dx
/// (backpropagation as a conservation law). Their drift along a numerical backsolve measures the
/// adjoint's error, which no anchor reports.
public struct HamiltonianDiagnostics: Sendable {
    /// The backward solve's accepted times, from 1 down to 0.
    public var times: [Double]
    /// H = p . f(x) and p . dx at those times.
    public var hamiltonian: [Double]
    public var pairing: [Double]
    public var forwardEvaluations: Int
    public var backwardEvaluations: Int

    /// max_t |H(t) - H(1)| / |H(1)|, and the same for p . dx.
    public var hamiltonianDrift: Double { Self.drift(hamiltonian) }
    public var pairingDrift: Double { Self.drift(pairing) }

    static func drift(_ values: [Double]) -> Double {
        values.map { abs($0 - values[0]) }.max()! / abs(values[0])
    }
}

extension HamiltonianDiagnostics {
    /// Solves x and a variational solution dx (dx(0) = the inputs rotated by 90 degrees in
    /// their plane) forward with `solver` (Dopri5 by default) and `controller`, sets
    /// p(1) = dL/dx(1), then integrates (x, p, dx) backwards with the same, recording H and p . dx
    /// at every accepted step; both solves restart at the field's knots. H is conserved only for
    /// an autonomous field; p . dx for any field.
    public init<Field: ResidualField>(field: Field, readout: Readout, inputs: [Double], labels: [Int], solver: AdaptiveSolver = .dopri5,
                                      controller: StepSizeController) throws(ResidualError) {
        let batch = labels.count, n = inputs.count, d = field.dimension
        // dx(0) turns each input by 90 degrees in its first two coordinates.
        guard d >= 2 else { throw .invalidParameter(name: "field", reason: "the variational direction needs dimension >= 2, got \(d)") }
        guard n == batch * d else {
            throw .invalidParameter(name: "inputs", reason: "need \(batch) rows of \(d) values for \(batch) labels, got \(n) values")
        }
        var tangent = [Double](repeating: 0, count: n)
        for i in 0..<batch { (tangent[d * i], tangent[d * i + 1]) = (-inputs[d * i + 1], inputs[d * i]) }
        let forwardControl = controller.adding(breakpoints: field.breakpoints)
        let forward = try solver.solve({ t, z in
            let x = Array(z[0..<n]), v = Array(z[n...])
            return field(x, time: t, batch: batch) + field.pushforward(x, time: t, tangent: v, batch: batch)
        }, from: inputs + tangent, t0: 0, t1: 1, controller: forwardControl)
        let x1 = Array(forward.y[0..<n]), dx1 = Array(forward.y[n...])
        let p1 = readout.loss(x1, labels: labels).stateGradient
        var result = HamiltonianDiagnostics(times: [], hamiltonian: [], pairing: [], forwardEvaluations: forward.statistics.evaluations,
                                            backwardEvaluations: 0)
        func dot(_ u: ArraySlice<Double>, _ v: [Double]) -> Double { zip(u, v).reduce(0) { $0 + $1.0 * $1.1 } }
        // z = [x, p, dx] in s = 1 - t: dx/ds = -f, dp/ds = J^T p, d(dx)/ds = -J dx.
        let backward = try solver.solve({ s, z in
            let x = Array(z[0..<n]), p = Array(z[n..<(2 * n)]), v = Array(z[(2 * n)...])
            var unused = [Double](repeating: 0, count: field.parameterCount)
            let forward = field.evaluate(x, time: 1 - s, batch: batch)
            return forward.value.map { -$0 } + field.pullback(forward.saved, cotangent: p, batch: batch, scale: 1, gradient: &unused)
                + field.pushforward(x, time: 1 - s, tangent: v, batch: batch).map { -$0 }
        }, from: x1 + p1 + dx1, t0: 0, t1: 1, controller: forwardControl.reflected(about: 1)) { s, z, _ in
            let x = Array(z[0..<n])
            result.times.append(1 - s)
            result.hamiltonian.append(dot(z[n..<(2 * n)], field(x, time: 1 - s, batch: batch)))
            result.pairing.append(dot(z[n..<(2 * n)], Array(z[(2 * n)...])))
        }
        result.backwardEvaluations = backward.statistics.evaluations
        self = result
    }
}
