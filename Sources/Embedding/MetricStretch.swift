import MeanField

/// The mean-field metric of a general manifold at one point, relative to its input metric
/// (<doc:Geometry>, "any manifold"). With q^l the point's length and d_a q^l its gradient
/// along the manifold, one layer maps
///
///     g_bar^{l+1}_ab = chi_1(q^l) g_bar^l_ab + 1/2 chi_1'(q^l) d_a q^l d_b q^l,
///     q^{l+1} = V(q^l),   d_a q^{l+1} = V'(q^l) d_a q^l,
///
/// (E over W of the tangents' inner product, with v_a split into its part along h, which carries
/// d_a q = 2 h.v_a/N, and its part orthogonal to h; Gaussian integration by parts twice). Hence
/// g^l = A_l g^1 + B_l dq^1 (dq^1)^T with A_1 = 1, B_1 = 0, D_1 = 1 and
///
///     A_{l+1} = chi_1(q^l) A_l,  B_{l+1} = chi_1(q^l) B_l + 1/2 chi_1'(q^l) D_l^2,  D_{l+1} = V'(q^l) D_l.
///
/// Relative to g^1 the eigenvalues are A_l (the tangential stretch, k - 1 times) and
/// A_l + B_l |dq^1|^2 (the radial stretch, along (g^1)^{-1} dq^1, |dq|^2 = dq^T (g^1)^{-1} dq):
/// conformal wherever q is constant along the manifold (Amari et al.), a rank-one radial term
/// otherwise, and exactly conformal for relu and linear networks (chi_1' = 0).
public struct MetricStretch: Sendable, Equatable {
    /// q^l at the point.
    public var q: Double
    /// A_l: the metric's growth orthogonal to the gradient of q.
    public var tangential: Double
    /// A_l + B_l |dq^1|^2: its growth along the gradient of q.
    public var radial: Double
    /// radial / tangential - 1.
    public var radialDeviation: Double { radial / tangential - 1 }
}

extension MeanFieldModel {
    /// ``MetricStretch`` at layers 1...depth of a point with layer-1 length `q1` and squared
    /// gradient norm |dq^1|^2 = dq^T (g^1)^{-1} dq (in the input metric).
    public func metricStretch(q1: Double, gradientNormSquared: Double, depth: Int,
                              using integrator: GaussianIntegrator) throws(MeanFieldError) -> [MetricStretch] {
        guard q1.isFinite, q1 > 0 else { throw .invalidParameter(name: "q1", reason: "the point's length must be finite and > 0, got \(q1)") }
        guard gradientNormSquared.isFinite, gradientNormSquared >= 0 else {
            throw .invalidParameter(name: "gradient", reason: "|dq|^2 must be finite and >= 0, got \(gradientNormSquared)")
        }
        guard depth >= 1, depth <= 100_000 else { throw .invalidParameter(name: "depth", reason: "must be between 1 and 100000, got \(depth)") }
        var (q, a, b, d) = (q1, 1.0, 0.0, 1.0)
        var out: [MetricStretch] = []
        for layer in 1...depth {
            out.append(MetricStretch(q: q, tangential: a, radial: a + b * gradientNormSquared))
            guard layer < depth else { break }
            guard q > 0 else { throw .noFixedPoint("the length vanishes at layer \(layer): the metric recursion needs q > 0") }
            let chi1 = chi1(at: q, using: integrator), slope = chi1Slope(at: q, using: integrator)
            let map = lengthMap(q, using: integrator)
            b = chi1 * b + 0.5 * slope * d * d
            a *= chi1
            d *= map.derivative
            q = map.value
        }
        return out
    }

    /// |h_a - h_b|^2 / N at layers 1...depth for two inputs with layer-1 lengths q11, q22 and
    /// correlation c (<doc:Geometry>: 2 q*(1 - c^l) at the fixed point, tending to
    /// 2 q*(1 - c*)): q11^l + q22^l - 2 c^l sqrt(q11^l q22^l) along the joint map.
    public func squaredDistances(q11: Double, q22: Double, c: Double, depth: Int,
                                 using integrator: GaussianIntegrator) throws(MeanFieldError) -> [Double] {
        guard depth >= 1, depth <= 100_000 else { throw .invalidParameter(name: "depth", reason: "must be between 1 and 100000, got \(depth)") }
        var state = (q11: q11, q22: q22, c: c)
        var out: [Double] = []
        for layer in 1...depth {
            out.append(Swift.max(0, state.q11 + state.q22 - 2 * state.c * (state.q11 * state.q22).squareRoot()))
            if layer < depth { state = try correlationMap(q11: state.q11, q22: state.q22, c: state.c, using: integrator) }
        }
        return out
    }
}
