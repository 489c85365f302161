import Activations
import Foundation
import GSLKit
import Testing
import TestSupport
@testable import Residual

/// A near-identity field with K = 5 knots (at multiples of 1/4, so fixed steps of 2^-k land on
/// them and the kinks of A(t) never fall inside a step).
private func sampleField(d: Int = 3, knots: Int = 5, g: Activation = .tanh) -> NearIdentityField {
    var generator = SplitMix64(seed: 31)
    let a = (0..<(knots * d * d)).map { _ in 1.2 * generator.nextDouble() - 0.6 }
    let c = (0..<(knots * d)).map { _ in generator.nextDouble() - 0.5 }
    return try! NearIdentityField(a: a, c: c, dimension: d, knots: knots, g: g)
}

private func dot(_ u: [Double], _ v: [Double]) -> Double { zip(u, v).reduce(0) { $0 + $1.0 * $1.1 } }

@Suite struct NearIdentityFieldTests {
    /// Value, JVP, exact Jacobian and both VJPs against central differences (step 1e-5, error ~1e-10
    /// for these O(1) second derivatives), at a time between knots.
    @Test(arguments: [Activation.tanh, .sin, .softplus])
    func derivativesAgainstFiniteDifferences(g: Activation) throws {
        let field = sampleField(g: g), d = 3, batch = 4, t = 0.37, step = 1e-5
        var generator = SplitMix64(seed: 5)
        let x = (0..<(batch * d)).map { _ in 2 * generator.nextDouble() - 1 }
        let v = (0..<(batch * d)).map { _ in generator.nextDouble() - 0.5 }
        let p = (0..<(batch * d)).map { _ in generator.nextDouble() - 0.5 }
        // The field itself against its definition A(t) x + c(t) + g(x), A(t) interpolated by hand.
        let (m, w) = (1, 0.37 * 4 - 1)  // t = 0.37 lies between knots 1 and 2
        let f = field(x, time: t, batch: batch)
        for i in 0..<batch {
            for r in 0..<d {
                var expected = (1 - w) * field.c[m * d + r] + w * field.c[(m + 1) * d + r] + g.derivatives(x[i * d + r]).d0
                for k in 0..<d { expected += ((1 - w) * field.a[m * 9 + r * d + k] + w * field.a[(m + 1) * 9 + r * d + k]) * x[i * d + k] }
                #expect(abs(f[i * d + r] - expected) < 1e-14)
            }
        }
        let jv = field.pushforward(x, time: t, tangent: v, batch: batch)
        let plus = field(zip(x, v).map { $0 + step * $1 }, time: t, batch: batch)
        let minus = field(zip(x, v).map { $0 - step * $1 }, time: t, batch: batch)
        for k in jv.indices { #expect(abs(jv[k] - (plus[k] - minus[k]) / (2 * step)) < 1e-9) }
        // The exact Jacobian of one state reproduces the JVP.
        for i in 0..<batch {
            let j = field.jacobian(at: Array(x[(i * d)..<(i * d + d)]), time: t)
            for r in 0..<d { #expect(abs((0..<d).reduce(0) { $0 + j[r * d + $1] * v[i * d + $1] } - jv[i * d + r]) < 1e-14) }
        }
        // VJP in x: <p, J v> = <J^T p, v>.
        var gradient = [Double](repeating: 0, count: field.parameterCount)
        let jtp = field.pullback(x, time: t, cotangent: p, batch: batch, gradient: &gradient)
        #expect(abs(dot(p, jv) - dot(jtp, v)) < 1e-14)
        // VJP in theta: each component against a central difference of <p, f> in that parameter.
        let theta = field.parameterVector, dd = d * d
        for e in theta.indices {
            func pairing(_ delta: Double) -> Double {
                var shifted = theta
                shifted[e] += delta
                let moved = try! NearIdentityField(a: Array(shifted[0..<(5 * dd)]), c: Array(shifted[(5 * dd)...]), dimension: d, knots: 5, g: g)
                return dot(p, moved(x, time: t, batch: batch))
            }
            #expect(abs(gradient[e] - (pairing(step) - pairing(-step)) / (2 * step)) < 1e-9, "parameter \(e)")
        }
    }

    /// The feedforward net with N layers against the ODE (RK4 with 4096 steps, error ~1e-14): each
    /// layer is x + eps f + O(eps^2), so the output error is first order: halving eps halves it.
    /// Its exact backprop converges the same way to the ODE's gradient (the discrete adjoint of the
    /// fine RK4 solve, exact for that map).
    @Test func feedforwardNetConvergesToTheODEAtFirstOrder() throws {
        let field = sampleField(), d = 3, batch = 6
        var generator = SplitMix64(seed: 8)
        let x0 = (0..<(batch * d)).map { _ in 2 * generator.nextDouble() - 1 }
        let w = (0..<(batch * d)).map { _ in generator.nextDouble() - 0.5 }  // L = <w, x(1)>
        let ode = ExplicitRungeKutta.rk4.integrate(field, from: x0, batch: batch, steps: 4096)
        var odeGradient = [Double](repeating: 0, count: field.parameterCount)
        let odeInitial = ode.adjoint(field, cotangent: w, gradient: &odeGradient).initial
        var stateErrors: [Double] = [], gradientErrors: [Double] = [], momentumErrors: [Double] = []
        for layers in [16, 32, 64, 128, 256] {
            let net = try field.feedforward(x0, batch: batch, layers: layers).last!
            stateErrors.append(maxAbsError(net, ode.final))
            let back = try field.feedforwardGradient(x0, batch: batch, layers: layers, cotangent: w)
            gradientErrors.append(maxAbsError(back.gradient, odeGradient))
            momentumErrors.append(maxAbsError(back.initial, odeInitial))
        }
        for errors in [stateErrors, gradientErrors, momentumErrors] {
            for k in 1..<errors.count {
                let ratio = errors[k - 1] / errors[k]
                #expect(ratio > 1.8 && ratio < 2.2, "first order: errors \(errors)")
            }
        }
        #expect(stateErrors.last! < 1e-2)
        #expect(throws: ResidualError.self) { try field.feedforward(x0, batch: batch, layers: 0) }
        #expect(throws: ResidualError.self) { try field.feedforwardGradient(x0, batch: batch, layers: 4, cotangent: [1]) }
    }

    /// The continuous adjoints of a time-dependent field (both routes, the field evaluated at
    /// t = 1 - s backwards, solves restarted at the knots) against the discrete gradient of a fine
    /// RK4 solve (1024 steps, landing on the knots) on circles data.
    @Test(arguments: [AdjointMethod.backsolve, .checkpoint])
    func continuousAdjointOfATimeDependentField(method: AdjointMethod) throws {
        let (inputs, labels) = ResidualProblem.circlesAnode3.data()
        let x = Array(inputs[0..<150]), y = Array(labels[0..<50])
        let field = sampleField(), readout = Readout(parameters: ResidualProblem.initialParameters().readout)
        let fine = discreteLossAndGradient(field: field, readout: readout, inputs: x, labels: y, scheme: .rk4, steps: 1024)
        let adjoint = try lossAndGradient(field: field, readout: readout, inputs: x, labels: y,
                                          route: .continuous(.dopri5, StepSizeController(rtol: 1e-11, atol: 1e-11), method))
        let scale = fine.gradient.map(abs).max()!
        let error = maxAbsError(adjoint.gradient, fine.gradient) / scale
        // Backsolve is limited by the tolerance (measured 5e-12), the checkpoint by its cubic Hermite
        // interpolant, fourth order in dopri5's steps (measured 3e-10). Without the restarts at the
        // knots they were 1.7e-9 and 6.2e-8.
        #expect(error < (method == .backsolve ? 1e-10 : 3e-9), "\(method): relative gradient error \(error)")
        #expect(abs(adjoint.loss - fine.loss) < 1e-10 * fine.loss)
    }

    /// ResNet backprop is symplectic Euler for H = p . f: with x_{n+1} = x_n + h f(t_n, x_n) the
    /// discrete adjoint is lambda_n = lambda_{n+1} + h J(t_n, x_n)^T lambda_{n+1}, i.e.
    /// x_{n+1} = x_n + h dH/dp(x_n, lambda_{n+1}), lambda_n = lambda_{n+1} + h dH/dx(x_n, lambda_{n+1}).
    /// Checked with the dense Jacobian (a route independent of the VJP kernel); and the discrete
    /// pairing lambda_n . dx_n with the discrete tangent dx_{n+1} = (I + h J_n) dx_n is conserved to
    /// rounding, while H = p . f along the same net drifts at O(h).
    @Test func resnetBackpropIsSymplecticEuler() {
        let (inputs, _) = ResidualProblem.circlesAnode3.data()
        let batch = 20, d = 3, steps = 40, h = 1.0 / Double(steps)
        let x0 = Array(inputs[0..<(batch * d)])
        let mlp = MLPField(parameters: ResidualProblem.initialParameters().field)
        for field in [AnyField(mlp), AnyField(sampleField())] {
            var states = [x0]
            for n in 0..<steps {
                let f = field.value(states[n], Double(n) * h, batch)
                states.append(zip(states[n], f).map { $0 + h * $1 })
            }
            var generator = SplitMix64(seed: 3)
            let cotangent = (0..<(batch * d)).map { _ in generator.nextDouble() - 0.5 }
            var lambdas = [[Double]](repeating: [], count: steps + 1)
            lambdas[steps] = cotangent
            field.eulerAdjoint(x0, batch, steps, cotangent) { n, lambda in lambdas[n] = lambda }
            var tangent = (0..<(batch * d)).map { _ in generator.nextDouble() - 0.5 }
            var pairings = [dot(lambdas[0], tangent)]
            var hamiltonians: [Double] = []
            for n in 0..<steps {
                let t = Double(n) * h
                var worst = 0.0
                for i in 0..<batch {
                    let j = field.jacobian(Array(states[n][(i * d)..<(i * d + d)]), t)
                    for k in 0..<d {
                        let jtl = (0..<d).reduce(0) { $0 + j[$1 * d + k] * lambdas[n + 1][i * d + $1] }
                        worst = max(worst, abs(lambdas[n][i * d + k] - (lambdas[n + 1][i * d + k] + h * jtl)))
                    }
                }
                #expect(worst < 1e-14, "step \(n): symplectic Euler identity off by \(worst)")
                let jv = field.pushforward(states[n], t, tangent, batch)
                tangent = zip(tangent, jv).map { $0 + h * $1 }
                pairings.append(dot(lambdas[n + 1], tangent))
                hamiltonians.append(dot(lambdas[n + 1], field.value(states[n], t, batch)))
            }
            let pairingDrift = pairings.map { abs($0 - pairings[0]) }.max()! / abs(pairings[0])
            #expect(pairingDrift < 1e-13, "discrete pairing drift \(pairingDrift)")
            if !field.timeDependent {
                let drift = hamiltonians.map { abs($0 - hamiltonians[0]) }.max()! / abs(hamiltonians[0])
                #expect(drift > 1e3 * pairingDrift, "H drifts at O(h) (\(drift)) while the pairing is exact")
            }
        }
    }
}

/// The two fields behind one set of closures, for tests that run the same check on both.
private struct AnyField {
    let value: ([Double], Double, Int) -> [Double]
    let pushforward: ([Double], Double, [Double], Int) -> [Double]
    let jacobian: ([Double], Double) -> [Double]
    let eulerAdjoint: ([Double], Int, Int, [Double], @escaping (Int, [Double]) -> Void) -> Void
    let timeDependent: Bool

    init<Field: ResidualField>(_ field: Field) {
        value = { field($0, time: $1, batch: $2) }
        pushforward = { field.pushforward($0, time: $1, tangent: $2, batch: $3) }
        jacobian = { field.jacobian(at: $0, time: $1) }
        eulerAdjoint = { x0, batch, steps, cotangent, observe in
            var gradient = [Double](repeating: 0, count: field.parameterCount)
            _ = ExplicitRungeKutta.euler.integrate(field, from: x0, batch: batch, steps: steps)
                .adjoint(field, cotangent: cotangent, gradient: &gradient, observe: observe)
        }
        timeDependent = Field.self == NearIdentityField.self
    }
}
