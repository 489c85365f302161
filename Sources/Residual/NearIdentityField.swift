import Activations
import GSLKit

/// The near-identity feedforward field f(t, x) = A(t) x + c(t) + g(x) (<doc:Adjoint>): the
/// limit of the feedforward net x_{n+1} = sigma(W_n x_n + b_n) with W_n = I + eps A(t_n),
/// b_n = eps c(t_n), sigma(z) = z + eps g(z), t_n = n eps, as eps = 1/N -> 0 (one step of the net
/// is x + eps f(t_n, x) + O(eps^2)). g is an activation applied to each coordinate; the adjoint is
/// dp/dt = -(A(t)^T + diag g'(x)) p.
///
/// The weights depend on time: A(t) and c(t) interpolate linearly between values at K knots
/// t_m = m / (K - 1) on [0, 1] (constant for K = 1, held at the end values outside [0, 1]), so a
/// net with any number of layers samples the same field and adaptive solvers see no jumps.
public struct NearIdentityField: ResidualField {
    /// A_m (d x d, row-major) for m = 0..<K, one after the other.
    public var a: [Double]
    /// c_m (d) for m = 0..<K.
    public var c: [Double]
    public let dimension: Int
    public let grid: KnotGrid
    public var knots: Int { grid.knots }
    /// X and g'(X).
    public func savedCount(batch: Int) -> Int { 2 * batch * dimension }
    public let g: Activation

    public init(a: [Double], c: [Double], dimension: Int, knots: Int, g: Activation = .tanh) throws(ResidualError) {
        guard dimension >= 1 else { throw .invalidParameter(name: "dimension", reason: "must be >= 1, got \(dimension)") }
        let grid = try KnotGrid(knots: knots)
        guard a.count == knots * dimension * dimension, c.count == knots * dimension else {
            throw .invalidParameter(name: "a", reason: "needs \(knots) x \(dimension) x \(dimension) values and c \(knots) x \(dimension), got \(a.count) and \(c.count)")
        }
        guard (a + c).allSatisfy(\.isFinite) else { throw .invalidParameter(name: "a", reason: "A and c must be finite") }
        (self.a, self.c, self.dimension, self.grid, self.g) = (a, c, dimension, grid, g)
    }

    /// A field with A_m entries uniform in [-scale, scale] and c_m entries in [-scale/2, scale/2],
    /// drawn in that order from SplitMix64(seed).
    public static func random(dimension: Int, knots: Int, scale: Double, seed: UInt64, g: Activation = .tanh) throws(ResidualError) -> Self {
        guard scale.isFinite, scale >= 0 else { throw .invalidParameter(name: "scale", reason: "must be finite and >= 0, got \(scale)") }
        guard dimension >= 1, knots >= 1 else {
            throw .invalidParameter(name: dimension < 1 ? "dimension" : "knots", reason: "must be >= 1, got \(min(dimension, knots))")
        }
        // A(t) and c(t), their gradient and the knots' copies per evaluation: a few arrays of K (d^2 + d).
        if let refusal = MemoryBudget.refusal(bytes: 4 * MemoryBudget.bytes(knots, dimension * dimension + dimension),
                                              for: "\(knots) knots of a \(dimension) x \(dimension) A(t) and c(t)") {
            throw .invalidParameter(name: "knots", reason: refusal)
        }
        var generator = SplitMix64(seed: seed)
        let a = (0..<(knots * dimension * dimension)).map { _ in scale * (2 * generator.nextDouble() - 1) }
        let c = (0..<(knots * dimension)).map { _ in scale * (generator.nextDouble() - 0.5) }
        return try Self(a: a, c: c, dimension: dimension, knots: knots, g: g)
    }

    /// The interior knots, where A(t) and c(t) have kinks.
    public var breakpoints: [Double] { grid.breakpoints }

    /// [A_0, ..., A_{K-1}, c_0, ..., c_{K-1}].
    public var parameterVector: [Double] { a + c }

    /// A(t) (d x d) and c(t) (d).
    public func weights(at t: Double) -> (a: [Double], c: [Double]) {
        (grid.interpolate(a, size: dimension * dimension, at: t), grid.interpolate(c, size: dimension, at: t))
    }

    /// X, t and g'(X).
    public struct Saved: Sendable {
        var input: [Double]
        var time: Double
        var slopes: [Double]
    }

    public func evaluate(_ x: [Double], time t: Double, batch: Int) -> (value: [Double], saved: Saved) {
        let d = dimension, (at, ct) = weights(at: t)
        var f = [Double](repeating: 0, count: batch * d), slopes = f
        for i in 0..<batch {
            for r in 0..<d {
                var s = ct[r]
                for k in 0..<d { s += at[r * d + k] * x[i * d + k] }
                let gr = g.derivatives(x[i * d + r])
                f[i * d + r] = s + gr.d0
                slopes[i * d + r] = gr.d1
            }
        }
        return (f, Saved(input: x, time: t, slopes: slopes))
    }

