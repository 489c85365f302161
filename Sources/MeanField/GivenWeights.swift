/// Weights supplied rather than drawn (trained, or constructed, such as scaled orthogonal
/// matrices): ``WeightSampling/given(_:)`` runs ``RandomNetwork/forward(network:seed:input:sampling:lengthsOnly:observe:)``
/// through them, so every network of an ensemble is this one and the seed only matters for the
/// input's own randomness.
///
/// Layer j maps a fan-in of `widths[j]` to `widths[j + 1]`: h = W phi(h_prev) + b with W
/// row-major `widths[j + 1] x widths[j]`. The layers cover every layer that draws weights: 2...L
/// for ``NetworkInput/Source/preactivations(_:)`` and ``NetworkInput/Source/kernel(_:)`` inputs,
/// 1...L for ``NetworkInput/Source/signals(_:dimension:)`` (where `widths[0]` is N_0).
public struct GivenWeights: Sendable, Equatable {
    public let widths: [Int]
    public let weights: [[Double]]
    public let biases: [[Double]]

    public init(widths: [Int], weights: [[Double]], biases: [[Double]]) throws(MeanFieldError) {
        guard widths.count == weights.count + 1, biases.count == weights.count else {
            throw .invalidParameter(name: "weights", reason: "\(weights.count) weight matrices and \(biases.count) bias vectors need \(weights.count + 1) widths, got \(widths.count)")
        }
        for (j, matrix) in weights.enumerated() {
            guard matrix.count == widths[j + 1] * widths[j] else {
                throw .invalidParameter(name: "weights", reason: "layer \(j) must be \(widths[j + 1]) x \(widths[j]), got \(matrix.count) values")
            }
            guard biases[j].count == widths[j + 1] else {
                throw .invalidParameter(name: "biases", reason: "layer \(j) needs \(widths[j + 1]) biases, got \(biases[j].count)")
            }
            guard matrix.allSatisfy(\.isFinite), biases[j].allSatisfy(\.isFinite) else {
                throw .invalidParameter(name: "weights", reason: "layer \(j) holds a non-finite value")
            }
        }
        (self.widths, self.weights, self.biases) = (widths, weights, biases)
    }

    /// Checks that these layers are the ones `network` draws for `input`.
    public func validate(for network: RandomNetwork, input: NetworkInput) throws(MeanFieldError) {
        let expected: [Int]
        if case .signals(_, let dimension) = input.source { expected = [dimension] + network.widths } else { expected = network.widths }
        guard expected == widths else {
            throw .invalidParameter(name: "weights", reason: "the layers' widths \(widths) do not match the network and its input, \(expected)")
        }
    }
}
