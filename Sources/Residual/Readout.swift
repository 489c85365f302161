import Foundation
import GSLKit

/// The classifier after the flow: logits = Wr x(T) + br, loss = mean softmax cross-entropy over
/// the batch (<doc:CirclesAnode3>) or the mean squared error of the logits
/// against one-hot targets, 1/(2B) sum_i |z_i - e_{y_i}|^2.
public struct Readout: Sendable {
    public enum Loss: String, CaseIterable, Sendable {
        case crossEntropy = "cross-entropy"
        case mse
    }

    /// Wr (classes x d) and br (classes), row-major.
    public struct Parameters: Sendable, Equatable {
        public var weights: [Double], biases: [Double]
        public let dimension: Int, classes: Int

        public init(weights: [Double], biases: [Double], dimension: Int, classes: Int) {
            precondition(weights.count == classes * dimension && biases.count == classes)
            (self.weights, self.biases, self.dimension, self.classes) = (weights, biases, dimension, classes)
        }

        public var flat: [Double] { weights + biases }
        public var zero: Parameters {
            Parameters(weights: .init(repeating: 0, count: weights.count), biases: .init(repeating: 0, count: classes), dimension: dimension, classes: classes)
        }
    }

    public var parameters: Parameters
    public var lossKind: Loss

    public init(parameters: Parameters, loss: Loss = .crossEntropy) {
        self.parameters = parameters
        self.lossKind = loss
    }

    /// Loss, accuracy, dL/dx(T) (B x d) and the readout's gradient, for final states X (B x d).
    /// Softmax by the log-sum-exp shift; dL/dlogits = (softmax - onehot)/B for the cross-entropy,
    /// (z - onehot)/B for the squared error. Accuracy: the largest logit is the label.
    public func loss(_ x: [Double], labels: [Int]) -> (loss: Double, accuracy: Double, stateGradient: [Double], gradient: Parameters) {
        let b = labels.count, d = parameters.dimension, c = parameters.classes
        var logits = [Double](repeating: 0, count: b * c)
        for i in 0..<b { for j in 0..<c { logits[i * c + j] = parameters.biases[j] } }
        BLAS.gemm(m: b, n: c, k: d, a: x, b: parameters.weights, transposeB: true, beta: 1, c: &logits)
        var loss = 0.0, correct = 0
        var dLogits = [Double](repeating: 0, count: b * c)
        for i in 0..<b {
            let row = logits[(i * c)..<((i + 1) * c)]
            // The largest logit (NaN never is: a diverged state gives a NaN loss, not a trap).
            var best = i * c
            for j in row.indices where row[j] > row[best] { best = j }
            let top = row[best]
            let sum = row.reduce(0) { $0 + exp($1 - top) }
            if best - i * c == labels[i] && top.isFinite { correct += 1 }
            switch lossKind {
            case .crossEntropy:
                loss += (top + log(sum) - row[i * c + labels[i]]) / Double(b)
                for j in 0..<c { dLogits[i * c + j] = (exp(row[i * c + j] - top) / sum - (j == labels[i] ? 1 : 0)) / Double(b) }
            case .mse:
                for j in 0..<c {
                    let residual = row[i * c + j] - (j == labels[i] ? 1 : 0)
                    loss += 0.5 * residual * residual / Double(b)
                    dLogits[i * c + j] = residual / Double(b)
                }
            }
        }
        var stateGradient = [Double](repeating: 0, count: b * d)
        BLAS.gemm(m: b, n: d, k: c, a: dLogits, b: parameters.weights, c: &stateGradient)
        var gradient = parameters.zero
        BLAS.gemm(m: c, n: d, k: b, a: dLogits, transposeA: true, b: x, c: &gradient.weights)
        for i in 0..<b { for j in 0..<c { gradient.biases[j] += dLogits[i * c + j] } }
        return (loss, Double(correct) / Double(b), stateGradient, gradient)
    }
}
