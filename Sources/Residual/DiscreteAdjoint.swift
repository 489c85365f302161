import GSLKit

/// A loss at given parameters and its exact gradient, as ``lossAndGradient(field:readout:inputs:labels:route:threads:)``
/// returns them, with the solves' cost.
public struct ResidualGradient: Sendable {
    public var loss: Double
    public var accuracy: Double
    /// The field's parameters then the readout's (for circles-anode3's MLP 235 values: W1, b1, W2, b2, Wr, br).
    public var gradient: [Double]
    public var forwardEvaluations: Int
    public var backwardEvaluations: Int
}

/// Rows per task of a fixed-step gradient. Under a fixed step the rows of the batch never
/// interact, so blocks of rows are integrated and backpropagated as independent tasks; the
/// blocks do not depend on the thread count and their gradients are added in block order, so
/// the result has the same bits for any number of threads.
let fixedStepRowsPerTask = 128

/// Loss and gradient at the given parameters, flowing the batch over t in [0, 1] with `steps`
/// steps of `scheme`, blocks of rows spread over `threads` threads, back by the discrete adjoint
/// (the exact gradient of the scheme's own map).
func discreteLossAndGradient<Field: ResidualField>(field: Field, readout: Readout, inputs: [Double], labels: [Int],
                                               scheme: ExplicitRungeKutta, steps: Int, threads: Int = 1) -> ResidualGradient {
    let batch = labels.count, d = field.dimension, m = field.parameterCount
    let tasks = (batch + fixedStepRowsPerTask - 1) / fixedStepRowsPerTask
    @Sendable func rows(_ task: Int) -> Range<Int> { (task * fixedStepRowsPerTask * d)..<(min(batch, (task + 1) * fixedStepRowsPerTask) * d) }
    let trajectories = SharedResults<FixedStepTrajectory<Field>?>(repeating: nil, count: tasks)
    parallelTasks(count: tasks, threads: threads) { task in
        let range = rows(task)
        trajectories[task] = scheme.integrate(field, from: Array(inputs[range]), batch: range.count / d, steps: steps)
    }
    let head = readout.loss((0..<tasks).flatMap { trajectories[$0]!.final }, labels: labels)
    let partials = SharedResults<[Double]>(repeating: [], count: tasks)
    parallelTasks(count: tasks, threads: threads) { task in
        var gradient = [Double](repeating: 0, count: m)
        _ = trajectories[task]!.adjoint(field, cotangent: Array(head.stateGradient[rows(task)]), gradient: &gradient)
        partials[task] = gradient
    }
    var fieldGradient = [Double](repeating: 0, count: m)
    for task in 0..<tasks { BLAS.axpy(1, partials[task], &fieldGradient) }
    let evaluations = scheme.stages * steps  // of the whole batch's field, as the anchors count them
    return ResidualGradient(loss: head.loss, accuracy: head.accuracy, gradient: fieldGradient + head.gradient.flat,
                            forwardEvaluations: evaluations, backwardEvaluations: evaluations)
}
