import Foundation
import GSLKit
import MeanField
import Testing

/// The Monte-Carlo networks against exact finite-N laws, the 1/N theory and themselves.
/// Every tolerance is a number of standard errors computed from the sample (stated per test),
/// plus, where the theory is first order, the size of the 1/N^2 terms it drops.
@Suite struct RandomNetworkTests {
    static let tanh = try! MeanFieldModel(activation: .tanh, sigmaW2: 1.69, sigmaB2: 0.09)

    @Test func reluLengthsFollowTheExactFiniteWidthLaw() throws {
        // relu at sigma_w^2 = 2, sigma_b^2 = 0 is scale invariant: q_hat^{l+1} = q_hat^l R_l with
        // R_l = (2/N) sum relu(z_i)^2 i.i.d., E R = 1, Var R = 5/N, and q_hat^1 = q1 chi^2_N / N.
        // So exactly E[q_hat^l] = q1, E[q_hat^l^2] = q1^2 (1 + 2/N)(1 + 5/N)^(l-1), and to first
        // order N Var/q^2 = 5l - 3. 4000 networks of width 64, streamed weights: the variance's
        // standard error is ~2.6% of it; tolerance 4 standard errors.
        let (width, depth, trials, q1) = (64, 6, 4000, 1.3)
        let network = try RandomNetwork(model: MeanFieldModel(activation: .relu, sigmaW2: 2, sigmaB2: 0), width: width, depth: depth)
        let grams = try network.simulate(input: .orthogonal(q1: q1, batch: 1), trials: trials, seed: 51)
        let n = Double(width)
        for layer in 1...depth {
            let sample = SampleSummary(grams.lengths(layer: layer, input: 0))
            let exactVariance = q1 * q1 * ((1 + 2 / n) * pow(1 + 5 / n, Double(layer - 1)) - 1)
            #expect(abs(sample.mean - q1) < 4 * sample.stderrMean, "layer \(layer) mean \(sample.mean)")
            #expect(abs(sample.variance - exactVariance) < 4 * sample.stderrVariance, "layer \(layer) var \(sample.variance) vs \(exactVariance)")
            // The first-order law is the exact one up to (5l - 3)^2 / (2 N^2) relative terms.
            let firstOrder = Double(5 * layer - 3) / n * q1 * q1
            #expect(abs(firstOrder - exactVariance) < pow(Double(5 * layer), 2) / (2 * n * n) * q1 * q1)
        }
    }

    @Test func oneOverNTheoryBeatsMeanFieldForTanh() throws {
        // tanh, sigma_w^2 = 1.69, sigma_b^2 = 0.09, q1 = 1, 6 layers. The mean-field q^l misses the
        // finite-width bias m_l/N and the naive Var = 2 q^2/N misses the propagated s_l/N; the
        // 1/N theory must be closer on both. Kernel sampling (exact law of the layers). Trials
        // 60 N for the variance (its stderr ~ Var sqrt(2/T)); for the mean, T = 2000 N up to
        // N = 100 puts m_6/N at ~6 standard errors; at N = 200, 400 the bias (~4e-4) is below the
        // reach of a unit test and only the variance is compared.
        let integrator = GaussianIntegrator(activation: .tanh)
        let depth = 6
        let theory = try Self.tanh.finiteWidth(q1: 1, depth: depth, using: integrator)
        for width in [25, 50, 100, 200, 400] {
            let n = Double(width)
            let network = try RandomNetwork(model: Self.tanh, width: width, depth: depth)
            let trials = width <= 100 ? 2000 * width : 60 * width
            let grams = try network.simulate(input: .orthogonal(q1: 1, batch: 1), trials: trials, seed: UInt64(width), sampling: .kernel)
            for layer in 2...depth {
                let k = layer - 1
                let sample = SampleSummary(grams.lengths(layer: layer, input: 0))
                let finite = theory.nVar[k] / n, naive = 2 * theory.q[k] * theory.q[k] / n
                #expect(abs(sample.variance - finite) < abs(sample.variance - naive), "N \(width) layer \(layer) variance")
                #expect(abs(sample.variance - finite) < 4 * sample.stderrVariance + 2 * theory.nVar[k] / (n * n))
                guard width <= 100, layer == depth else { continue }
                let corrected = theory.q[k] + theory.m[k] / n
                #expect(abs(sample.mean - corrected) < abs(sample.mean - theory.q[k]), "N \(width) mean \(sample.mean)")
                #expect(abs(sample.mean - corrected) < 4 * sample.stderrMean + (2 * abs(theory.m[k]) + 1) / (n * n))
            }
        }
    }

