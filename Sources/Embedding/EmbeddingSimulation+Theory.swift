import Activations
import MeanField

/// The mean-field predictions for an ``EmbeddingSimulation``'s own manifold, point by point,
/// averaged over its sample points exactly as the measurement is: the metric with its radial
/// correction (``MetricStretch``), the lengths, and the chord distances along the joint
/// (q11, q22, c) map. Any manifold, any placement; for a great k-sphere at q* the metric reduces
/// to ``EmbeddingTheory``'s g_bar and the chords to 2 q*(1 - c^l).
public struct PredictedGeometry: Sendable, Equatable {
    public var layers: [Int]
    /// Mean over points of q^l.
    public var qHat: [Double]
    /// Mean over points of (1/k) tr((g^1)^{-1} g^l) = A_l + B_l |dq^1|^2 / k, and q times it.
    public var conformalFactor: [Double]
    public var gBar: [Double]
    /// Means over the points where q varies (NaN where there are none, or for k = 1 in the
    /// tangential ones), as ``EmbeddingSimulation/Quantity/radialStretch``.
    public var radialStretch: [Double]
    public var tangentialStretch: [Double]
    public var radialDeviation: [Double]
    /// E |h_p - h_{p+s}|^2 / N averaged over the pairs, per separation s.
    public var chords: [[Double]]
    /// Closed curves: sum_p sqrt(E |h_{p+1} - h_p|^2 / N) / (2 pi).
    public var polygonOver2piSqrtN: [Double]?
    /// Closed curves: L^E/(2 pi sqrt N), the mean over points of sqrt(g^1 x stretch / N).
    public var leOver2piSqrtN: [Double]?
}

extension EmbeddingSimulation {
    /// The predictions of <doc:Geometry> for this manifold and placement.
    public func predicted(using integrator: GaussianIntegrator) throws(MeanFieldError) -> PredictedGeometry {
        let model = try MeanFieldModel(activation: network.activation, sigmaW2: network.sigmaW2, sigmaB2: network.sigmaB2)
        let k = manifold.dimension, d = manifold.frameDimension, m = manifold.columnsPerPoint, points = manifold.points
        let depth = network.depth, (alpha, beta) = inputScale
        func vector(_ p: Int, _ column: Int) -> ArraySlice<Double> {
            manifold.local[((p * m + column) * d)..<((p * m + column + 1) * d)]
        }
        func dot(_ u: ArraySlice<Double>, _ v: ArraySlice<Double>) -> Double { zip(u, v).reduce(0) { $0 + $1.0 * $1.1 } }
        func pointLength(_ p: Int) -> Double { alpha * dot(vector(p, 0), vector(p, 0)) + beta }

        var stretches: [Key: [MetricStretch]] = [:]
        var result = PredictedGeometry(
            layers: Array(1...depth), qHat: .init(repeating: 0, count: depth), conformalFactor: .init(repeating: 0, count: depth),
            gBar: [], radialStretch: .init(repeating: 0, count: depth), tangentialStretch: .init(repeating: 0, count: depth),
            radialDeviation: .init(repeating: 0, count: depth), chords: [], polygonOver2piSqrtN: nil,
            leOver2piSqrtN: manifold.isClosedCurve ? .init(repeating: 0, count: depth) : nil)
        var radialPoints = 0
        for p in 0..<points {
            let q1 = pointLength(p)
            let metric = (0..<(k * k)).map { alpha * dot(vector(p, 1 + $0 / k), vector(p, 1 + $0 % k)) }
            let gradient = (0..<k).map { 2 * alpha * dot(vector(p, 0), vector(p, 1 + $0)) }
            let inverse = invertSymmetric(metric, size: k)
            var norm2 = 0.0
            for a in 0..<k { for b in 0..<k { norm2 += gradient[a] * inverse[a * k + b] * gradient[b] } }
            let key = Key(q1, q1, 1)
            if stretches[key] == nil {
                stretches[key] = try model.metricStretch(q1: q1, gradientNormSquared: 1, depth: depth, using: integrator)
            }
            let defined = radialDirection(metric: metric, gradient: gradient, q: q1) != nil
            if defined { radialPoints += 1 }
            for (l, unit) in stretches[key]!.enumerated() {
                let a = unit.tangential, radial = unit.tangential + (unit.radial - unit.tangential) * norm2
                result.qHat[l] += unit.q / Double(points)
                result.conformalFactor[l] += (a + (radial - a) / Double(k)) / Double(points)
                result.leOver2piSqrtN?[l] += (metric[0] * (defined ? radial : a)).squareRoot() / Double(points)
                if defined {
                    result.radialStretch[l] += radial
                    result.tangentialStretch[l] += a
                    result.radialDeviation[l] += radial / a - 1
                }
            }
        }
        result.gBar = result.conformalFactor.map { length * $0 }
        result.radialStretch = result.radialStretch.map { radialPoints > 0 ? $0 / Double(radialPoints) : .nan }
        result.tangentialStretch = result.tangentialStretch.map { radialPoints > 0 && k > 1 ? $0 / Double(radialPoints) : .nan }
        result.radialDeviation = result.radialDeviation.map { radialPoints > 0 && k > 1 ? $0 / Double(radialPoints) : .nan }

        var distances: [Key: [Double]] = [:]
        func pairDistances(_ p: Int, _ s: Int) throws(MeanFieldError) -> [Double] {
            let other = (p + s) % points
            let q11 = pointLength(p), q22 = pointLength(other)
            let c = Swift.min(1, Swift.max(-1, (alpha * dot(vector(p, 0), vector(other, 0)) + beta) / (q11 * q22).squareRoot()))
            let key = Key(q11, q22, c)
            if let known = distances[key] { return known }
            let computed = try model.squaredDistances(q11: q11, q22: q22, c: c, depth: depth, using: integrator)
            distances[key] = computed
            return computed
        }
        for s in separations {
            let pairs = manifold.isClosedCurve ? points : points - s
            var mean = [Double](repeating: 0, count: depth)
            for p in 0..<pairs {
                for (l, value) in try pairDistances(p, s).enumerated() { mean[l] += value / Double(pairs) }
            }
            result.chords.append(mean)
        }
        if manifold.isClosedCurve {
            var polygon = [Double](repeating: 0, count: depth)
            for p in 0..<points {
                for (l, value) in try pairDistances(p, 1).enumerated() { polygon[l] += value.squareRoot() / (2 * Double.pi) }
            }
            result.polygonOver2piSqrtN = polygon
        }
        return result
    }
}

/// (q11, q22, c) rounded to 1e-11 relative: points of a symmetric manifold share their recursions.
private struct Key: Hashable {
    let values: [Int64]
    init(_ q11: Double, _ q22: Double, _ c: Double) {
        values = [q11, q22, c].map { value in
            guard value != 0 else { return 0 }
            // Non-finite lengths get keys of their own; the recursions then refuse them by name.
            guard value.isFinite else { return Int64(bitPattern: value.bitPattern) }
            let exponent = value.exponent
            return Int64((value / Double(sign: .plus, exponent: exponent, significand: 1) * 1e11).rounded()) &* 4096 &+ Int64(exponent)
        }
    }
}
