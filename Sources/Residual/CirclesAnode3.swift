import Foundation
import GSLKit

/// The benchmark problem "circles-anode3" of DESIGN.md section 4, bit-exact:
/// 1000 points from SplitMix64(seed 20190909), point i with label i mod 2, theta = 2 pi u1,
/// r = (0.5 for label 0, 1.0 for label 1) + 0.1 (u2 - 0.5), x = (r cos theta, r sin theta, 0);
/// 235 parameters from SplitMix64(seed 20181019) in the order W1 (32x3), b1, W2 (3x32), b2,
/// Wr (2x3), br (row-major), entry (2u - 1)/sqrt(fan_in) with fan_in 3, 3, 32, 32, 3, 3.
public enum CirclesAnode3 {
    public static let count = 1000
    public static let dimension = 3
    public static let hidden = 32
    public static let classes = 2

    /// Inputs, count x 3 row-major, and labels.
    public static func data() -> (inputs: [Double], labels: [Int]) {
        var generator = SplitMix64(seed: 20_190_909)
        var inputs: [Double] = [], labels: [Int] = []
        inputs.reserveCapacity(count * dimension)
        for i in 0..<count {
            let label = i % 2
            let theta = 2 * Double.pi * generator.nextDouble()
            let r = (label == 0 ? 0.5 : 1.0) + 0.1 * (generator.nextDouble() - 0.5)
            inputs += [r * cos(theta), r * sin(theta), 0]
            labels.append(label)
        }
        return (inputs, labels)
    }

    /// The initial parameters: field (W1, b1, W2, b2) then readout (Wr, br).
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