    @Test func correlationsAgreeWithTheOneOverNTheory() throws {
        // Two inputs of length 1 at c = 0.5 through tanh networks of width 100, 6 layers,
        // 6000 networks of streamed weights. Tolerance: 4 standard errors plus the 1/N^2 terms,
        // allowed as 2/N^2 on the mean and 2 Var/N on the variance. The mean-field c^l itself is
        // off by several standard errors at layer 1 (E c_hat^1 = c (1 - (1 - c^2)/(2N)) + ...).
        let (width, depth, trials) = (100, 6, 6000)
        let n = Double(width)
        let theory = try Self.tanh.finiteWidthCorrelation(q11: 1, q22: 1, c: 0.5, widths: Array(repeating: width, count: depth),
                                                          using: GaussianIntegrator(activation: .tanh))
        let grams = try RandomNetwork(model: Self.tanh, width: width, depth: depth)
            .simulate(input: .pair(q11: 1, q22: 1, c: 0.5), trials: trials, seed: 3)
        for layer in 1...depth {
            let sample = SampleSummary(grams.correlations(layer: layer, 0, 1))
            let mean = try #require(theory.meanC[layer - 1]), variance = try #require(theory.varianceC[layer - 1])
            #expect(abs(sample.mean - mean) < 4 * sample.stderrMean + 2 / (n * n), "layer \(layer) mean \(sample.mean) vs \(mean)")
            #expect(abs(sample.variance - variance) < 4 * sample.stderrVariance + 2 * variance / n, "layer \(layer) var")
        }
        // Layer 1 closed form: c_hat of N i.i.d. pairs with correlation c has
        // E = c - c (1 - c^2) / (2N) + O(1/N^2), Var = (1 - c^2)^2 / N + O(1/N^2).
        #expect(abs(theory.meanC[0]! - (0.5 - 0.5 * 0.75 / (2 * n))) < 1e-12)
        #expect(abs(theory.varianceC[0]! - 0.75 * 0.75 / n) < 1e-12)
    }

    @Test func correlationTheoryReducesToTheLengthTheory() throws {
        // The q_aa component of the kernel recursion (finite differences in K_ab, Price identities
        // in K_aa) must reproduce the length theory's E[q_hat] = q + m/N.
        let integrator = GaussianIntegrator(activation: .tanh)
        let (width, depth) = (50, 8)
        let lengths = try Self.tanh.finiteWidth(q1: 1.4, depth: depth, using: integrator)
        let pair = try Self.tanh.finiteWidthCorrelation(q11: 1.4, q22: 0.6, c: -0.3, widths: Array(repeating: width, count: depth),
                                                        using: integrator)
        for k in 0..<depth {
            #expect(abs(pair.meanQ11[k]! - lengths.mean(width: width)[k]) < 1e-12)
        }
        // Identical inputs stay identical: c_hat = 1 exactly.
        let same = try Self.tanh.finiteWidthCorrelation(q11: 1, q22: 1, c: 1, widths: [10, 10, 10], using: integrator)
        #expect(same.meanC == [1, 1, 1] && same.varianceC == [0, 0, 0])
    }

