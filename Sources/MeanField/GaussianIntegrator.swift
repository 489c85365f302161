import Activations
import Foundation

/// Computes Gaussian expectations of one activation by composite Gauss-Legendre quadrature
/// (``QuadratureOptions``) or closed forms.
///
/// An integrator owns scratch buffers and is confined to one task: parallel sweeps make one per
/// task. The node tables it reads are shared and immutable.
public final class GaussianIntegrator {
    public let activation: Activation
    public let options: QuadratureOptions
    public let method: MomentMethod
    private let profile: QuadratureProfile
    var rule = GaussianRule()
    private var inner = GaussianRule()
    /// The Mehler projections' rule, kept apart so that each keeps its cached layout.
    var hermiteRule = GaussianRule()
    private var pinned: (q: Double, moments: LengthMoments)?

    public init(activation: Activation, options: QuadratureOptions = .standard, method: MomentMethod = .automatic) {
        self.activation = activation
        self.options = options
        self.method = method
        self.profile = activation.quadratureProfile
    }

    /// E[g(u)], u ~ N(mean, variance), for any function of phi's derivatives.
    public func expectation(mean: Double = 0, variance: Double, _ g: (Activation.Derivatives) -> Double) -> Double {
        expectation(mean: mean, variance: variance) { _, d in g(d) }
    }

    /// E[g(u, phi(u), phi'(u), ...)], u ~ N(mean, variance): for moments that weight phi's
    /// derivatives by powers of u (Gaussian integration by parts).
    public func expectation(mean: Double = 0, variance: Double, _ g: (Double, Activation.Derivatives) -> Double) -> Double {
        rule.build(mean: mean, sd: variance.squareRoot(), profile: profile, options: options)
        var sum = 0.0
        for i in 0..<rule.count {
            sum += rule.weights[i] * g(rule.nodes[i], activation.derivatives(rule.nodes[i]))
        }
        return sum
    }

    /// ``length(q:)`` remembered for one pinned q (the start q0 of a sweep's fixed-point solves).
    func pinnedLength(q: Double) -> LengthMoments {
        if let pinned, pinned.q == q { return pinned.moments }
        let moments = length(q: q)
        pinned = (q, moments)
        return moments
    }

    /// The relative error of E_q[phi^2] from ``lengthWithSlope(q:)``: a few ulp where a closed form
    /// answers, the composite rule's accuracy (1e-14, measured against scipy's adaptive quad and
    /// the refined rule for q from 1e-3 to 400) otherwise.
    public var lengthAccuracy: Double {
        (method == .automatic || !activation.kinks.isEmpty) && activation.hasClosedFormLength ? 8 * Double.ulpOfOne : 1e-14
    }

    /// (E_q[phi^2], d/dq E_q[phi^2]) alone: the cheaper loop of Newton steps on the length map.
    public func lengthWithSlope(q: Double) -> (phi2: Double, phi2Dq: Double) {
        if method == .automatic || !activation.kinks.isEmpty {
            if let exact = activation.closedFormLength(q: q) { return (exact.phi2, exact.phi2Dq) }
        }
        rule.build(mean: 0, sd: q.squareRoot(), profile: profile, options: options)
        return rule.nodes.withUnsafeBufferPointer { nodes in
            rule.weights.withUnsafeBufferPointer { weights in
                activation.withKernel(LengthMapLoop(nodes: nodes, weights: weights))
            }
        }
    }

    /// ``LengthMoments`` at variance q >= 0.
    public func length(q: Double) -> LengthMoments {
        if method == .automatic, let exact = activation.closedFormLength(q: q) { return exact }
        rule.build(mean: 0, sd: q.squareRoot(), profile: profile, options: options)
        let (phi2, dphi2, d2phi2, phiD2, dphiD3, phiD4) = rule.nodes.withUnsafeBufferPointer { nodes in
            rule.weights.withUnsafeBufferPointer { weights in
                activation.withKernel(LengthLoop(nodes: nodes, weights: weights))
            }
        }
        var moments = LengthMoments(
            phi2: phi2, dphi2: dphi2, d2phi2: d2phi2,
            phi2Dq: dphi2 + phiD2,
            phi2Dqq: 0.5 * (3 * d2phi2 + 4 * dphiD3 + phiD4),
            dphi2Dq: d2phi2 + dphiD3)
        if !activation.kinks.isEmpty, let exact = activation.closedFormLength(q: q) {
            // The Dirac parts of phi'' at the kinks: E[phi phi''] gains sum_k jump_k phi(k) p_q(k);
            // the higher derivative moments have no regular part worth integrating.
            let sd = q.squareRoot()
            var dirac = 0.0
            if sd > 0 {
                for kink in activation.kinks {
                    let jump = activation.derivatives(kink.nextUp).d1 - activation.derivatives(kink.nextDown).d1
                    let density = 0.3989422804014327 / sd * Foundation.exp(-0.5 * kink * kink / q)
                    dirac += jump * activation.derivatives(kink).d0 * density
                }
            }
            moments.phi2Dq = dphi2 + phiD2 + dirac
            moments.d2phi2 = .infinity
            moments.phi2Dqq = exact.phi2Dqq
            moments.dphi2Dq = exact.dphi2Dq
        }
        return moments
    }

