import Foundation
import GSLKit

/// Adam (Kingma & Ba 2015): m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2,
/// theta -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps); as torch.optim.Adam and optax.adam.
public struct Adam: Sendable, Equatable {
    public var learningRate: Double, beta1: Double, beta2: Double, epsilon: Double
    var m: [Double] = [], v: [Double] = [], step = 0

    public init(learningRate: Double = 1e-2, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8) {
        (self.learningRate, self.beta1, self.beta2, self.epsilon) = (learningRate, beta1, beta2, epsilon)
    }

    public mutating func update(_ parameters: inout [Double], gradient: [Double]) {
        if m.isEmpty { (m, v) = ([Double](repeating: 0, count: gradient.count), [Double](repeating: 0, count: gradient.count)) }
        step += 1
        let (c1, c2) = (1 - pow(beta1, Double(step)), 1 - pow(beta2, Double(step)))
        for k in parameters.indices {
            m[k] = beta1 * m[k] + (1 - beta1) * gradient[k]
            v[k] = beta2 * v[k] + (1 - beta2) * gradient[k] * gradient[k]
            parameters[k] -= learningRate * (m[k] / c1) / ((v[k] / c2).squareRoot() + epsilon)
        }
    }
}

/// Plain (momentum) stochastic gradient descent: v = mu v + g, theta -= lr v (torch.optim.SGD).
public struct SGD: Sendable, Equatable {
    public var learningRate: Double, momentum: Double
    var velocity: [Double] = []

    public init(learningRate: Double = 1e-1, momentum: Double = 0) {
        (self.learningRate, self.momentum) = (learningRate, momentum)
    }

    public mutating func update(_ parameters: inout [Double], gradient: [Double]) {
        if velocity.isEmpty { velocity = [Double](repeating: 0, count: gradient.count) }
        for k in parameters.indices {
            velocity[k] = momentum * velocity[k] + gradient[k]
            parameters[k] -= learningRate * velocity[k]
        }
    }
}

/// The optimiser of a training run, passed as a value.
public enum Optimizer: Sendable, Equatable {
    case adam(Adam)
    case sgd(SGD)

    /// The step size, for messages.
    public var learningRate: Double {
        switch self {
        case .adam(let adam): adam.learningRate
        case .sgd(let sgd): sgd.learningRate
        }
    }

    mutating func update(_ parameters: inout [Double], gradient: [Double]) {
        switch self {
        case .adam(var adam): adam.update(&parameters, gradient: gradient); self = .adam(adam)
        case .sgd(var sgd): sgd.update(&parameters, gradient: gradient); self = .sgd(sgd)
        }
    }
}

/// Training on a problem (circles-anode3 by default, <doc:CirclesAnode3>): from the initial
/// parameters, `steps` optimiser steps on the gradient by `route`, full batch or on mini-batches
/// of `batchSize` points drawn without replacement (step k from SplitMix64.derive(seed, k): the
/// batch is one coupled ODE of dimension 3 B), logging each step.
public struct ResidualTraining: Sendable {
    public var route: GradientRoute
    public var optimizer: Optimizer
    public var steps: Int
    public var problem: ResidualProblem
    public var loss: Readout.Loss
    /// nil: full batch.
    public var batchSize: Int?
    public var seed: UInt64
    /// Knots of time-dependent weights (1: the time-independent field; see ``TimeDependentMLPField``).
    public var knots: Int
    /// Threads of fixed-step routes (see ``lossAndGradient(field:readout:inputs:labels:route:threads:)``): the bits do not depend on it.
    public var threads: Int

    /// The most knots a training run (and `neurodyn residual`) takes.
    public static let maximumKnots = 1000

    public struct Step: Sendable {
        public var loss: Double, accuracy: Double
        public var forwardEvaluations: Int, backwardEvaluations: Int
        public var milliseconds: Double
    }

    public init(route: GradientRoute, optimizer: Optimizer = .adam(Adam()), steps: Int = 200, problem: ResidualProblem = .circlesAnode3,
                loss: Readout.Loss = .crossEntropy, batchSize: Int? = nil, seed: UInt64 = 1, threads: Int = 1, knots: Int = 1) throws(ResidualError) {
        guard threads >= 1 else { throw .invalidParameter(name: "threads", reason: "must be >= 1, got \(threads)") }
        guard (1...Self.maximumKnots).contains(knots) else {
            throw .invalidParameter(name: "knots", reason: "must be between 1 and \(Self.maximumKnots), got \(knots)")
        }
        self.knots = knots
        guard steps >= 1, steps <= 1_000_000 else { throw .invalidParameter(name: "steps", reason: "must be between 1 and 1000000, got \(steps)") }
        if let batchSize, batchSize < 1 || batchSize > ResidualProblem.count {
            throw .invalidParameter(name: "batch-size", reason: "must be between 1 and \(ResidualProblem.count), got \(batchSize)")
        }
        (self.route, self.optimizer, self.steps, self.problem, self.loss, self.batchSize, self.seed, self.threads) =
            (route, optimizer, steps, problem, loss, batchSize, seed, threads)
    }

