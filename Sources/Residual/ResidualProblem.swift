import Foundation
import GSLKit

/// The classification problems of the residual experiments, each 1000 points in the plane lifted
/// to R^3 by a zero third coordinate (the augmented-ODE trick of ANODE), labels alternating
/// 0, 1, drawn from SplitMix64 (next_double = (z >> 11) 2^-53) so that any port reproduces them
/// bit for bit:
/// - circles-anode3: DESIGN.md section 4 (seed 20190909);
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
        case .circlesAnode3: return CirclesAnode3.data()
        case .twoMoons, .twoSpirals:
            var generator = SplitMix64(seed: self == .twoMoons ? 20_190_910 : 20_190_911)
            var inputs: [Double] = [], labels: [Int] = []
            inputs.reserveCapacity(3 * CirclesAnode3.count)
            for i in 0..<CirclesAnode3.count {
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
