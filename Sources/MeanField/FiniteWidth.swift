/// The 1/N theory of a random network of finite width N (derived; <doc:FiniteWidthCorrections>).
///
/// Given layer l, the h^{l+1}_i are i.i.d. N(0, K_{l+1}) with
/// K_{l+1} = sigma_b^2 + sigma_w^2 (1/N) sum_j phi(h^l_j)^2, and K_1 = q^1 is deterministic.
/// Expanding to first order in 1/N around the mean-field q^l, with
/// S(q) = sigma_w^4 (E_q[phi^4] - E_q[phi^2]^2):
///
///     m_1 = s_1 = 0
///     m_{l+1} = V'(q^l) m_l + V''(q^l) s_l / 2
///     s_{l+1} = V'(q^l)^2 s_l + S(q^l)
///
/// and q_hat^l = |h^l|^2 / N has E[q_hat^l] = q^l + m_l/N + O(1/N^2),
/// Var[q_hat^l] = (2 (q^l)^2 + s_l)/N + O(1/N^2). For relu at criticality (sigma_w^2 = 2,
/// sigma_b^2 = 0) N Var(q_hat^l)/q^2 = 5l - 3.
public struct FiniteWidthTheory: Sendable, Equatable {
    /// Layers 1...L.
    public var layers: [Int]
    /// The mean-field lengths q^l.
    public var q: [Double]
    /// N (E[q_hat^l] - q^l) to first order.
    public var m: [Double]
    /// N Var(K_l) to first order.
    public var s: [Double]
    /// N Var(q_hat^l) = 2 (q^l)^2 + s_l to first order.
    public var nVar: [Double]

    /// E[q_hat^l] at width N.
    public func mean(width: Int) -> [Double] { zip(q, m).map { $0 + $1 / Double(width) } }
    /// Var(q_hat^l) at width N.
    public func variance(width: Int) -> [Double] { nVar.map { $0 / Double(width) } }
}

extension MeanFieldModel {
    /// ``FiniteWidthTheory`` for layers 1...depth from the layer-1 length q1.
    public func finiteWidth(q1: Double, depth: Int, using integrator: GaussianIntegrator) throws(MeanFieldError) -> FiniteWidthTheory {
        try requireFinite(q1, "q1")
        guard q1 > 0 else { throw .invalidParameter(name: "q1", reason: "the layer-1 length must be > 0, got \(q1)") }
        guard depth >= 1 else { throw .invalidParameter(name: "depth", reason: "must be >= 1, got \(depth)") }
        guard depth <= 100_000 else { throw .invalidParameter(name: "depth", reason: "must be <= 100000, got \(depth)") }
        var theory = FiniteWidthTheory(layers: [], q: [], m: [], s: [], nVar: [])
        var q = q1, m = 0.0, s = 0.0
        for layer in 1...depth {
            theory.layers.append(layer)
            theory.q.append(q)
            theory.m.append(m)
            theory.s.append(s)
            theory.nVar.append(2 * q * q + s)
            guard layer < depth else { break }
            let moments = integrator.length(q: q)
            let closed = integrator.method == .automatic ? activation.closedFormFourthMoment(q: q) : nil
            let phi4 = closed ?? integrator.expectation(variance: q) { $0.d0 * $0.d0 * $0.d0 * $0.d0 }
            let slope = sigmaW2 * moments.phi2Dq
            let curvature = sigmaW2 * moments.phi2Dqq
            let spread = sigmaW2 * sigmaW2 * (phi4 - moments.phi2 * moments.phi2)
            (m, s) = (slope * m + 0.5 * curvature * s, slope * slope * s + spread)
            q = sigmaW2 * moments.phi2 + sigmaB2
            guard q.isFinite, m.isFinite, s.isFinite else {
                throw .noFixedPoint("the length overflowed at layer \(layer + 1)")
            }
        }
        return theory
    }
}