    @Test func sameSeedSameBitsForAnyThreadCount() throws {
        let network = try RandomNetwork(activation: .erf, sigmaW2: 1.3, sigmaB2: 0.2, widths: [40, 70, 33])
        let input = try NetworkInput.pair(q11: 0.8, q22: 1.1, c: 0.3)
        for sampling in [WeightSampling.automatic, .kernel] {
            let one = try network.simulate(input: input, trials: 37, seed: 99, sampling: sampling, threads: 1)
            let two = try network.simulate(input: input, trials: 37, seed: 99, sampling: sampling, threads: 2)
            let other = try network.simulate(input: input, trials: 37, seed: 100, sampling: sampling, threads: 2)
            for layer in 1...3 {
                #expect(one.correlations(layer: layer, 0, 1) == two.correlations(layer: layer, 0, 1))
                #expect(one.lengths(layer: layer, input: 1) == two.lengths(layer: layer, input: 1))
                #expect(one.lengths(layer: layer, input: 1) != other.lengths(layer: layer, input: 1))
            }
        }
    }

    @Test func streamedWeightsGiveTheSameBitsAsTheWholeMatrix() throws {
        // Widths that are not multiples of the block, signals as input, bias and a tangent column.
        let network = try RandomNetwork(activation: .tanh, sigmaW2: 1.5, sigmaB2: 0.05, widths: [300, 197, 130])
        var signals = [Double](repeating: 0, count: 50 * 3)
        var generator = SplitMix64(seed: 5)
        for i in signals.indices { signals[i] = 2 * generator.nextDouble() - 1 }
        let input = try NetworkInput(signals: signals, dimension: 50, batch: 3, tangentOf: [nil, nil, 0])
        let full = try network.simulate(input: input, trials: 3, seed: 8, sampling: .full)
        for rows in [64, 128, 256] {
            let streamed = try network.simulate(input: input, trials: 3, seed: 8, sampling: .streamed(rowsPerBlock: rows))
            for layer in 1...3 {
                for a in 0..<3 { #expect(streamed.lengths(layer: layer, input: a) == full.lengths(layer: layer, input: a)) }
                #expect(streamed.correlations(layer: layer, 0, 1) == full.correlations(layer: layer, 0, 1))
            }
        }
    }

    @Test func kernelSamplingHasTheLawOfTheWeights() throws {
        // Two independent ensembles, 3000 networks each, width 30, erf with bias: the means and
        // variances of q_hat and c_hat agree within 4 standard errors of their difference.
        let network = try RandomNetwork(activation: .erf, sigmaW2: 2.5, sigmaB2: 0.3, widths: [30, 30, 30, 30])
        let input = try NetworkInput.pair(q11: 2, q22: 0.5, c: 0.7)
        let weights = try network.simulate(input: input, trials: 3000, seed: 1)
        let kernel = try network.simulate(input: input, trials: 3000, seed: 2, sampling: .kernel)
        for layer in 2...4 {
            for (x, y) in [(weights.lengths(layer: layer, input: 0), kernel.lengths(layer: layer, input: 0)),
                           (weights.correlations(layer: layer, 0, 1), kernel.correlations(layer: layer, 0, 1))] {
                let a = SampleSummary(x), b = SampleSummary(y)
                #expect(abs(a.mean - b.mean) < 4 * (a.stderrMean * a.stderrMean + b.stderrMean * b.stderrMean).squareRoot())
                #expect(abs(a.variance - b.variance)
                        < 4 * (a.stderrVariance * a.stderrVariance + b.stderrVariance * b.stderrVariance).squareRoot())
            }
        }
    }

