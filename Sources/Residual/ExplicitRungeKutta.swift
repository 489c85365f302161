import GSLKit

/// An explicit Runge-Kutta scheme given by its Butcher tableau (a strictly lower triangular,
/// weights b), stepped with a fixed step: the residual network of DESIGN.md section 4 (Euler is
/// x_{n+1} = x_n + h f(x_n)).
public struct ExplicitRungeKutta: Sendable, Equatable {
    public let name: String
    /// a[i][j] for j < i.
    public let a: [[Double]]
    public let b: [Double]

    public var stages: Int { b.count }

    public static let euler = ExplicitRungeKutta(name: "euler", a: [[]], b: [1])
    public static let midpoint = ExplicitRungeKutta(name: "midpoint", a: [[], [0.5]], b: [0, 1])
    /// Classic RK4: 4 evaluations a step ("ResNet mode").
    public static let rk4 = ExplicitRungeKutta(name: "rk4", a: [[], [0.5], [0, 0.5], [0, 0, 1]], b: [1.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 6])

    /// The forward pass: `steps` steps of h = (t1 - t0)/steps from x0 (B x d), keeping every
    /// stage's input X_i = x + h sum_j a_ij k_j for the discrete adjoint.
    public func integrate(_ field: MLPField, from x0: [Double], batch: Int, t0: Double = 0, t1: Double = 1,
                          steps: Int) -> FixedStepTrajectory {
        let h = (t1 - t0) / Double(steps)
        var x = x0
        var stageInputs: [[Stage]] = []
        stageInputs.reserveCapacity(steps)
        var k: [[Double]] = []
        k.reserveCapacity(stages)
        for _ in 0..<steps {
            k.removeAll(keepingCapacity: true)
            var inputs: [Stage] = []
            inputs.reserveCapacity(stages)
            for i in 0..<stages {
                var input = x
                for (j, coefficient) in a[i].enumerated() where coefficient != 0 { BLAS.axpy(h * coefficient, k[j], &input) }
                let evaluated = field.evaluate(input, batch: batch)
                inputs.append(Stage(input: input, hidden: evaluated.hidden, slopes: evaluated.slopes))
                k.append(evaluated.value)
            }
            for (i, weight) in b.enumerated() where weight != 0 { BLAS.axpy(h * weight, k[i], &x) }
            stageInputs.append(inputs)
        }
        return FixedStepTrajectory(scheme: self, step: h, batch: batch, final: x, stageInputs: stageInputs,
                                   evaluations: steps * stages)
    }
}

/// A fixed-step solution with what its discrete adjoint needs.
public struct FixedStepTrajectory: Sendable {
    public let scheme: ExplicitRungeKutta
    public let step: Double
    public let batch: Int
    public let final: [Double]
    /// [step][stage] -> X_i (B x d) with phi and phi' of its hidden layer, so that the adjoint
    /// evaluates no field.
    let stageInputs: [[Stage]]
    /// Field evaluations of the forward pass.
    public let evaluations: Int

    /// The discrete adjoint: exact reverse-mode differentiation of the scheme's own map. From
    /// lambda = dL/dx_N, each step backwards sets k_bar_i = h b_i lambda, then for i = s-1...0:
    /// X_bar_i = (df/dx(X_i))^T k_bar_i, theta_bar += k_bar_i^T df/dtheta(X_i),
    /// k_bar_j += h a_ij X_bar_i (j < i); and lambda <- lambda + sum_i X_bar_i.
    /// Returns dL/dx_0, adds dL/dtheta to `gradient`, and the number of vector-Jacobian products.
    public func adjoint(_ field: MLPField, cotangent: [Double], gradient: inout MLPField.Parameters) -> (initial: [Double], evaluations: Int) {
        var lambda = cotangent
        let (a, b, h) = (scheme.a, scheme.b, step)
        let zero = [Double](repeating: 0, count: cotangent.count)
        for inputs in stageInputs.reversed() {
            var kBar = b.map { _ in zero }
            for (i, weight) in b.enumerated() where weight != 0 { BLAS.axpy(h * weight, lambda, &kBar[i]) }
            var total = lambda
            for i in (0..<scheme.stages).reversed() {
                let stage = inputs[i]
                let xBar = field.pullback(stage.input, hidden: stage.hidden, slopes: stage.slopes, cotangent: kBar[i], batch: batch,
                                          gradient: &gradient)
                BLAS.axpy(1, xBar, &total)
                for (j, coefficient) in a[i].enumerated() where coefficient != 0 { BLAS.axpy(h * coefficient, xBar, &kBar[j]) }
            }
            lambda = total
        }
        return (lambda, stageInputs.count * scheme.stages)
    }
}

/// A stage's input X_i with phi(Z_i) and phi'(Z_i) of its hidden layer.
struct Stage: Sendable {
    var input: [Double]
    var hidden: [Double]
    var slopes: [Double]
}