    /// (A(t)^T + diag g'(x)) p per state; A_m and c_m of the two knots around t receive their
    /// hat weights of sum_b p_b x_b^T and sum_b p_b.
    public func pullback(_ saved: Saved, cotangent p: [Double], batch: Int, scale: Double = 1, gradient: inout [Double]) -> [Double] {
        precondition(gradient.count == parameterCount)
        let d = dimension, dd = d * d, x = saved.input, (at, _) = weights(at: saved.time)
        var xBar = [Double](repeating: 0, count: batch * d)
        var outer = [Double](repeating: 0, count: dd), sumP = [Double](repeating: 0, count: d)
        for i in 0..<batch {
            for r in 0..<d {
                let pr = p[i * d + r]
                xBar[i * d + r] += saved.slopes[i * d + r] * pr
                for k in 0..<d {
                    xBar[i * d + k] += at[r * d + k] * pr
                    outer[r * d + k] += pr * x[i * d + k]
                }
                sumP[r] += pr
            }
        }
        grid.spread(outer, at: saved.time, scale: scale, into: &gradient)
        grid.spread(sumP, at: saved.time, scale: scale, into: &gradient, offset: knots * dd)
        return xBar
    }

    public func pushforward(_ x: [Double], time t: Double, tangent v: [Double], batch: Int) -> [Double] {
        let d = dimension, (at, _) = weights(at: t)
        var out = [Double](repeating: 0, count: batch * d)
        for i in 0..<batch {
            for r in 0..<d {
                var s = g.derivatives(x[i * d + r]).d1 * v[i * d + r]
                for k in 0..<d { s += at[r * d + k] * v[i * d + k] }
                out[i * d + r] = s
            }
        }
        return out
    }

    /// A(t) + diag g'(x).
    public func jacobian(at x: [Double], time t: Double) -> [Double] {
        var j = weights(at: t).a
        for r in 0..<dimension { j[r * dimension + r] += g.derivatives(x[r]).d1 }
        return j
    }
}

extension NearIdentityField {
    /// The feedforward net of N = `layers` layers, eps = 1/N: z_n = (I + eps A(t_n)) x_n + eps c(t_n),
    /// x_{n+1} = z_n + eps g(z_n), t_n = n eps, from x_0 (B x d). Returns every x_n (N + 1 of them).
    public func feedforward(_ x0: [Double], batch: Int, layers: Int) throws(ResidualError) -> [[Double]] {
        guard layers >= 1 else { throw .invalidParameter(name: "layers", reason: "must be >= 1, got \(layers)") }
        guard x0.count == batch * dimension else {
            throw .invalidParameter(name: "x0", reason: "needs \(batch) x \(dimension) values, got \(x0.count)")
        }
        let eps = 1 / Double(layers)
        var states = [x0]
        for n in 0..<layers {
            let x = states[n], (at, ct) = weights(at: Double(n) * eps)
            states.append(layerMap(x, batch: batch, a: at, c: ct, eps: eps).next)
        }
        return states
    }

    /// One layer: z = x + eps (A x + c) and x' = z + eps g(z), with g'(z) for the backward pass.
    func layerMap(_ x: [Double], batch: Int, a at: [Double], c ct: [Double], eps: Double) -> (next: [Double], slopes: [Double]) {
        let d = dimension
        var next = x, slopes = x
        for i in 0..<batch {
            for r in 0..<d {
                var z = x[i * d + r] + eps * ct[r]
                for k in 0..<d { z += eps * at[r * d + k] * x[i * d + k] }
                let gz = g.derivatives(z)
                next[i * d + r] = z + eps * gz.d0
                slopes[i * d + r] = gz.d1
            }
        }
        return (next, slopes)
    }

