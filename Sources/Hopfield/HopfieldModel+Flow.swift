import GSLKit

/// States of the network at requested times.
public struct HopfieldTrajectory: Sendable {
    public let n: Int
    public let times: [Double]
    /// Row-major, one row of n per time.
    public let u: [Double]
    public let x: [Double]
    /// E(x(t)); nil when W is not symmetric.
    public let energy: [Double]?
    public let acceptedSteps: Int
    public let rejectedSteps: Int

    public func row(_ values: [Double], _ k: Int) -> ArraySlice<Double> { values[k * n ..< (k + 1) * n] }
}

extension HopfieldModel {
    /// The flow's ODE system in u, with its exact Jacobian (for the implicit steppers).
    public var flowSystem: ODESystem {
        let model = self
        return ODESystem(dimension: n, field: { _, u, dudt in model.velocity(u, into: dudt) },
                         jacobian: { _, u, dfdy, dfdt in
                             let jacobian = model.jacobian(Array(u))
                             for k in 0..<jacobian.count { dfdy[k] = jacobian[k] }
                             for i in 0..<model.n { dfdt[i] = 0 }
                         })
    }

    /// Integrates the flow from u(times[0]) = u0 (GSL rk8pd by default) and evaluates x and E at
    /// every time.
    public func trajectory(u0: [Double], times: [Double], solver: GSLODESolver = GSLODESolver(),
                           controller: StepSizeController = StepSizeController(rtol: 1e-10, atol: 1e-10, maxSteps: 1_000_000))
        throws(HopfieldError) -> HopfieldTrajectory {
        try requireDimension(u0, "u0")
        let solution: ODESolution
        do { solution = try solver.solve(flowSystem, from: u0, times: times, controller: controller) } catch { throw .from(error) }
        let x = solution.states.map(activation.value)
        let energy: [Double]? = isSymmetric
            ? x.withUnsafeBufferPointer { x in (0..<times.count).map { k in unsafeEnergy(UnsafeBufferPointer(rebasing: x[k * n ..< (k + 1) * n])) } }
            : nil
        return HopfieldTrajectory(n: n, times: times, u: solution.states, x: x, energy: energy,
                                  acceptedSteps: solution.acceptedSteps, rejectedSteps: solution.rejectedSteps)
    }

    /// The natural-gradient flow dx/dt = -G(x)^{-1} grad_x E (Halder et al.), G = diag(C_i/sigma'),
    /// integrated in the output coordinates on its own; returns x at `times`. It is the Hopfield
    /// flow seen through x = sigma(u), which the tests check to the solver tolerance.
    public func naturalGradientFlow(x0: [Double], times: [Double], solver: GSLODESolver = GSLODESolver(),
                           controller: StepSizeController = StepSizeController(rtol: 1e-10, atol: 1e-10, maxSteps: 1_000_000))
        throws(HopfieldError) -> [Double] {
        try requireSymmetric()
        try requireOutputs(x0, "x0")
        let model = self
        let system = ODESystem(dimension: n) { _, x, dxdt in
            for i in 0..<model.n where !model.activation.contains(x[i]) {
                throw HopfieldError.failed("the natural-gradient flow left the output range (x_\(i + 1) = \(x[i]))")
            }
            model.field(x, into: dxdt)
            for i in 0..<model.n {
                let gradient = model.activation.inverse(x[i]) / model.tau - dxdt[i]
                dxdt[i] = -model.activation.slope(output: x[i]) / model.capacitances[i] * gradient
            }
        }
        do { return try solver.solve(system, from: x0, times: times, controller: controller).states } catch { throw .from(error) }
    }

    /// Discrete mirror descent on E with mirror map phi: grad phi(x_{k+1}) = grad phi(x_k) - h C^{-1} grad E(x_k),
    /// i.e. forward Euler of the flow in u = grad phi(x); O(h) from the flow. Returns u after each
    /// of `steps` steps (row-major, steps + 1 rows including u0).
    public func mirrorDescent(u0: [Double], step h: Double, steps: Int) throws(HopfieldError) -> [Double] {
        try requireDimension(u0, "u0")
        guard h > 0, h.isFinite else { throw .invalidParameter(name: "step", reason: "must be > 0, got \(h)") }
        guard steps >= 0 else { throw .invalidParameter(name: "steps", reason: "must be >= 0, got \(steps)") }
        var path = u0
        path.reserveCapacity(n * (steps + 1))
        var u = u0
        for _ in 0..<steps {
            let v = velocity(u)
            for i in 0..<n { u[i] += h * v[i] }
            path.append(contentsOf: u)
        }
        return path
    }
}