    @Test func tangentsGrowByChi1() throws {
        // At q* the expected one-layer growth of a tangent, E|J v|^2/|v|^2, is
        // sigma_w^2 mean(phi'(h)^2), whose mean over networks is chi_1 + O(1/N). Width 400,
        // 200 networks x 20 layers after 5 of burn-in; tolerance 4 standard errors + 2/N.
        let integrator = GaussianIntegrator(activation: .tanh)
        let model = try MeanFieldModel(activation: .tanh, sigmaW2: 2.2, sigmaB2: 0.05)
        let point = try model.analyse(q0: 1, using: integrator)
        let network = try RandomNetwork(model: model, width: 400, depth: 25)
        let input = try NetworkInput(kernel: [point.qStar, 0, 0, 1], batch: 2, tangentOf: [nil, 0])
        let grams = try network.simulate(input: input, trials: 200, seed: 4, sampling: .kernel)
        var growth: [Double] = []
        for trial in 0..<200 {
            growth.append((6...25).map { grams.gram(trial: trial, layer: $0, 1, 1) }.reduce(0, +) / 20)
        }
        let sample = SampleSummary(growth)
        #expect(abs(sample.mean - point.chi1) < 4 * sample.stderrMean + 2 / 400, "\(sample.mean) vs \(point.chi1)")
    }

    @Test func badInputIsRefusedWithTheParameterNamed() throws {
        #expect(throws: MeanFieldError.invalidParameter(name: "width", reason: "must be between 1 and \(RandomNetwork.maximumWidth), got 0")) {
            try RandomNetwork(activation: .tanh, sigmaW2: 1, sigmaB2: 0, widths: [0])
        }
        let network = try RandomNetwork(activation: .tanh, sigmaW2: 1, sigmaB2: 0, widths: [10])
        let input = try NetworkInput.orthogonal(q1: 1, batch: 1)
        #expect(throws: MeanFieldError.invalidParameter(name: "trials", reason: "must be >= 1, got 0")) {
            try network.simulate(input: input, trials: 0, seed: 1)
        }
        // 2^27 wide layers: 1 GiB a buffer, several per worker, over half of any CI machine? Use a
        // result set that certainly is: 10^12 trials.
        #expect { try network.simulate(input: input, trials: 1_000_000_000_000, seed: 1) } throws: { error in
            guard case MeanFieldError.invalid(let parameter) = error, parameter.name == "trials" else { return false }
            return true
        }
        let huge = try RandomNetwork(activation: .tanh, sigmaW2: 1, sigmaB2: 0, widths: [RandomNetwork.maximumWidth, 2])
        #expect { try huge.simulate(input: .orthogonal(q1: 1, batch: 64), trials: 1, seed: 1) } throws: { error in
            guard case MeanFieldError.invalid(let parameter) = error, parameter.name == "width" else { return false }
            return true
        }
        #expect(throws: MeanFieldError.self) { try NetworkInput.pair(q11: 1, q22: 1, c: 1.5) }
        #expect(throws: MeanFieldError.self) { try NetworkInput(kernel: [1, 2, 2, 1], batch: 2) }
        #expect(throws: MeanFieldError.self) { try network.simulate(input: input, trials: 2, seed: 1, sampling: .streamed(rowsPerBlock: 100)) }
    }

    @Test func summaryAndHistogramMatchHandComputedValues() {
        let summary = SampleSummary([1, 2, 3, 4, 10])
        #expect(summary.mean == 4)
        #expect(summary.variance == 12.5)
        #expect(abs(summary.stderrMean - (12.5 / 5).squareRoot()) < 1e-15)
        // m4 = (81 + 16 + 1 + 0 + 1296)/5 = 278.8; (278.8 - 156.25 * 2/4)/5 = 40.135.
        #expect(abs(summary.stderrVariance - 40.135.squareRoot()) < 1e-12)
        let histogram = Histogram([0, 0.1, 0.5, 0.99, 1, .nan], bins: 2, lower: 0, upper: 1)
        #expect(histogram.edges == [0, 0.5, 1])
        #expect(histogram.counts == [2, 3])
        #expect(histogram.nonFinite == 1)
    }
}
