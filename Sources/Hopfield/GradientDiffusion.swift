import Foundation
import GSLKit

/// A gradient diffusion dx = -grad psi(x) dt + sqrt(2/beta) dW in d dimensions, optionally
/// reflected into a box: the dynamics whose density the proximal recursion propagates (its
/// Fokker-Planck equation is the Wasserstein gradient flow of F(p) = Int psi p + beta^{-1} Int p log p).
public struct GradientDiffusion: Sendable {
    public let dimension: Int
    public let beta: Double
    /// psi(x).
    public let potential: @Sendable (UnsafeBufferPointer<Double>) -> Double
    /// grad psi(x), written into the second buffer.
    public let gradient: @Sendable (UnsafeBufferPointer<Double>, UnsafeMutableBufferPointer<Double>) -> Void
    /// Per-coordinate reflecting box (nil: all of R^d).
    public let box: [(lower: Double, upper: Double)]?

    public init(dimension: Int, beta: Double, box: [(lower: Double, upper: Double)]? = nil,
                potential: @escaping @Sendable (UnsafeBufferPointer<Double>) -> Double,
                gradient: @escaping @Sendable (UnsafeBufferPointer<Double>, UnsafeMutableBufferPointer<Double>) -> Void) throws(HopfieldError) {
        guard dimension >= 1 else { throw .invalidParameter(name: "dimension", reason: "must be >= 1, got \(dimension)") }
        guard beta > 0, beta.isFinite else { throw .invalidParameter(name: "beta", reason: "must be > 0, got \(beta)") }
        self.dimension = dimension
        self.beta = beta
        self.box = box
        self.potential = potential
        self.gradient = gradient
    }

    /// The Ornstein-Uhlenbeck process psi(x) = 1/2 x^T A x (A symmetric positive definite,
    /// row-major d x d): from N(m0, S0) the density stays Gaussian with m(t) = e^{-At} m0 and
    /// S(t) = e^{-At} S0 e^{-At} + beta^{-1} A^{-1}(1 - e^{-2At}).
    public static func ornsteinUhlenbeck(_ a: [Double], dimension d: Int, beta: Double) throws(HopfieldError) -> GradientDiffusion {
        guard a.count == d * d else { throw .invalidParameter(name: "A", reason: "must be \(d) x \(d), got \(a.count) values") }
        return try GradientDiffusion(dimension: d, beta: beta, potential: { x in
            var s = 0.0
            for i in 0..<d { for j in 0..<d { s += x[i] * a[i * d + j] * x[j] } }
            return 0.5 * s
        }, gradient: { x, out in
            for i in 0..<d {
                var s = 0.0
                for j in 0..<d { s += a[i * d + j] * x[j] }
                out[i] = s
            }
        })
    }

    /// The stochastic Hopfield network at temperature T in its flat chart theta (see
    /// ``DiffusionMachine``): beta = 1/T, psi = psi_theta = E(x(theta)) - (T/2) sum log a_i(x),
    /// reflected at the chart's box.
    public static func hopfield(_ model: HopfieldModel, temperature t: Double) throws(HopfieldError) -> GradientDiffusion {
        let machine = try DiffusionMachine(model: model, schedule: .constant(t))
        let n = model.n
        let box = (0..<n).map { i in
            (lower: model.capacitances[i].squareRoot() * model.activation.chart(model.activation.range.lower),
             upper: model.capacitances[i].squareRoot() * model.activation.chart(model.activation.range.upper))
        }
        return try GradientDiffusion(dimension: n, beta: 1 / t, box: box, potential: { theta in
            let x = model.chartInverse(Array(theta))
            var e = x.withUnsafeBufferPointer { model.unsafeEnergy($0) }
            for i in 0..<n { e -= 0.5 * t * log(model.activation.slope(output: x[i]) / model.capacitances[i]) }
            return e
        }, gradient: { theta, out in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: n) { x in
                machine.drift(theta: theta, temperature: t, x: x, into: out)
            }
            for i in 0..<n { out[i] = -out[i] }
        })
    }

    /// A cloud of `count` points theta = centre + spread N(0, 1) (reflected into the box) with the
    /// Gaussian's pdf values as weights: the initial condition of a proximal propagation.
    public func gaussianCloud(centre: [Double], spread: Double, count: Int, seed: UInt64) throws(HopfieldError) -> (points: [Double], weights: [Double]) {
        guard centre.count == dimension else { throw .invalidParameter(name: "centre", reason: "must have \(dimension) values") }
        guard spread > 0, spread.isFinite else { throw .invalidParameter(name: "spread", reason: "must be > 0, got \(spread)") }
        guard count >= 1 else { throw .invalidParameter(name: "points", reason: "must be >= 1, got \(count)") }
        let stream = GaussianStream(seed: seed)
        var points = [Double](repeating: 0, count: count * dimension), weights = [Double](repeating: 1, count: count)
        for p in 0..<count {
            for i in 0..<dimension {
                let z = stream.next()
                let value = centre[i] + spread * z
                points[p * dimension + i] = box.map { DiffusionMachine.reflect(value, $0[i].lower, $0[i].upper) } ?? value
                weights[p] *= exp(-0.5 * z * z) / (spread * (2 * Double.pi).squareRoot())
            }
        }
        return (points, weights)
    }
}
