import GSLKit

/// An explicit Runge-Kutta scheme given by its Butcher tableau (a strictly lower triangular,
/// weights b, nodes c), stepped with a fixed step: the residual network of <doc:Adjoint>
/// (Euler is x_{n+1} = x_n + h f(x_n)). An embedded pair also carries the weights b* of its
/// lower-order solution, whose difference from b is the adaptive step's error estimate
/// (``Dopri5`` reads its tableau from ``dopri5``).
public struct ExplicitRungeKutta: Sendable, Equatable {
    public let name: String
    /// a[i][j] for j < i.
    public let a: [[Double]]
    public let b: [Double]
    /// The order p of the global error, O(h^p) (GSL's and diffrax's solvers state theirs).
    public let order: Int
    /// The nodes c_i: stage i is evaluated at t + c_i h (sum_j a_ij unless given, exact for
    /// euler, midpoint and rk4; Dormand-Prince's are written as the rationals they are).
    public let nodes: [Double]
    /// The embedded solution's weights b*, for an adaptive pair.
    public let embedded: [Double]?

    public init(name: String, a: [[Double]], b: [Double], order: Int, nodes: [Double]? = nil, embedded: [Double]? = nil) {
        (self.name, self.a, self.b, self.order, self.embedded) = (name, a, b, order, embedded)
        self.nodes = nodes ?? a.map { $0.reduce(0, +) }
    }

    public var stages: Int { b.count }

    /// b - b*: the weights of the local error estimate h sum_j (b_j - b*_j) k_j.
    public var errorWeights: [Double]? { embedded.map { zip(b, $0).map { $0 - $1 } } }

    public static let euler = ExplicitRungeKutta(name: "euler", a: [[]], b: [1], order: 1)
    public static let midpoint = ExplicitRungeKutta(name: "midpoint", a: [[], [0.5]], b: [0, 1], order: 2)
    /// Classic RK4: 4 evaluations a step ("ResNet mode").
    public static let rk4 = ExplicitRungeKutta(name: "rk4", a: [[], [0.5], [0, 0.5], [0, 0, 1]], b: [1.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 6],
                                               order: 4)

    /// Dormand-Prince 5(4) (Hairer, Norsett & Wanner, Solving ODEs I, II.5, table 5.2): seven
    /// stages, the last evaluated at the fifth-order solution (FSAL: its row of a is b), the
    /// embedded fourth-order weights b* for the error estimate.
    public static let dopri5 = ExplicitRungeKutta(
        name: "dopri5",
        a: [[], [1.0 / 5], [3.0 / 40, 9.0 / 40], [44.0 / 45, -56.0 / 15, 32.0 / 9],
            [19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729],
            [9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656],
            [35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84]],
        b: [35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84, 0],
        order: 5,
        nodes: [0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1, 1],
        embedded: [5179.0 / 57600, 0, 7571.0 / 16695, 393.0 / 640, -92097.0 / 339200, 187.0 / 2100, 1.0 / 40])

    /// The forward pass: `steps` steps of h = (t1 - t0)/steps from x0 (B x d), keeping what every
    /// stage's vector-Jacobian product needs for the discrete adjoint.
    public func integrate<Field: ResidualField>(_ field: Field, from x0: [Double], batch: Int, t0: Double = 0, t1: Double = 1,
                                                steps: Int) -> FixedStepTrajectory<Field> {
        let h = (t1 - t0) / Double(steps)
        let c = nodes
        var x = x0
        var saved: [[Field.Saved]] = []
        saved.reserveCapacity(steps)
        var k: [[Double]] = []
        k.reserveCapacity(stages)
        for n in 0..<steps {
            let t = t0 + Double(n) * h
            k.removeAll(keepingCapacity: true)
            var stepSaved: [Field.Saved] = []
            stepSaved.reserveCapacity(stages)
            for i in 0..<stages {
                var input = x
                for (j, coefficient) in a[i].enumerated() where coefficient != 0 { BLAS.axpy(h * coefficient, k[j], &input) }
                let evaluated = field.evaluate(input, time: t + c[i] * h, batch: batch)
                stepSaved.append(evaluated.saved)
                k.append(evaluated.value)
            }
            for (i, weight) in b.enumerated() where weight != 0 { BLAS.axpy(h * weight, k[i], &x) }
            saved.append(stepSaved)
        }
        return FixedStepTrajectory(scheme: self, step: h, batch: batch, final: x, saved: saved, evaluations: steps * stages)
    }
}

/// A fixed-step solution with what its discrete adjoint needs.
public struct FixedStepTrajectory<Field: ResidualField>: Sendable {
    public let scheme: ExplicitRungeKutta
    public let step: Double
    public let batch: Int
    public let final: [Double]
    /// [step][stage] -> what the stage's vector-Jacobian product reuses, so that the adjoint
    /// evaluates no field.
    let saved: [[Field.Saved]]
    /// Field evaluations of the forward pass.
    public let evaluations: Int

    /// The discrete adjoint: exact reverse-mode differentiation of the scheme's own map. From
    /// lambda = dL/dx_N, each step backwards sets k_bar_i = h b_i lambda, then for i = s-1...0:
    /// X_bar_i = (df/dx(X_i))^T k_bar_i, theta_bar += k_bar_i^T df/dtheta(X_i),
    /// k_bar_j += h a_ij X_bar_i (j < i); and lambda <- lambda + sum_i X_bar_i.
    /// Returns dL/dx_0, adds dL/dtheta to `gradient`, and the number of vector-Jacobian products;
    /// `observe(n, lambda_n)` sees lambda = dL/dx_n at every step n from N - 1 down to 0.
    public func adjoint(_ field: Field, cotangent: [Double], gradient: inout [Double],
                        observe: ((Int, [Double]) -> Void)? = nil) -> (initial: [Double], evaluations: Int) {
        var lambda = cotangent
        let (a, b, h) = (scheme.a, scheme.b, step)
        let zero = [Double](repeating: 0, count: cotangent.count)
        for (n, stages) in saved.enumerated().reversed() {
            var kBar = b.map { _ in zero }
            for (i, weight) in b.enumerated() where weight != 0 { BLAS.axpy(h * weight, lambda, &kBar[i]) }
            var total = lambda
            for i in (0..<scheme.stages).reversed() {
                let xBar = field.pullback(stages[i], cotangent: kBar[i], batch: batch, scale: 1, gradient: &gradient)
                BLAS.axpy(1, xBar, &total)
                for (j, coefficient) in a[i].enumerated() where coefficient != 0 { BLAS.axpy(h * coefficient, xBar, &kBar[j]) }
            }
            lambda = total
            observe?(n, lambda)
        }
        return (lambda, saved.count * scheme.stages)
    }
}
