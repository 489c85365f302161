import Foundation
import GSLKit
import MeanField
import Testing
@testable import Embedding

@Suite struct EmbeddingTests {
    /// Propagates only the points h^1(xi) of a great sphere through network `seed` (same weights
    /// for any input of the same width) and returns h^L, N x P.
    static func points(_ network: RandomNetwork, k: Int, at xis: [[Double]], q: Double, frame: [Double], seed: UInt64) throws -> [Double] {
        let n = network.widths[0], d = k + 1
        var h = [Double](repeating: 0, count: n * xis.count)
        for (p, xi) in xis.enumerated() {
            let x = InputManifold.hyperspherical(xi).prefix(d)
            for i in 0..<n { h[i * xis.count + p] = (Double(n) * q).squareRoot() * zip(frame[(i * d)..<((i + 1) * d)], x).reduce(0) { $0 + $1.0 * $1.1 } }
        }
        let input = try NetworkInput(preactivations: h, batch: xis.count, roles: Array(repeating: .state, count: xis.count))
        var out: [Double] = []
        network.forward(network: 0, seed: seed, input: input, sampling: .full) { layer, _, last in
            if layer == network.depth { out = Array(last) }
        }
        return out
    }

    @Test func exactPropagationMatchesFiniteDifferences() throws {
        // A 2-sphere through 3 tanh layers of width 24: the propagated tangents and second
        // derivatives against central differences of the propagated points (step 1e-4 for
        // first derivatives, 1e-3 for second: truncation ~1e-8 and ~1e-6 relative).
        let network = try RandomNetwork(activation: .tanh, sigmaW2: 2.5, sigmaB2: 0.1, widths: [24, 24, 24])
        let manifold = try InputManifold(shape: .greatSphere(k: 2), points: 1)
        let frame = EmbeddingSimulation.frame(width: 24, dimension: 3, seed: 7)
        let input = try manifold.placed(width: 24, length: 0.8, frame: frame)
        var columns: [Double] = []
        network.forward(network: 0, seed: 3, input: input, sampling: .full) { layer, _, h in
            if layer == 3 { columns = Array(h) }
        }
        let m = manifold.columnsPerPoint, xi = Array(manifold.parameters[0..<2])
        func shifted(_ steps: [Double]) -> [[Double]] { [zip(xi, steps).map(+)] }
        for a in 0..<2 {
            var step = [0.0, 0], big = [0.0, 0]
            step[a] = 1e-4; big[a] = 1e-3
            let plus = try Self.points(network, k: 2, at: shifted(step), q: 0.8, frame: frame, seed: 3)
            let minus = try Self.points(network, k: 2, at: shifted(step.map { -$0 }), q: 0.8, frame: frame, seed: 3)
            let plus2 = try Self.points(network, k: 2, at: shifted(big), q: 0.8, frame: frame, seed: 3)
            let minus2 = try Self.points(network, k: 2, at: shifted(big.map { -$0 }), q: 0.8, frame: frame, seed: 3)
            let centre = try Self.points(network, k: 2, at: [xi], q: 0.8, frame: frame, seed: 3)
            let scale = columns.map(abs).max()!
            for i in 0..<24 {
                let tangent = (plus[i] - minus[i]) / 2e-4
                #expect(abs(tangent - columns[i * m + 1 + a]) < 1e-6 * scale)
                let second = (plus2[i] - 2 * centre[i] + minus2[i]) / 1e-6
                #expect(abs(second - columns[i * m + PointGeometry.secondIndex(a, a, k: 2)]) < 1e-4 * scale)
            }
        }
    }

