import GSLKit

/// How the continuous adjoint gets x(t) while it integrates the momentum p = dL/dx backwards
/// (<doc:Adjoint>: dp/dt = -(df/dx)^T p, p(T) = dL/dx(T), dL/dtheta = Int_0^T p^T df/dtheta dt).
public enum AdjointMethod: String, Sendable, CaseIterable {
    /// Re-integrate x backwards with p and the parameter integral: one augmented ODE
    /// [x, p, g] (Chen et al. 2018; torchdiffeq's odeint_adjoint, diffrax's BacksolveAdjoint).
    case backsolve = "adjoint"
    /// Keep the forward solution and read x(t) off it (``CheckpointTrajectory``): x is never
    /// integrated backwards, so the backward solve cannot drift off the forward trajectory.
    case checkpoint

    /// Refuses backsolve on an implicit stepper: its backward solve would need the Jacobian of
    /// (df/dx)^T p in x, i.e. second derivatives of f. The one place this is checked, for the
    /// command line's route and for every gradient.
    public func requireSupported(by solver: AdaptiveSolver) throws(ResidualError) {
        guard self == .backsolve, case .gsl(let gsl) = solver, gsl.stepper.needsJacobian else { return }
        throw .invalidParameter(name: "method", reason: "\(gsl.stepper.rawValue) is implicit: its backsolve would need the Jacobian of J^T p in x (second derivatives of f); use checkpoint")
    }
}

/// The forward solution the checkpoint adjoint reads x(t) from: with Dopri5, the solver's own
/// continuous extension of every accepted step (``Dopri5/DenseStep``, fourth order inside the
/// step); with GSL's steppers, which keep no stages, the cubic Hermite interpolant of the accepted
/// points and their derivatives.
struct CheckpointTrajectory {
    var steps: [Dopri5.DenseStep] = []
    var times: [Double] = []
    var states: [[Double]] = []
    var slopes: [[Double]] = []

    func callAsFunction(_ t: Double) -> [Double] {
        if !steps.isEmpty {
            var (low, high) = (0, steps.count)
            while high - low > 1 {
                let middle = (low + high) / 2
                if steps[middle].t0 <= t { low = middle } else { high = middle }
            }
            let step = steps[low]
            return step(theta: Swift.min(1, Swift.max(0, (t - step.t0) / step.h)))
        }
        var (low, high) = (0, times.count - 1)
        while high - low > 1 {
            let middle = (low + high) / 2
            if times[middle] <= t { low = middle } else { high = middle }
        }
        let h = times[high] - times[low]
        let s = h > 0 ? Swift.min(1, Swift.max(0, (t - times[low]) / h)) : 0
        let (s2, s3) = (s * s, s * s * s)
        let (h00, h10, h01, h11) = (2 * s3 - 3 * s2 + 1, s3 - 2 * s2 + s, -2 * s3 + 3 * s2, s3 - s2)
        let (x0, f0, x1, f1) = (states[low], slopes[low], states[high], slopes[high])
        return (0..<x0.count).map { h00 * x0[$0] + h10 * h * f0[$0] + h01 * x1[$0] + h11 * h * f1[$0] }
    }
}

