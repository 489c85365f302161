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

/// Full-batch training of circles-anode3 (DESIGN.md section 4): from the initial parameters,
/// `steps` Adam steps on the gradient by `route`, logging each step.
public struct ResidualTraining: Sendable {
    public var route: GradientRoute
    public var optimizer: Adam
    public var steps: Int

    public struct Step: Sendable {
        public var loss: Double, accuracy: Double
        public var forwardEvaluations: Int, backwardEvaluations: Int
        public var milliseconds: Double
    }

    public init(route: GradientRoute, optimizer: Adam = Adam(), steps: Int = 200) throws(ResidualError) {
        guard steps >= 1, steps <= 1_000_000 else { throw .invalidParameter(name: "steps", reason: "must be between 1 and 1000000, got \(steps)") }
        (self.route, self.optimizer, self.steps) = (route, optimizer, steps)
    }

    /// The log of every step (loss and accuracy before that step's update) and the final
    /// parameters (W1, b1, W2, b2, Wr, br).
    public func run(progress: ((Int, Int) -> Void)? = nil) throws(ResidualError) -> (log: [Step], parameters: [Double]) {
        let (inputs, labels) = CirclesAnode3.data()
        let (field0, readout0) = CirclesAnode3.initialParameters()
        var flat = field0.flat + readout0.flat
        var optimizer = optimizer
        var log: [Step] = []
        let fieldCount = field0.count
        // The products are small (k = 3 or 32): OpenBLAS's threads would cost more than they save.
        let savedThreads = BLAS.threads
        BLAS.threads = 1
        defer { BLAS.threads = savedThreads }
        for step in 0..<steps {
            let started = DispatchTime.now().uptimeNanoseconds
            let field = MLPField(parameters: field0.with(flat: flat[0..<fieldCount]))
            let readout = Readout(parameters: readout0.with(flat: flat[fieldCount...]))
            let result = try CirclesAnode3.gradient(field: field, readout: readout, inputs: inputs, labels: labels, route: route)
            optimizer.update(&flat, gradient: result.gradient)
            log.append(Step(loss: result.loss, accuracy: result.accuracy, forwardEvaluations: result.forwardEvaluations,
                            backwardEvaluations: result.backwardEvaluations,
                            milliseconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6))
            progress?(step + 1, steps)
        }
        return (log, flat)
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