    @Test func oneLayerMetricIsThePullbackThroughTheJacobian() throws {
        // h^2 = W phi(h^1) + b: g^2_ab = v_a^T diag(phi') W^T W diag(phi') v_b. W is rebuilt from the
        // documented stream: network 0 of seed 5 draws N biases, then W row by row.
        let (n, sigmaW2, sigmaB2) = (16, 1.7, 0.2)
        let network = try RandomNetwork(activation: .erf, sigmaW2: sigmaW2, sigmaB2: sigmaB2, widths: [n, n])
        let manifold = try InputManifold(shape: .greatSphere(k: 2), points: 3)
        let input = try manifold.placed(width: n, length: 1.3, frame: EmbeddingSimulation.frame(width: n, dimension: 3, seed: 1))
        guard case .preactivations(let h1) = input.source else { Issue.record("not placed in h^1"); return }
        let stream = GaussianStream(seed: SplitMix64.derive(base: 5, index: 0))
        for _ in 0..<n { _ = stream.next() }
        let w = (0..<(n * n)).map { _ in stream.next(sigma: (sigmaW2 / Double(n)).squareRoot()) }
        let m = manifold.columnsPerPoint, b = input.batch
        var measured: [[Double]] = []
        network.forward(network: 0, seed: 5, input: input, sampling: .full, lengthsOnly: true) { layer, _, h in
            guard layer == 2 else { return }
            for p in 0..<3 {
                measured.append((0..<4).map { ab in
                    (0..<n).reduce(0) { $0 + h[$1 * b + p * m + 1 + ab / 2] * h[$1 * b + p * m + 1 + ab % 2] }
                })
            }
        }
        for p in 0..<3 {
            // J v_a = W (phi'(h^1) * v_a), phi' = erf' = 2/sqrt(pi) exp(-u^2).
            let jv = (0..<2).map { a in
                (0..<n).map { i in
                    (0..<n).reduce(0.0) { sum, j in
                        let u = h1[j * b + p * m]
                        return sum + w[i * n + j] * 1.1283791670955126 * exp(-u * u) * h1[j * b + p * m + 1 + a]
                    }
                }
            }
            for ab in 0..<4 {
                let exact = zip(jv[ab / 2], jv[ab % 2]).reduce(0) { $0 + $1.0 * $1.1 }
                #expect(abs(measured[p][ab] - exact) < 1e-12 * abs(exact) + 1e-13)
            }
        }
    }