    /// Exact backpropagation through ``feedforward(_:batch:layers:)`` from the cotangent of the
    /// last layer: lambda_z = (1 + eps g'(z_n)) * lambda_{n+1}, lambda_n = (I + eps A(t_n))^T lambda_z,
    /// dA(t_n) += eps lambda_z x_n^T and dc(t_n) += eps lambda_z, spread over the knots by their
    /// hat weights at t_n. Returns lambda_0 and the gradient (laid out as ``parameterVector``).
    public func feedforwardGradient(_ x0: [Double], batch: Int, layers: Int,
                                    cotangent: [Double]) throws(ResidualError) -> (initial: [Double], gradient: [Double]) {
        guard cotangent.count == x0.count else {
            throw .invalidParameter(name: "cotangent", reason: "needs \(x0.count) values, got \(cotangent.count)")
        }
        let d = dimension, dd = d * d, eps = 1 / Double(layers)
        let states = try feedforward(x0, batch: batch, layers: layers)
        var lambda = cotangent, gradient = [Double](repeating: 0, count: parameterCount)
        for n in (0..<layers).reversed() {
            let t = Double(n) * eps, x = states[n], (at, ct) = weights(at: t)
            let slopes = layerMap(x, batch: batch, a: at, c: ct, eps: eps).slopes
            let lambdaZ = (0..<lambda.count).map { (1 + eps * slopes[$0]) * lambda[$0] }
            var outer = [Double](repeating: 0, count: dd), sum = [Double](repeating: 0, count: d)
            for i in 0..<batch {
                for r in 0..<d {
                    lambda[i * d + r] = lambdaZ[i * d + r]
                    sum[r] += lambdaZ[i * d + r]
                    for k in 0..<d { outer[r * d + k] += lambdaZ[i * d + r] * x[i * d + k] }
                }
                for k in 0..<d { for r in 0..<d { lambda[i * d + k] += eps * at[r * d + k] * lambdaZ[i * d + r] } }
            }
            grid.spread(outer, at: t, scale: eps, into: &gradient)
            grid.spread(sum, at: t, scale: eps, into: &gradient, offset: knots * dd)
        }
        return (lambda, gradient)
    }
}

/// How the feedforward net approaches its ODE: per layer count N, the output's max error and the
/// relative 2-norm errors of the backprop gradient and of dL/dx(0), for L = <w, x(1)>.
public struct NearIdentityConvergence: Sendable {
    public struct Row: Sendable {
        public var layers: Int, stateError: Double, gradientError: Double, momentumError: Double
        public var eps: Double { 1 / Double(layers) }
    }
    public var rows: [Row]
    /// The reference (RK4, `referenceSteps` steps, discrete adjoint) against half as many steps.
    public var referenceCheck: Double
    public var referenceSteps: Int
}

extension NearIdentityField {
    /// ``feedforward(_:batch:layers:)`` and its backprop against the ODE for every N of `layers`.
    public func convergence(_ x0: [Double], batch: Int, cotangent w: [Double], layers: [Int],
                            referenceSteps: Int = 4096) throws(ResidualError) -> NearIdentityConvergence {
        guard referenceSteps >= 2 else { throw .invalidParameter(name: "reference-steps", reason: "must be >= 2, got \(referenceSteps)") }
        func ode(_ steps: Int) -> (final: [Double], initial: [Double], gradient: [Double]) {
            let trajectory = ExplicitRungeKutta.rk4.integrate(self, from: x0, batch: batch, steps: steps)
            var gradient = [Double](repeating: 0, count: parameterCount)
            let initial = trajectory.adjoint(self, cotangent: w, gradient: &gradient).initial
            return (trajectory.final, initial, gradient)
        }
        // Scaled by the largest entry, so that states of 1e200 do not overflow their squares.
        func norm(_ v: [Double]) -> Double {
            let scale = v.reduce(0) { Swift.max($0, Swift.abs($1)) }
            guard scale > 0, scale.isFinite else { return scale }
            return scale * v.reduce(0) { $0 + ($1 / scale) * ($1 / scale) }.squareRoot()
        }
        func relative(_ a: [Double], _ b: [Double]) -> Double { norm(zip(a, b).map { $0 - $1 }) / Swift.max(norm(b), .leastNormalMagnitude) }
        let reference = ode(referenceSteps), coarse = ode(referenceSteps / 2)
        // Weights of size s make the flow grow like e^{s t}: past double's range there is no
        // error to report, so say which quantity overflowed rather than return NaN.
        for (name, values) in [("the ODE's final state", reference.final), ("its gradient", reference.gradient),
                               ("its momentum dL/dx(0)", reference.initial)] where !values.allSatisfy(\.isFinite) {
            throw .nonFinite("\(name) overflows in double precision: the weights' size (max |A| = \(a.map(Swift.abs).max() ?? 0)) makes the flow grow like e^{|A| t} over t in [0, 1]")
        }
        var rows: [NearIdentityConvergence.Row] = []
        for n in layers {
            let net = try feedforward(x0, batch: batch, layers: n).last!
            let back = try feedforwardGradient(x0, batch: batch, layers: n, cotangent: w)
            rows.append(.init(layers: n, stateError: zip(net, reference.final).map { abs($0 - $1) }.max() ?? 0,
                              gradientError: relative(back.gradient, reference.gradient), momentumError: relative(back.initial, reference.initial)))
        }
        for row in rows where ![row.stateError, row.gradientError, row.momentumError].allSatisfy(\.isFinite) {
            throw .nonFinite("the \(row.layers)-layer net's output or gradient overflows in double precision (max |A| = \(a.map(Swift.abs).max() ?? 0))")
        }
        return NearIdentityConvergence(rows: rows, referenceCheck: Swift.max(relative(coarse.gradient, reference.gradient),
                                                                             relative(coarse.initial, reference.initial)),
                                       referenceSteps: referenceSteps)
    }
}
