import Activations

/// The MLP field with time-dependent weights, f(t, x) = W2(t) phi(W1(t) x + b1(t)) + b2(t): the
/// continuous-depth limit of a ResNet whose blocks have their own weights. theta(t) interpolates
/// linearly between K knots (``KnotGrid``); evaluations and products are those of ``MLPField`` at
/// theta(t), and the parameter gradient of a product at time t is spread over the two knots
/// around t by their hat weights.
public struct TimeDependentMLPField: ResidualField {
    /// theta_m = [W1, b1, W2, b2] at knot m, one after the other (K x the MLP's parameter count).
    public var knotParameters: [Double]
    public let shape: MLPField.Parameters
    public let grid: KnotGrid
    public let activation: Activation

    /// Every knot starts from `initial` (the field then equals the time-independent one).
    public init(initial: MLPField.Parameters, knots: Int, activation: Activation = .tanh) throws(ResidualError) {
        grid = try KnotGrid(knots: knots)
        (shape, self.activation) = (initial, activation)
        knotParameters = Array((0..<knots).map { _ in initial.flat }.joined())
    }

    public init(knotParameters: [Double], shape: MLPField.Parameters, knots: Int, activation: Activation = .tanh) throws(ResidualError) {
        grid = try KnotGrid(knots: knots)
        guard knotParameters.count == knots * shape.count else {
            throw .invalidParameter(name: "parameters", reason: "need \(knots) x \(shape.count) values, got \(knotParameters.count)")
        }
        (self.knotParameters, self.shape, self.activation) = (knotParameters, shape, activation)
    }

    public var dimension: Int { shape.dimension }
    /// The MLP's saved rows and the weights at that time.
    public func savedCount(batch: Int) -> Int { batch * (shape.dimension + 2 * shape.hidden) + shape.count }
    public var parameterVector: [Double] { knotParameters }
    public var breakpoints: [Double] { grid.breakpoints }

    /// The time-independent field with theta(t).
    public func field(at t: Double) -> MLPField {
        MLPField(parameters: shape.with(flat: grid.interpolate(knotParameters, size: shape.count, at: t)[...]), activation: activation)
    }

    public struct Saved: Sendable {
        var time: Double
        var field: MLPField
        var inner: MLPField.Saved
    }

    public func evaluate(_ x: [Double], time t: Double, batch: Int) -> (value: [Double], saved: Saved) {
        let field = field(at: t), evaluated = field.evaluate(x, time: t, batch: batch)
        return (evaluated.value, Saved(time: t, field: field, inner: evaluated.saved))
    }

    public func pullback(_ saved: Saved, cotangent p: [Double], batch: Int, scale: Double = 1, gradient: inout [Double]) -> [Double] {
        precondition(gradient.count == knotParameters.count)
        var local = [Double](repeating: 0, count: shape.count)
        let xBar = saved.field.pullback(saved.inner, cotangent: p, batch: batch, scale: 1, gradient: &local)
        grid.spread(local, at: saved.time, scale: scale, into: &gradient)
        return xBar
    }

    public func pushforward(_ x: [Double], time t: Double, tangent v: [Double], batch: Int) -> [Double] {
        field(at: t).pushforward(x, time: t, tangent: v, batch: batch)
    }

    public func jacobian(at x: [Double], time t: Double) -> [Double] { field(at: t).jacobian(at: x, time: t) }
}

extension ResidualProblem {
    /// The problems' parameters for a field with `knots` knots: the 227 initial field parameters
    /// at every knot, then the readout's 8 (knots = 1: the benchmark's 235 values, <doc:CirclesAnode3>).
    public static func initialParameters(knots: Int) -> [Double] {
        let (field, readout) = initialParameters()
        return Array(repeatElement(field.flat, count: max(knots, 1)).joined()) + readout.flat
    }
}

/// ``lossAndGradient(field:readout:inputs:labels:route:threads:)`` at flat parameters laid out as
/// ``ResidualProblem/initialParameters(knots:)``: the time-independent ``MLPField`` for one knot,
/// ``TimeDependentMLPField`` otherwise.
public func lossAndGradient(parameters flat: [Double], knots: Int, loss: Readout.Loss = .crossEntropy, inputs: [Double], labels: [Int],
                            route: GradientRoute, threads: Int = 1) throws(ResidualError) -> ResidualGradient {
    let (field0, readout0) = ResidualProblem.initialParameters()
    let fieldCount = knots * field0.count
    guard flat.count == fieldCount + readout0.flat.count else {
        throw .invalidParameter(name: "parameters", reason: "need \(fieldCount + readout0.flat.count) values for \(knots) knots, got \(flat.count)")
    }
    let readout = Readout(parameters: readout0.with(flat: flat[fieldCount...]), loss: loss)
    if knots == 1 {
        return try lossAndGradient(field: MLPField(parameters: field0.with(flat: flat[0..<fieldCount])), readout: readout, inputs: inputs,
                                   labels: labels, route: route, threads: threads)
    }
    let field = try TimeDependentMLPField(knotParameters: Array(flat[0..<fieldCount]), shape: field0, knots: knots)
    return try lossAndGradient(field: field, readout: readout, inputs: inputs, labels: labels, route: route, threads: threads)
}