    @Test(arguments: [(1.69, 1), (6.25, 1), (1.69, 2), (6.25, 2)])
    func simulationApproachesTheTheoryAsOneOverN(sigmaW2: Double, k: Int) throws {
        // tanh, sigma_b^2 = 0.09, 4 layers, 24 points. The measured means carry an O(1/N) bias, so
        // the test extrapolates: with M_N the ensemble mean at width N, (2 M_2N - M_N) removes the
        // 1/N term and must match the theory within 4 combined standard errors plus an O(1/N^2)
        // allowance of 100/N^2 relative (N = 400, 800; 48 and 24 networks, so that both carry about
        // the same standard error).
        let model = try MeanFieldModel(activation: .tanh, sigmaW2: sigmaW2, sigmaB2: 0.09)
        let theory = try model.embeddingTheory(k: k, depth: 4, using: GaussianIntegrator(activation: .tanh))
        let manifold = try InputManifold(shape: .greatSphere(k: k), points: 24)
        var results: [EmbeddingSimulation.Result] = []
        for (width, nets) in [(400, 48), (800, 24)] {
            let simulation = try EmbeddingSimulation(network: RandomNetwork(model: model, width: width, depth: 4), manifold: manifold,
                                                     length: theory.qStar, networks: nets)
            results.append(try simulation.run(seed: 17))
        }
        let checks: [(EmbeddingSimulation.Quantity, [Double])] = [(.gBar, theory.gBar), (.iiBar, theory.iiBar), (.hBar, theory.hBar)]
            + (k > 1 ? [(.rBar, theory.rBar)] : [])
        for (quantity, predicted) in checks {
            for layer in 2...4 {
                let small = results[0].summary(quantity, layer: layer), large = results[1].summary(quantity, layer: layer)
                let extrapolated = 2 * large.mean - small.mean
                let error = (4 * large.stderrMean * large.stderrMean + small.stderrMean * small.stderrMean).squareRoot()
                let target = predicted[layer - 1]
                #expect(abs(extrapolated - target) < 4 * error + 100 / (400.0 * 400) * abs(target),
                        "\(quantity) layer \(layer): \(small.mean), \(large.mean) -> \(extrapolated) vs \(target)")
            }
        }
    }

    @Test func theoryReducesToClosedFormsForLinearAndCurves() throws {
        // Linear: chi_2 = 0, so kappa2_bar^l = kappa2_bar^1 / chi_1^{l-1}; Gauss: R = H - II.
        let linear = try MeanFieldModel(activation: .linear, sigmaW2: 0.8, sigmaB2: 0.3)
            .embeddingTheory(k: 3, depth: 5, using: GaussianIntegrator(activation: .linear))
        #expect(abs(linear.qStar - 1.5) < 1e-14)
        for l in 0..<5 {
            #expect(abs(linear.rBar[l] - (linear.hBar[l] - linear.iiBar[l])) < 1e-12 * linear.hBar[l])
            #expect(abs(linear.iiBar[l] - 3 / (1.5 * pow(0.8, Double(l)))) < 1e-12 * linear.iiBar[l])
        }
        // Poole's curve recursion and its chaotic limit 3 chi_2 / (chi_1 (chi_1 - 1)).
        let curve = try MeanFieldModel(activation: .tanh, sigmaW2: 6.25, sigmaB2: 0.09)
            .embeddingTheory(k: 1, depth: 200, using: GaussianIntegrator(activation: .tanh))
        let limit = 3 * curve.chi2 / (curve.chi1 * (curve.chi1 - 1))
        #expect(abs(curve.kappa2Bar!.last! - limit) < 1e-10 * limit)
        for l in 1..<5 {
            #expect(abs(curve.kappa2Bar![l] - (3 * curve.chi2 / (curve.chi1 * curve.chi1) + curve.kappa2Bar![l - 1] / curve.chi1)) < 1e-12 * curve.kappa2Bar![l])
        }
    }

    @Test func badInputIsRefusedWithTheParameterNamed() throws {
        #expect(throws: MeanFieldError.self) { try InputManifold(shape: .greatSphere(k: 4), points: 10) }
        #expect(throws: MeanFieldError.self) { try InputManifold(shape: .ellipse(ratio: .nan), points: 10) }
        // Shapes whose lengths or curvature products would leave double's range are refused by
        // name (ellipse:1e300 used to crash the predictions on a NaN length; plane:1e200
        // normalised every point to zero), and at the limit they still build.
        let limit = InputManifold.shapeParameterLimit
        for (shape, name) in [(InputManifold.Shape.ellipse(ratio: 10 * limit), "ratio"), (.ellipse(ratio: 0.1 / limit), "ratio"),
                              (.helix(height: 10 * limit, turns: 2), "helix"), (.planePatch(halfWidth: 10 * limit), "half-width")] {
            #expect { try InputManifold(shape: shape, points: 10) } throws: { error in
                guard case MeanFieldError.invalid(let parameter) = error else { return false }
                return parameter.name == name
            }
        }
        for shape in [InputManifold.Shape.ellipse(ratio: limit), .ellipse(ratio: 1 / limit), .helix(height: limit, turns: 2), .planePatch(halfWidth: limit)] {
            _ = try InputManifold(shape: shape, points: 10)
        }
        #expect { try InputManifold(polyline: [10 * limit, 0, 0, 1, -1, 0, 0, -1], dimension: 2, closed: true) } throws: { error in
            guard case MeanFieldError.invalid(let parameter) = error else { return false }
            return parameter.name == "data" && parameter.reason.contains("1e8")
        }
        let network = try RandomNetwork(activation: .tanh, sigmaW2: 2, sigmaB2: 0.1, widths: [2, 2])
        let sphere = try InputManifold(shape: .greatSphere(k: 2), points: 10)
        #expect { try EmbeddingSimulation(network: network, manifold: sphere, length: 1, networks: 3) } throws: { error in
            guard case MeanFieldError.invalid(let parameter) = error, parameter.name == "k" else { return false }
            return true
        }
        let wide = try RandomNetwork(activation: .tanh, sigmaW2: 2, sigmaB2: 0.1, widths: [20, 20])
        let few = try InputManifold(shape: .greatSphere(k: 1), points: 2)
        #expect { try EmbeddingSimulation(network: wide, manifold: few, length: 1, networks: 3) } throws: { error in
            guard case MeanFieldError.invalid(let parameter) = error, parameter.name == "points" else { return false }
            return true
        }
        #expect(throws: MeanFieldError.self) { try EmbeddingSimulation(network: wide, manifold: sphere, length: .infinity, networks: 3) }
        #expect(throws: MeanFieldError.self) { try EmbeddingSimulation(network: wide, manifold: sphere, length: 1, networks: 3, sampling: .kernel) }
    }
}