    /// ``CrossMoments`` for variances q11, q22 >= 0 and correlation c in [-1, 1].
    ///
    /// Direct two-dimensional quadrature through a common factor: with a = |c|,
    /// u1 = sqrt(a q11) x + sqrt((1-a) q11) y1, u2 = sign(c) sqrt(a q22) x + sqrt((1-a) q22) y2
    /// (x, y1, y2 independent standard normals) has the required covariance, so
    /// E[g(u1) h(u2)] = E_x[ psi_g(sqrt(a q11) x) psi_h(sign(c) sqrt(a q22) x) ] where psi is the
    /// function smoothed by the Gaussian of the y's. As |c| -> 1 the inner Gaussians shrink to
    /// points and the rule stays exact; panels follow the activation's features in both levels.
    public func cross(q11: Double, q22: Double, c: Double) -> CrossMoments {
        if method == .automatic, let exact = activation.closedFormCross(q11: q11, q22: q22, c: c) { return exact }
        let factors = buildOuterRule(q11: q11, q22: q22, c: c)
        var phiPhi = 0.0, dphiDphi = 0.0
        for k in 0..<rule.count {
            let x = rule.nodes[k] / factors.scale
            let first = smoothed(mean: factors.alpha * x, sd: factors.s1)
            let second = factors.symmetric ? first : smoothed(mean: factors.beta * x, sd: factors.s2)
            phiPhi += rule.weights[k] * first.0 * second.0
            dphiDphi += rule.weights[k] * first.1 * second.1
        }
        return CrossMoments(phiPhi: phiPhi, dphiDphi: dphiDphi)
    }

    /// M[i][j] = E[phi(u1)^i phi(u2)^j] for i, j = 0...4 with i + j <= 4 (other entries 0),
    /// (u1, u2) as in ``cross(q11:q22:c:)`` and by the same common-factor quadrature. These are
    /// the moments behind the covariance of sigma_w^2 (phi_a^2, phi_a phi_b, phi_b^2) that drives
    /// the finite-width kernel fluctuations (``MeanFieldModel/finiteWidthCorrelation(q11:q22:c:widths:using:)``).
    public func crossPowers(q11: Double, q22: Double, c: Double) -> [[Double]] {
        let factors = buildOuterRule(q11: q11, q22: q22, c: c)
        var moments = [[Double]](repeating: [Double](repeating: 0, count: 5), count: 5)
        for k in 0..<rule.count {
            let x = rule.nodes[k] / factors.scale
            let first = smoothedPowers(mean: factors.alpha * x, sd: factors.s1)
            let second = factors.symmetric ? first : smoothedPowers(mean: factors.beta * x, sd: factors.s2)
            for i in 0...4 {
                for j in 0...(4 - i) { moments[i][j] += rule.weights[k] * first[i] * second[j] }
            }
        }
        return moments
    }

    /// Builds `rule` as the outer rule in x of the common-factor decomposition (as u = scale x):
    /// the activation's zones seen through each factor, and around each kink a zone as narrow as
    /// that factor's smoothing (9 sd either side).
    private func buildOuterRule(q11: Double, q22: Double, c: Double)
        -> (alpha: Double, beta: Double, s1: Double, s2: Double, scale: Double, symmetric: Bool) {
        let a = Swift.abs(c)
        let alpha = (a * q11).squareRoot()
        let beta = (c < 0 ? -1.0 : 1.0) * (a * q22).squareRoot()
        let s1 = ((1 - a) * q11).squareRoot(), s2 = ((1 - a) * q22).squareRoot()
        let symmetric = q11 == q22 && c >= 0
        let scale = Swift.max(alpha, Swift.abs(beta))
        var outerProfile = QuadratureProfile(halfWidth: 0, panelWidth: .infinity, kinks: [])
        if scale > 0 {
            for (factor, smoothing) in [(alpha, s1), (beta, s2)] where factor != 0 {
                let stretch = scale / Swift.abs(factor)
                for zone in profile.zones {
                    outerProfile.zones.append(.init(center: zone.center * scale / factor,
                                                    halfWidth: zone.halfWidth * stretch,
                                                    panelWidth: zone.panelWidth * stretch))
                }
                for kink in profile.kinks {
                    outerProfile.kinks.append(kink * scale / factor)
                    if smoothing > 0 {
                        outerProfile.zones.append(.init(center: kink * scale / factor, halfWidth: 9 * smoothing * stretch,
                                                        panelWidth: 2 * smoothing * stretch))
                    }
                }
                if symmetric { break }
            }
        }
        rule.build(mean: 0, sd: scale, profile: outerProfile, options: options)
        return (alpha, beta, s1, s2, scale > 0 ? scale : 1, symmetric)
    }

    /// (1, E[phi], E[phi^2], E[phi^3], E[phi^4]) at m + s y, y ~ N(0, 1).
    private func smoothedPowers(mean m: Double, sd s: Double) -> [Double] {
        var powers = [1.0, 0, 0, 0, 0]
        inner.build(mean: m, sd: s, profile: profile, options: options)
        for i in 0..<inner.count {
            let phi = activation.derivatives(inner.nodes[i]).d0, w = inner.weights[i]
            let phi2 = phi * phi
            powers[1] += w * phi
            powers[2] += w * phi2
            powers[3] += w * phi2 * phi
            powers[4] += w * phi2 * phi2
        }
        return powers
    }

    /// (E[phi(m + s y)], E[phi'(m + s y)]), y ~ N(0, 1).
    @inline(__always)
    private func smoothed(mean m: Double, sd s: Double) -> (Double, Double) {
        if s == 0 {
            let d = activation.derivatives(m)
            return (d.d0, d.d1)
        }
        inner.build(mean: m, sd: s, profile: profile, options: options)
        return inner.nodes.withUnsafeBufferPointer { nodes in
            inner.weights.withUnsafeBufferPointer { weights in
                activation.withKernel(SmoothLoop(nodes: nodes, weights: weights))
            }
        }
    }
}
