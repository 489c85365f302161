/// A vector field dx/dt = f(t, x; theta) of a residual network (<doc:Adjoint>), applied to a
/// batch at once: X is B x d row-major, one state per row, and the batch is one coupled ODE of
/// dimension B d. This is what the solvers, both adjoints and the diagnostics ask of a field;
/// conform a type to it to train and analyse your own field with every route of ``GradientRoute``.
public protocol ResidualField: Sendable {
    /// What a vector-Jacobian product at the same (t, X) reuses from the evaluation (for the MLP:
    /// X with phi and phi' of its hidden layer), so that the discrete adjoint evaluates no field.
    associatedtype Saved: Sendable

    /// d, the size of one state.
    var dimension: Int { get }
    /// theta flattened; gradients are laid out the same way.
    var parameterVector: [Double] { get }

    /// Doubles one evaluation of `batch` rows keeps in its ``Saved`` (for memory preflights of
    /// routes that store every evaluation, such as the discrete adjoint).
    func savedCount(batch: Int) -> Int

    /// F = f(t, X) (B x d) and what ``pullback(_:cotangent:batch:scale:gradient:)`` needs.
    func evaluate(_ x: [Double], time t: Double, batch: Int) -> (value: [Double], saved: Saved)

    /// Vector-Jacobian products at a saved point with cotangents P (B x d): returns
    /// (df/dx)^T p per state (B x d) and adds scale sum_b p_b^T df/dtheta(x_b) to `gradient`.
    func pullback(_ saved: Saved, cotangent p: [Double], batch: Int, scale: Double, gradient: inout [Double]) -> [Double]

    /// Jacobian-vector products (df/dx) v per state (B x d).
    func pushforward(_ x: [Double], time t: Double, tangent v: [Double], batch: Int) -> [Double]

    /// The exact Jacobian df/dx of one state (d x d, row-major).
    func jacobian(at x: [Double], time t: Double) -> [Double]

    /// Times in (0, 1) where f is not smooth in t (the knots of piecewise weights). Adaptive
    /// solves stop and restart there, as diffrax's jump_ts: a step across a kink spoils both the
    /// error estimate and the checkpoint's interpolant.
    var breakpoints: [Double] { get }
}

extension ResidualField {
    /// None: smooth in t.
    public var breakpoints: [Double] { [] }

    /// The number of trainable parameters.
    public var parameterCount: Int { parameterVector.count }

    /// F = f(t, X) for B states.
    public func callAsFunction(_ x: [Double], time t: Double = 0, batch: Int) -> [Double] {
        evaluate(x, time: t, batch: batch).value
    }

    /// ``pullback(_:cotangent:batch:scale:gradient:)`` at (t, X), evaluating the field there first.
    public func pullback(_ x: [Double], time t: Double = 0, cotangent p: [Double], batch: Int, scale: Double = 1,
                         gradient: inout [Double]) -> [Double] {
        pullback(evaluate(x, time: t, batch: batch).saved, cotangent: p, batch: batch, scale: scale, gradient: &gradient)
    }
}
