import Activations
import Foundation
import GSLKit
import MeanField
import Testing

@Suite struct FiniteWidthTests {
    @Test func reluAtCriticalityVarianceGrowsAs5lMinus3() throws {
        // V(q) = q, V' = 1, V'' = 0, S(q) = 4 (3q^2/2 - q^2/4) = 5 q^2, so s_l = 5 (l - 1) q^2.
        let theory = try MeanFieldModel(activation: .relu, sigmaW2: 2, sigmaB2: 0)
            .finiteWidth(q1: 1.7, depth: 30, using: GaussianIntegrator(activation: .relu))
        for (k, layer) in theory.layers.enumerated() {
            #expect(abs(theory.nVar[k] / (1.7 * 1.7) - Double(5 * layer - 3)) < 1e-12 * Double(layer))
            #expect(theory.m[k] == 0)
        }
    }

    @Test func linearNetworkHasNoMeanCorrection() throws {
        // phi = u: V'' = 0 so m_l = 0; S(q) = 2 sigma_w^4 q^2.
        let theory = try MeanFieldModel(activation: .linear, sigmaW2: 0.8, sigmaB2: 0.1)
            .finiteWidth(q1: 1, depth: 6, using: GaussianIntegrator(activation: .linear))
        #expect(theory.m.allSatisfy { $0 == 0 })
        var s = 0.0
        for k in 1..<theory.layers.count {
            s = 0.64 * s + 2 * 0.64 * theory.q[k - 1] * theory.q[k - 1]
            #expect(abs(theory.s[k] - s) < 1e-14)
        }
    }

    @Test func badInputNamesTheParameter() throws {
        let model = try MeanFieldModel(activation: .tanh, sigmaW2: 1, sigmaB2: 0)
        let integrator = GaussianIntegrator(activation: .tanh)
        #expect(throws: MeanFieldError.invalidParameter(name: "q1", reason: "the layer-1 length must be > 0, got 0.0")) {
            try model.finiteWidth(q1: 0, depth: 3, using: integrator)
        }
        #expect(throws: MeanFieldError.self) { try model.finiteWidth(q1: 1, depth: 0, using: integrator) }
    }

    /// q_hat^l = |h^l|^2/N over `trials` independent networks, written here from the definition
    /// (Box-Muller normals from SplitMix64, plain loops): h^1_i ~ N(0, q1) i.i.d.,
    /// h^{l+1} = W phi(h^l) + b, W_ij ~ N(0, sigma_w^2/N), b_i ~ N(0, sigma_b^2).
    static func simulate(_ activation: Activation, sigmaW2: Double, sigmaB2: Double, q1: Double,
                         width n: Int, depth: Int, trials: Int, seed: UInt64) -> [[Double]] {
        var generator = SplitMix64(seed: seed)
        func normal() -> Double {
            let u1 = 1 - generator.nextDouble(), u2 = generator.nextDouble()
            return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
        }
        var samples = [[Double]](repeating: [], count: depth)
        var h = [Double](repeating: 0, count: n), next = h
        for _ in 0..<trials {
            for i in 0..<n { h[i] = q1.squareRoot() * normal() }
            for layer in 0..<depth {
                samples[layer].append(h.reduce(0) { $0 + $1 * $1 } / Double(n))
                guard layer + 1 < depth else { break }
                let x = h.map { activation.derivatives($0).d0 }
                for i in 0..<n {
                    var sum = sigmaB2.squareRoot() * normal()
                    for j in 0..<n { sum += (sigmaW2 / Double(n)).squareRoot() * normal() * x[j] }
                    next[i] = sum
                }
                swap(&h, &next)
            }
        }
        return samples
    }

    @Test func theoryMatchesMonteCarloWithinStandardErrors() throws {
        // tanh, sigma_w^2 = 1.69, sigma_b^2 = 0.09, q1 = 1, N = 20, 3000 networks, 4 layers.
        // Tolerance: 4 standard errors (from the sample's own spread) plus the O(1/N^2) terms the
        // theory drops, allowed as 2 n_var / N^2 for the variance and 2 |m| / N^2 + 1/N^2 for the mean.
        let (n, trials) = (20, 3000)
        let model = try MeanFieldModel(activation: .tanh, sigmaW2: 1.69, sigmaB2: 0.09)
        let theory = try model.finiteWidth(q1: 1, depth: 4, using: GaussianIntegrator(activation: .tanh))
        let samples = Self.simulate(.tanh, sigmaW2: 1.69, sigmaB2: 0.09, q1: 1, width: n, depth: 4, trials: trials, seed: 20261122)
        let width = Double(n), count = Double(trials)
        for (k, values) in samples.enumerated() {
            let mean = values.reduce(0, +) / count
            let centred = values.map { $0 - mean }
            let variance = centred.reduce(0) { $0 + $1 * $1 } / (count - 1)
            let fourth = centred.reduce(0) { $0 + pow($1, 4) } / count
            let meanError = (variance / count).squareRoot()
            let varianceError = ((fourth - variance * variance) / count).squareRoot()
            let predictedMean = theory.q[k] + theory.m[k] / width
            let predictedVariance = theory.nVar[k] / width
            #expect(abs(mean - predictedMean) < 4 * meanError + (2 * abs(theory.m[k]) + 1) / (width * width), "layer \(k + 1) mean")
            #expect(abs(variance - predictedVariance) < 4 * varianceError + 2 * theory.nVar[k] / (width * width),
                    "layer \(k + 1) variance \(variance) vs \(predictedVariance)")
            // The finite-width variance is resolved: it differs from the naive 2 q^2/N by many errors.
            if k >= 1 {
                #expect(abs(variance - 2 * theory.q[k] * theory.q[k] / width) > 4 * varianceError)
            }
        }
    }
}
