import Foundation
import GSLKit

/// The classification problems of the residual experiments, each 1000 points in the plane lifted
/// to R^3 by a zero third coordinate (the augmented-ODE trick of ANODE), labels alternating
/// 0, 1, drawn from SplitMix64 (next_double = (z >> 11) 2^-53) so that any port reproduces them
/// bit for bit:
/// - circles-anode3, the benchmark, <doc:CirclesAnode3> (seed 20190909), point i with label i mod 2,
///   theta = 2 pi u1, r = (0.5 for label 0, 1.0 for label 1) + 0.1 (u2 - 0.5), x = (r cos theta, r sin theta, 0);
/// - two-moons (seed 20190910): t = pi u1, label 0 (cos t, sin t), label 1 (1 - cos t, 1/2 - sin t),
///   plus 0.1 (2 u - 1) on each coordinate;
/// - two-spirals (seed 20190911): s = u1, r = 0.1 + 0.9 s, angle = 3 pi s + pi label,
///   (r cos angle, r sin angle) plus 0.05 (2 u - 1) on each coordinate.
/// All share circles-anode3's architecture and initial parameters (W1 32 x 3, 235 in all).
public enum ResidualProblem: String, CaseIterable, Sendable {
    case circlesAnode3 = "circles-anode3"
    case twoMoons = "two-moons"
    case twoSpirals = "two-spirals"

    /// Inputs (1000 x 3, row-major) and labels.
    public func data() -> (inputs: [Double], labels: [Int]) {
        switch self {
        case .circlesAnode3:
            // The benchmark's data, bit-exact: theta = 2 pi u1, r = (0.5 for label 0, 1.0 for
            // label 1) + 0.1 (u2 - 0.5), x = (r cos theta, r sin theta, 0).
            var generator = SplitMix64(seed: 20_190_909)
            var inputs: [Double] = [], labels: [Int] = []
            inputs.reserveCapacity(Self.count * Self.dimension)
            for i in 0..<Self.count {
                let label = i % 2
                let theta = 2 * Double.pi * generator.nextDouble()
                let r = (label == 0 ? 0.5 : 1.0) + 0.1 * (generator.nextDouble() - 0.5)
                inputs += [r * cos(theta), r * sin(theta), 0]
                labels.append(label)
            }
            return (inputs, labels)
        case .twoMoons, .twoSpirals:
            var generator = SplitMix64(seed: self == .twoMoons ? 20_190_910 : 20_190_911)
            var inputs: [Double] = [], labels: [Int] = []
            inputs.reserveCapacity(3 * Self.count)
            for i in 0..<Self.count {
                let label = i % 2
                let u = generator.nextDouble()
                var x: Double, y: Double, noise: Double
                if self == .twoMoons {
                    let t = Double.pi * u
                    (x, y) = label == 0 ? (cos(t), sin(t)) : (1 - cos(t), 0.5 - sin(t))
                    noise = 0.1
                } else {
                    let r = 0.1 + 0.9 * u, angle = 3 * Double.pi * u + Double.pi * Double(label)
                    (x, y) = (r * cos(angle), r * sin(angle))
                    noise = 0.05
                }
                x += noise * (2 * generator.nextDouble() - 1)
                y += noise * (2 * generator.nextDouble() - 1)
                inputs += [x, y, 0]
                labels.append(label)
            }
            return (inputs, labels)
        }
    }
}

extension ResidualProblem {
    /// Points per problem, their dimension (the plane lifted to R^3), the field's hidden width and the classes.
    public static let count = 1000
    public static let dimension = 3
    public static let hidden = 32
    public static let classes = 2

    /// The initial parameters every problem starts from (<doc:CirclesAnode3>, bit-exact): 235
    /// values from SplitMix64(seed 20181019) in the order W1 (32x3), b1, W2 (3x32), b2, Wr (2x3),
    /// br (row-major), entry (2u - 1)/sqrt(fan_in) with fan_in 3, 3, 32, 32, 3, 3; the field
    /// (W1, b1, W2, b2) then the readout (Wr, br).
    public static func initialParameters() -> (field: MLPField.Parameters, readout: Readout.Parameters) {
        var generator = SplitMix64(seed: 20_181_019)
        func draw(_ n: Int, fanIn: Double) -> [Double] { (0..<n).map { _ in (2 * generator.nextDouble() - 1) / fanIn.squareRoot() } }
        let w1 = draw(hidden * dimension, fanIn: 3), b1 = draw(hidden, fanIn: 3)
        let w2 = draw(dimension * hidden, fanIn: 32), b2 = draw(dimension, fanIn: 32)
        let wr = draw(classes * dimension, fanIn: 3), br = draw(classes, fanIn: 3)
        return (MLPField.Parameters(w1: w1, b1: b1, w2: w2, b2: b2, dimension: dimension, hidden: hidden),
                Readout.Parameters(weights: wr, biases: br, dimension: dimension, classes: classes))
    }
}
