import GSLKit

extension NearIdentityConvergence {
    /// The inputs of the near-identity study on circles-anode3 (`neurodyn residual
    /// near-identity`): `points` of its 1000 points spread evenly through the data set (point
    /// i * 1000 / points, row-major, 3 values each) and the loss's cotangent w for L = <w, x(1)>,
    /// uniform in [-1/2, 1/2) from SplitMix64's stream 1 of `seed` (``NearIdentityField/random(dimension:knots:scale:seed:g:)``
    /// draws the weights from the seed itself).
    public static func circlesAnode3Inputs(points: Int, seed: UInt64) throws(ResidualError) -> (x0: [Double], cotangent: [Double]) {
        let (count, d) = (ResidualProblem.count, ResidualProblem.dimension)
        guard (1...count).contains(points) else {
            throw .invalidParameter(name: "points", reason: "must be between 1 and \(count), got \(points)")
        }
        let (data, _) = ResidualProblem.circlesAnode3.data()
        let x0 = (0..<points).flatMap { i -> ArraySlice<Double> in
            let start = i * count / points * d
            return data[start..<(start + d)]
        }
        var generator = SplitMix64(seed: SplitMix64.derive(base: seed, index: 1))
        return (x0, (0..<(points * d)).map { _ in generator.nextDouble() - 0.5 })
    }
}
