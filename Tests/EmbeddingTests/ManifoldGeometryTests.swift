import Activations
import Foundation
import GSLKit
import MeanField
import Testing
@testable import Embedding

/// The general-manifold theory (radial correction, distances), given weights, data polylines and
/// the first-layer placement, each against an independent route.
@Suite struct ManifoldGeometryTests {
    @Test func linearOrthogonalNetworkKeepsTheCircleExactly() throws {
        // W = s O (O orthogonal) and phi = id: every layer is a similarity, so g^l = s^{2(l-1)} g^1,
        // N kappa^2 = s^{-2(l-1)}/q, L^E grows by s per layer and chords by s^2: exactly, whatever
        // the biases (they only translate the curve).
        let (n, depth, s, q, points) = (48, 5, 1.3, 0.7, 40)
        var weights: [[Double]] = [], biases: [[Double]] = []
        let stream = GaussianStream(seed: 11)
        for layer in 0..<(depth - 1) {
            let orthogonal = EmbeddingSimulation.frame(width: n, dimension: n, seed: UInt64(100 + layer))
            weights.append(orthogonal.map { s * $0 })
            biases.append((0..<n).map { _ in stream.next(sigma: 0.5) })
        }
        let given = try GivenWeights(widths: Array(repeating: n, count: depth), weights: weights, biases: biases)
        let network = try RandomNetwork(activation: .linear, sigmaW2: s * s, sigmaB2: 0.25, widths: Array(repeating: n, count: depth))
        let circle = try InputManifold(shape: .greatSphere(k: 1), points: points)
        let simulation = try EmbeddingSimulation(network: network, manifold: circle, length: q, networks: 2,
                                                 sampling: .given(given), separations: [1, 7, 20])
        let result = try simulation.run(seed: 3)
        for layer in 1...depth {
            let growth = pow(s * s, Double(layer - 1))
            for value in result.samples(.kappa2Bar, layer: layer) { #expect(abs(value - 1 / (q * growth)) < 1e-10 / (q * growth)) }
            for value in result.samples(.gBar, layer: layer) { #expect(abs(value - q * growth) < 1e-11 * q * growth) }
            for value in result.samples(.leOver2piSqrtN, layer: layer) { #expect(abs(value - (q * growth).squareRoot()) < 1e-11) }
            for (index, separation) in [1, 7, 20].enumerated() {
                let exact = growth * 2 * q * (1 - cos(2 * Double.pi * Double(separation) / Double(points)))
                #expect(abs(result.chordSummary(index, layer: layer).mean - exact) < 1e-11 * exact)
            }
        }
    }

    @Test(arguments: [Activation.tanh, .erf, .sigmoid])
    func chi1SlopeIsTheDerivativeOfChi1(activation: Activation) throws {
        // Integration by parts against central differences of chi_1(q) (step 1e-4 q: error ~1e-8)
        // and against the direct form sigma_w^2 E[phi''^2 + phi' phi'''].
        let model = try MeanFieldModel(activation: activation, sigmaW2: 2.3, sigmaB2: 0.1)
        let integrator = GaussianIntegrator(activation: activation)
        for q in [0.05, 0.6, 3.0] {
            let slope = model.chi1Slope(at: q, using: integrator)
            let h = 1e-4 * q
            let difference = (model.chi1(at: q + h, using: integrator) - model.chi1(at: q - h, using: integrator)) / (2 * h)
            let direct = 2.3 * integrator.expectation(variance: q) { $0.d2 * $0.d2 + $0.d1 * $0.d3 }
            #expect(abs(slope - difference) < 1e-6 * abs(difference) + 1e-9, "q \(q): \(slope) vs \(difference)")
            #expect(abs(slope - direct) < 1e-10 * abs(direct) + 1e-13)
        }
        let relu = try MeanFieldModel(activation: .relu, sigmaW2: 2, sigmaB2: 0.1)
        #expect(abs(relu.chi1Slope(at: 0.8, using: GaussianIntegrator(activation: .relu))) < 1e-14)
    }

    @Test func distanceMapHasItsClosedFormsAndLimit() throws {
        // Linear: E|h_a - h_b|^2/N grows by sigma_w^2 per layer (biases cancel). tanh, chaotic:
        // 2 q*(1 - c^l) tends to 2 q*(1 - c*), c* from the fixed-point solver (chi_c = 0.82: 200 layers).
        let linear = try MeanFieldModel(activation: .linear, sigmaW2: 0.7, sigmaB2: 0.4)
        let d = try linear.squaredDistances(q11: 1.2, q22: 0.5, c: 0.3, depth: 6, using: GaussianIntegrator(activation: .linear))
        let d1 = 1.2 + 0.5 - 2 * 0.3 * (0.6).squareRoot()
        for (l, value) in d.enumerated() { #expect(abs(value - d1 * pow(0.7, Double(l))) < 1e-12 * d1) }
        let tanh = try MeanFieldModel(activation: .tanh, sigmaW2: 6.25, sigmaB2: 0.09)
        let integrator = GaussianIntegrator(activation: .tanh)
        let qStar = try tanh.qStar(using: integrator)
        let chi1 = tanh.chi1(at: qStar, using: integrator)
        let cStar = try tanh.cStar(qStar: qStar, chi1: chi1, using: integrator).cStar
        let far = try tanh.squaredDistances(q11: qStar, q22: qStar, c: 0.999, depth: 200, using: integrator)
        #expect(abs(far.last! - 2 * qStar * (1 - cStar)) < 1e-9)
        #expect(far[1] > far[0])
    }

    @Test func polylineDifferencesAreExactOnQuadraticsAndSecondOrderOnCircles() throws {
        // Open: x(t) = (t, t^2, 1) at t = p/(P-1): both difference formulas are exact for quadratics.
        let count = 9
        let data = (0..<count).flatMap { p -> [Double] in let t = Double(p) / Double(count - 1); return [t, t * t, 1] }
        let open = try InputManifold(polyline: data, dimension: 3, closed: false)
        for p in 0..<count {
            let t = Double(p) / Double(count - 1), local = Array(open.local[(p * 9)..<((p + 1) * 9)])
            let exact = [t, t * t, 1, 1, 2 * t, 0, 0, 2, 0]
            for j in 0..<9 { #expect(abs(local[j] - exact[j]) < 1e-12, "point \(p), entry \(j)") }
        }
        // Closed: the unit circle through 400 points; errors (2 pi/400)^2/6 = 4.1e-5 (tangent) and
        // /12 = 2.1e-5 (second derivative), relative.
        let circle = try InputManifold(polyline: (0..<400).flatMap { p -> [Double] in
            let theta = 2 * Double.pi * Double(p) / 400
            return [cos(theta), sin(theta)]
        }, dimension: 2, closed: true)
        let exact = try InputManifold(shape: .greatSphere(k: 1), points: 400)
        for j in 0..<circle.local.count { #expect(abs(circle.local[j] - exact.local[j]) < 4.2e-5) }
        #expect(circle.isClosedCurve && circle.frameDimension == 2 && circle.points == 400)
    }

    @Test func sphereIsIsotropicUpToOneOverRootN() throws {
        // A 2-sphere at q* through 3 tanh layers: q is constant on it, so the metric is conformal
        // in the mean-field limit (no radial direction, theory anisotropy 1), and the measured
        // lambda_max/lambda_min - 1 comes from finite N alone: it halves when N quadruples.
        let model = try MeanFieldModel(activation: .tanh, sigmaW2: 1.69, sigmaB2: 0.09)
        let integrator = GaussianIntegrator(activation: .tanh)
        let qStar = try model.qStar(using: integrator)
        let sphere = try InputManifold(shape: .greatSphere(k: 2), points: 32)
        var excess: [SampleSummary] = []
        for width in [200, 800] {
            let simulation = try EmbeddingSimulation(network: RandomNetwork(model: model, width: width, depth: 3), manifold: sphere,
                                                     length: qStar, networks: 16)
            let result = try simulation.run(seed: 5)
            excess.append(SampleSummary(result.samples(.anisotropy, layer: 3).map { $0 - 1 }))
            let predicted = try simulation.predicted(using: integrator)
            #expect(predicted.radialStretch.allSatisfy { $0.isNaN })
            #expect(result.summary(.radialStretch, layer: 3).mean.isNaN)
        }
        let ratio = excess[0].mean / excess[1].mean
        // Standard error of the ratio by the delta method; 0.1 allows for the O(1/N) terms.
        let spread = ratio * ((excess[0].stderrMean / excess[0].mean) * (excess[0].stderrMean / excess[0].mean)
                              + (excess[1].stderrMean / excess[1].mean) * (excess[1].stderrMean / excess[1].mean)).squareRoot()
        #expect(abs(ratio - 2) < 4 * spread + 0.1, "excess \(excess[0].mean) ± \(excess[0].stderrMean) at N 200, \(excess[1].mean) ± \(excess[1].stderrMean) at N 800, ratio \(ratio) ± \(spread)")
    }

    @Test(arguments: [(Activation.tanh, 2.5), (.relu, 2.0)])
    func radialDeviationMatchesTheDerivedCorrection(activation: Activation, sigmaW2: Double) throws {
        // A flat patch, on which q = q (1 + |xi|^2)/(1 + w^2) grows away from its centre: the
        // metric's stretch along dq differs from the stretch across it by
        // B_l |dq|^2 / A_l (MetricStretch); 0 for relu. Measured means over 24 networks of width
        // 1000 against the prediction for the same points, within 4 standard errors plus an O(1/N)
        // allowance of 2/N of the stretch.
        let model = try MeanFieldModel(activation: activation, sigmaW2: sigmaW2, sigmaB2: 0.05)
        let integrator = GaussianIntegrator(activation: activation)
        let patch = try InputManifold(shape: .planePatch(halfWidth: 1), points: 40)
        let simulation = try EmbeddingSimulation(network: RandomNetwork(model: model, width: 1000, depth: 4), manifold: patch,
                                                 length: 1.5, networks: 24)
        let result = try simulation.run(seed: 9)
        let predicted = try simulation.predicted(using: integrator)
        for layer in 2...4 {
            let measured = result.summary(.radialDeviation, layer: layer)
            let theory = predicted.radialDeviation[layer - 1]
            #expect(abs(measured.mean - theory) < 4 * measured.stderrMean + 2e-3,
                    "\(activation) layer \(layer): \(measured.mean) ± \(measured.stderrMean) vs \(theory)")
            let radial = result.summary(.radialStretch, layer: layer)
            #expect(abs(radial.mean - predicted.radialStretch[layer - 1]) < 4 * radial.stderrMean + 2e-3 * predicted.radialStretch[layer - 1])
            let q = result.summary(.qHat, layer: layer)
            #expect(abs(q.mean - predicted.qHat[layer - 1]) < 4 * q.stderrMean + 2e-3 * predicted.qHat[layer - 1])
        }
        if activation == .relu { #expect(predicted.radialDeviation.allSatisfy { abs($0) < 1e-12 }) }
        if activation == .tanh { #expect(abs(predicted.radialDeviation[3]) > 0.05) }
    }

    @Test func chordsAndFirstLayerPlacementFollowTheDistanceMap() throws {
        // A great circle sent through a random first layer (D = 2): the chords of pairs 1, P/4 and
        // P/2 apart and q_hat against the joint (q11, q22, c) map from E q^1 = q, c^1 =
        // (alpha cos + sigma_b^2)/q. Richardson over N = 400, 800 removes the O(1/N) bias; the
        // allowance is 4 combined standard errors plus 100/N^2 relative.
        let model = try MeanFieldModel(activation: .tanh, sigmaW2: 6.25, sigmaB2: 0.09)
        let integrator = GaussianIntegrator(activation: .tanh)
        let circle = try InputManifold(shape: .greatSphere(k: 1), points: 32)
        var results: [EmbeddingSimulation.Result] = []
        var predicted: PredictedGeometry?
        for (width, nets) in [(400, 48), (800, 24)] {
            let simulation = try EmbeddingSimulation(network: RandomNetwork(model: model, width: width, depth: 4), manifold: circle,
                                                     length: 1, networks: nets, placement: .throughFirstLayer, separations: [1, 8, 16])
            results.append(try simulation.run(seed: 21))
            predicted = try simulation.predicted(using: integrator)
        }
        for layer in 1...4 {
            for index in 0..<3 {
                let small = results[0].chordSummary(index, layer: layer), large = results[1].chordSummary(index, layer: layer)
                let extrapolated = 2 * large.mean - small.mean
                let error = (4 * large.stderrMean * large.stderrMean + small.stderrMean * small.stderrMean).squareRoot()
                let target = predicted!.chords[index][layer - 1]
                #expect(abs(extrapolated - target) < 4 * error + 100 / (400.0 * 400) * target, "layer \(layer), pair \(index): \(extrapolated) vs \(target)")
            }
        }
        #expect(abs(predicted!.qHat[0] - 1) < 1e-14)
    }

    @Test func badManifoldInputIsRefusedWithTheParameterNamed() throws {
        func named(_ name: String, _ body: () throws -> Void) {
            #expect { try body() } throws: { error in
                guard case MeanFieldError.invalid(let parameter) = error, parameter.name == name else { return false }
                return true
            }
        }
        named("points") { _ = try InputManifold(polyline: [0, 0, 1, 0], dimension: 2, closed: true) }
        named("data") { _ = try InputManifold(polyline: [0, 0, 1, .nan, 2, 2], dimension: 2, closed: true) }
        named("data") { _ = try InputManifold(polyline: [0, 0, 1], dimension: 2, closed: true) }
        named("data") { _ = try InputManifold(polyline: [1, 1, 0, 0, 1, 1], dimension: 2, closed: true) }
        let network = try RandomNetwork(activation: .tanh, sigmaW2: 2, sigmaB2: 0.5, widths: [20, 20])
        let circle = try InputManifold(shape: .greatSphere(k: 1), points: 10)
        named("q") { _ = try EmbeddingSimulation(network: network, manifold: circle, length: 0.4, networks: 3, placement: .throughFirstLayer) }
        named("separations") { _ = try EmbeddingSimulation(network: network, manifold: circle, length: 1, networks: 3, separations: [10]) }
        named("weights") { _ = try GivenWeights(widths: [2, 3], weights: [[1, 2, 3]], biases: [[0, 0, 0]]) }
        let given = try GivenWeights(widths: [20, 21], weights: [Array(repeating: 0.1, count: 420)], biases: [Array(repeating: 0, count: 21)])
        named("weights") { _ = try EmbeddingSimulation(network: network, manifold: circle, length: 1, networks: 3, sampling: .given(given)) }
        named("q1") { _ = try MeanFieldModel(activation: .tanh, sigmaW2: 2, sigmaB2: 0).metricStretch(q1: 0, gradientNormSquared: 1, depth: 3, using: GaussianIntegrator(activation: .tanh)) }
    }
}