/// Loss and gradient with an adaptive solver (Dopri5 or a GSL stepper) forward over [0, 1] and
/// the continuous adjoint backwards (solved in s = 1 - t, with the same controller), both
/// restarting at the field's knots as well as the controller's breakpoints. NFE backward counts right-hand sides of
/// the backward ODE (each one vector-Jacobian product, plus one field evaluation for backsolve).
func continuousLossAndGradient<Field: ResidualField>(field: Field, readout: Readout, inputs: [Double], labels: [Int],
                                                     solver: AdaptiveSolver, controller: StepSizeController,
                                                     method: AdjointMethod) throws(ResidualError) -> ResidualGradient {
    let batch = labels.count, n = inputs.count, m = field.parameterCount
    var trajectory = CheckpointTrajectory()
    let keepsStages: Bool
    if case .dopri5 = solver { keepsStages = true } else { keepsStages = false }
    let forwardControl = controller.adding(breakpoints: field.breakpoints), backwardControl = forwardControl.reflected(about: 1)
    try method.requireSupported(by: solver)
    let forwardJacobian: ((Double, [Double]) -> [Double])? = solver.needsJacobian ? { t, x in field.batchJacobian(x, time: t, batch: batch) } : nil
    let forward = try solver.solve({ t, x in field(x, time: t, batch: batch) }, jacobian: forwardJacobian, from: inputs, t0: 0, t1: 1,
                                   controller: forwardControl, observe: { t, x, dx in
        if method == .checkpoint, !keepsStages {
            trajectory.times.append(t)
            trajectory.states.append(x)
            trajectory.slopes.append(dx)
        }
    }, dense: { step in if method == .checkpoint { trajectory.steps.append(step) } })
    let head = readout.loss(forward.y, labels: labels)
    let backward: (y: [Double], statistics: Dopri5.Statistics)
    switch method {
    case .backsolve:
        // z = [x, p, g] in s = 1 - t: dx/ds = -f(x), dp/ds = J^T p, dg/ds = p^T df/dtheta.
        backward = try solver.solve({ s, z in
            let x = Array(z[0..<n]), p = Array(z[n..<(2 * n)])
            var rate = [Double](repeating: 0, count: 2 * n + m)
            let forward = field.evaluate(x, time: 1 - s, batch: batch)
            var g = [Double](repeating: 0, count: m)
            let pull = field.pullback(forward.saved, cotangent: p, batch: batch, scale: 1, gradient: &g)
            for i in 0..<n { (rate[i], rate[n + i]) = (-forward.value[i], pull[i]) }
            for i in 0..<m { rate[2 * n + i] = g[i] }
            return rate
        }, from: forward.y + head.stateGradient + [Double](repeating: 0, count: m), t0: 0, t1: 1, controller: backwardControl)
    case .checkpoint:
        // z = [p, g]: the Jacobian has J(x)^T blocks in the p rows and df/dtheta(x_i)^T in the g rows.
        let backwardJacobian: ((Double, [Double]) -> [Double])? = solver.needsJacobian
            ? { s, _ in field.adjointJacobian(trajectory(1 - s), time: 1 - s, batch: batch) } : nil
        backward = try solver.solve({ s, z in
            let p = Array(z[0..<n])
            var g = [Double](repeating: 0, count: m)
            let pull = field.pullback(trajectory(1 - s), time: 1 - s, cotangent: p, batch: batch, gradient: &g)
            return pull + g
        }, jacobian: backwardJacobian, from: head.stateGradient + [Double](repeating: 0, count: m), t0: 0, t1: 1,
           controller: backwardControl)
    }
    let fieldGradient = Array(backward.y.suffix(m))
    return ResidualGradient(loss: head.loss, accuracy: head.accuracy, gradient: fieldGradient + head.gradient.flat,
                            forwardEvaluations: forward.statistics.evaluations, backwardEvaluations: backward.statistics.evaluations)
}

extension ResidualField {
    /// df/dX of the batch ODE as a dense (B d) x (B d) matrix: the states do not interact, so it
    /// is block diagonal with each state's Jacobian.
    func batchJacobian(_ x: [Double], time t: Double, batch: Int) -> [Double] {
        let d = dimension, n = batch * d
        var dense = [Double](repeating: 0, count: n * n)
        for i in 0..<batch {
            let block = jacobian(at: Array(x[(i * d)..<(i * d + d)]), time: t)
            for r in 0..<d { for c in 0..<d { dense[(i * d + r) * n + i * d + c] = block[r * d + c] } }
        }
        return dense
    }

    /// The Jacobian of the checkpoint adjoint's right-hand side [J(x)^T p, p^T df/dtheta] in
    /// z = [p, g] (g does not feed back): J(x_i)^T blocks, and in row k of g and column (i, r) of p
    /// the derivative of f_r(x_i) in theta_k, from a pullback of the unit cotangent e_r at x_i.
    func adjointJacobian(_ x: [Double], time t: Double, batch: Int) -> [Double] {
        let d = dimension, n = batch * d, m = parameterCount, size = n + m
        var dense = [Double](repeating: 0, count: size * size)
        for i in 0..<batch {
            let state = Array(x[(i * d)..<(i * d + d)])
            let block = jacobian(at: state, time: t)
            for r in 0..<d { for c in 0..<d { dense[(i * d + r) * size + i * d + c] = block[c * d + r] } }
            let saved = evaluate(state, time: t, batch: 1).saved
            for r in 0..<d {
                var unit = [Double](repeating: 0, count: d), row = [Double](repeating: 0, count: m)
                unit[r] = 1
                _ = pullback(saved, cotangent: unit, batch: 1, scale: 1, gradient: &row)
                for k in 0..<m { dense[(n + k) * size + i * d + r] = row[k] }
            }
        }
        return dense
    }
}
