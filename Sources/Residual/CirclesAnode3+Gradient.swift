/// The loss of circles-anode3 and its exact gradient for a fixed-step scheme by the discrete
/// adjoint (DESIGN.md sections 4 and 6: `neurodyn residual gradient --method discrete`).
public struct ResidualGradient: Sendable {
    public var loss: Double
    public var accuracy: Double
    /// The field's parameters then the readout's (for circles-anode3's MLP 235 values: W1, b1, W2, b2, Wr, br).
    public var gradient: [Double]
    public var forwardEvaluations: Int
    public var backwardEvaluations: Int
}

extension CirclesAnode3 {
    /// Loss and gradient at the given parameters, flowing the batch over t in [0, 1] with
    /// `steps` steps of `scheme`.
    public static func gradient<Field: ResidualField>(field: Field, readout: Readout, inputs: [Double], labels: [Int],
                                                      scheme: ExplicitRungeKutta, steps: Int) -> ResidualGradient {
        let trajectory = scheme.integrate(field, from: inputs, batch: labels.count, steps: steps)
        let head = readout.loss(trajectory.final, labels: labels)
        var fieldGradient = [Double](repeating: 0, count: field.parameterCount)
        let backward = trajectory.adjoint(field, cotangent: head.stateGradient, gradient: &fieldGradient)
        return ResidualGradient(loss: head.loss, accuracy: head.accuracy, gradient: fieldGradient + head.gradient.flat,
                                forwardEvaluations: trajectory.evaluations, backwardEvaluations: backward.evaluations)
    }
}