    /// The points of step k: all of them, or a mini-batch drawn by a partial Fisher-Yates shuffle.
    func batch(_ k: Int, inputs: [Double], labels: [Int]) -> (inputs: [Double], labels: [Int]) {
        guard let size = batchSize, size < labels.count else { return (inputs, labels) }
        var generator = SplitMix64(seed: SplitMix64.derive(base: seed, index: UInt64(k)))
        var order = Array(labels.indices)
        for i in 0..<size { order.swapAt(i, i + Int(generator.next() % UInt64(order.count - i))) }
        let chosen = order.prefix(size)
        return (chosen.flatMap { inputs[3 * $0 ..< 3 * $0 + 3] }, chosen.map { labels[$0] })
    }

    /// The log of every step (loss and accuracy before that step's update) and the final
    /// parameters (W1, b1, W2, b2 at every knot, then Wr, br).
    public func run(progress: ((Int, Int) -> Void)? = nil) throws(ResidualError) -> (log: [Step], parameters: [Double]) {
        let (inputs, labels) = problem.data()
        var flat = ResidualProblem.initialParameters(knots: knots)
        var optimizer = optimizer
        var log: [Step] = []
        for step in 0..<steps {
            let started = DispatchTime.now().uptimeNanoseconds
            let (x, y) = batch(step, inputs: inputs, labels: labels)
            let result: ResidualGradient
            do {
                result = try lossAndGradient(parameters: flat, knots: knots, loss: loss, inputs: x, labels: y, route: route,
                                             threads: threads)
            } catch let error where step > 0 && error.isSolverFailure {
                // The first step's solves finished on the initial parameters: the updates made the field unsolvable.
                throw .nonFinite("training diverged at step \(step + 1) of \(steps): the solver gave up on the updated field (\(error.reason)); lower the learning rate (now \(optimizer.learningRate))")
            }
            guard result.loss.isFinite, result.gradient.allSatisfy(\.isFinite) else {
                throw .nonFinite("training diverged at step \(step + 1) of \(steps): the loss is \(result.loss)"
                                 + (result.loss.isFinite ? " but its gradient is not finite" : "")
                                 + "; lower the learning rate (now \(optimizer.learningRate))")
            }
            optimizer.update(&flat, gradient: result.gradient)
            log.append(Step(loss: result.loss, accuracy: result.accuracy, forwardEvaluations: result.forwardEvaluations,
                            backwardEvaluations: result.backwardEvaluations,
                            milliseconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6))
            progress?(step + 1, steps)
        }
        return (log, flat)
    }

    /// The loss and accuracy of `parameters` (as ``run(progress:)`` returns them) on all the
    /// problem's points: in one solve, or for an implicit stepper, whose dense Jacobian couples the
    /// whole batch, in pieces of `batchSize` points, averaged with weights (piece size) / (points).
    public func evaluate(_ parameters: [Double]) throws(ResidualError) -> (loss: Double, accuracy: Double) {
        let (inputs, labels) = problem.data()
        var piece = labels.count
        if case .continuous(let solver, _, _) = route, solver.needsJacobian { piece = batchSize ?? labels.count }
        var total = (loss: 0.0, accuracy: 0.0)
        for start in stride(from: 0, to: labels.count, by: piece) {
            let end = Swift.min(labels.count, start + piece), weight = Double(end - start) / Double(labels.count)
            let part = try lossAndGradient(parameters: parameters, knots: knots, loss: loss, inputs: Array(inputs[(3 * start)..<(3 * end)]),
                                           labels: Array(labels[start..<end]), route: route, threads: threads)
            total = (total.loss + weight * part.loss, total.accuracy + weight * part.accuracy)
        }
        return total
    }
}

extension MLPField.Parameters {
    /// The same shapes filled from W1, b1, W2, b2 flattened.
    public func with(flat: ArraySlice<Double>) -> Self {
        var values = Array(flat)
        func take(_ n: Int) -> [Double] { defer { values.removeFirst(n) }; return Array(values.prefix(n)) }
        return Self(w1: take(w1.count), b1: take(b1.count), w2: take(w2.count), b2: take(b2.count), dimension: dimension, hidden: hidden)
    }
}

extension Readout.Parameters {
    /// The same shapes filled from Wr, br flattened.
    public func with(flat: ArraySlice<Double>) -> Self {
        let values = Array(flat)
        return Self(weights: Array(values[0..<weights.count]), biases: Array(values[weights.count...]), dimension: dimension, classes: classes)
    }
}
