/// Weights that depend on time through K values at knots t_m = m / (K - 1) on [0, 1], linearly
/// interpolated (hat functions), constant for K = 1 and held at the end values outside [0, 1]:
/// per-layer weights of a net that any number of layers, and any ODE solver, sample continuously.
public struct KnotGrid: Sendable, Equatable {
    public let knots: Int

    public init(knots: Int) throws(ResidualError) {
        guard knots >= 1 else { throw .invalidParameter(name: "knots", reason: "must be >= 1, got \(knots)") }
        self.knots = knots
    }

    /// The two knots around t and their hat-function weights (w0 + w1 = 1; m + 1 may be K for K = 1, with w1 = 0).
    public func weights(at t: Double) -> (m: Int, w0: Double, w1: Double) {
        guard knots > 1 else { return (0, 1, 0) }
        let s = Swift.min(Swift.max(t, 0), 1) * Double(knots - 1)
        let m = Swift.min(Int(s), knots - 2)
        let w1 = s - Double(m)
        return (m, 1 - w1, w1)
    }

    /// The interior knots, where interpolated weights have kinks (the fields' breakpoints).
    public var breakpoints: [Double] { knots > 2 ? (1..<(knots - 1)).map { Double($0) / Double(knots - 1) } : [] }

    /// sum_m phi_m(t) v_m for `values` holding K blocks of `size`.
    public func interpolate(_ values: [Double], size: Int, at t: Double) -> [Double] {
        let (m, w0, w1) = weights(at: t)
        guard w1 != 0 else { return Array(values[(m * size)..<((m + 1) * size)]) }
        return (0..<size).map { w0 * values[m * size + $0] + w1 * values[(m + 1) * size + $0] }
    }

    /// Adds scale phi_m(t) g to block m of `blocks` (K blocks of g.count) for the two knots around t:
    /// the chain rule through ``interpolate(_:size:at:)``.
    public func spread(_ g: [Double], at t: Double, scale: Double, into blocks: inout [Double], offset: Int = 0) {
        let (m, w0, w1) = weights(at: t), size = g.count
        for (knot, w) in [(m, w0), (m + 1, w1)] where w != 0 {
            for k in 0..<size { blocks[offset + knot * size + k] += scale * w * g[k] }
        }
    }
}
