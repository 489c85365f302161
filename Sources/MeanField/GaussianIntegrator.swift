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
    /// How many rules since it was last set to 0 needed more than `GaussianRule.maxPanels`
    /// panels and were built coarser (a phi oscillating or growing faster than linearly, at a
    /// huge variance): results computed with them have not the stated accuracy.
    public var truncatedRules = 0

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
        if rule.isTruncated { truncatedRules += 1 }
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
        method == .automatic && activation.hasClosedFormLength ? 8 * Double.ulpOfOne : 1e-14
    }

    /// (E_q[phi^2], d/dq E_q[phi^2]) alone: the cheaper loop of Newton steps on the length map.
    public func lengthWithSlope(q: Double) -> (phi2: Double, phi2Dq: Double) {
        if method == .automatic, let exact = activation.closedFormLength(q: q) { return (exact.phi2, exact.phi2Dq) }
        rule.build(mean: 0, sd: q.squareRoot(), profile: profile, options: options)
        if rule.isTruncated { truncatedRules += 1 }
        let (phi2, slope) = rule.nodes.withUnsafeBufferPointer { nodes in
            rule.weights.withUnsafeBufferPointer { weights in
                activation.withKernel(LengthMapLoop(nodes: nodes, weights: weights))
            }
        }
        return (phi2, activation.breakpoints.isEmpty ? slope : slope + breakpointTerms(q: q).phi2Dq)
    }

    /// ``LengthMoments`` at variance q >= 0.
    public func length(q: Double) -> LengthMoments {
        if method == .automatic, let exact = activation.closedFormLength(q: q) { return exact }
        rule.build(mean: 0, sd: q.squareRoot(), profile: profile, options: options)
        if rule.isTruncated { truncatedRules += 1 }
        let (phi2, dphi2, d2phi2, phiD2, dphiD3, phiD4) = rule.nodes.withUnsafeBufferPointer { nodes in
            rule.weights.withUnsafeBufferPointer { weights in
                activation.withKernel(LengthLoop(nodes: nodes, weights: weights))
            }
        }
        let jumps = breakpointTerms(q: q)
        return LengthMoments(
            phi2: phi2, dphi2: dphi2, d2phi2: activation.kinks.isEmpty ? d2phi2 : .infinity,
            phi2Dq: dphi2 + phiD2 + jumps.phi2Dq,
            phi2Dqq: 0.5 * (3 * d2phi2 + 4 * dphiD3 + phiD4) + jumps.phi2Dqq,
            dphi2Dq: d2phi2 + dphiD3 + jumps.dphi2Dq)
    }

    /// The breakpoints' parts of the q-derivatives, from the one-sided limits there.
    ///
    /// For f piecewise smooth with jumps [f^(m)](k) at the breakpoints, integrating by parts
    /// d^n/dq^n E_q[f] = 2^{-n} int f p^(2n) gives
    /// 2^{-n} (E[f^(2n)_regular] + sum_k sum_{m<2n} (-1)^{m+1} [f^(m)](k) p^(2n-1-m)(k)),
    /// p the N(0, q) density: with f = phi^2 (n = 1, 2) and f = phi'^2 (n = 1). At a kink this is
    /// the Dirac part of phi'' (for relu, phi(0)[phi'] p(0) = 0; for hard-tanh, 2 p(1) in E[phi'^2 + phi phi'']).
    private func breakpointTerms(q: Double) -> (phi2Dq: Double, phi2Dqq: Double, dphi2Dq: Double) {
        guard q > 0 else { return (0, 0, 0) }
        var phi2Dq = 0.0, phi2Dqq = 0.0, dphi2Dq = 0.0
        for b in activation.breakpoints {
            let k = b.location
            let p0 = 0.3989422804014327 / q.squareRoot() * Foundation.exp(-0.5 * k * k / q)
            let p1 = -k / q * p0, p2 = (k * k / (q * q) - 1 / q) * p0, p3 = (-k * k * k / (q * q * q) + 3 * k / (q * q)) * p0
            // Derivatives of f = phi^2 and g = phi'^2 on either side.
            func f(_ d: Activation.Derivatives) -> (Double, Double, Double, Double) {
                (d.d0 * d.d0, 2 * d.d0 * d.d1, 2 * (d.d1 * d.d1 + d.d0 * d.d2), 2 * (3 * d.d1 * d.d2 + d.d0 * d.d3))
            }
            func g(_ d: Activation.Derivatives) -> (Double, Double) { (d.d1 * d.d1, 2 * d.d1 * d.d2) }
            let (fl, fr) = (f(b.left), f(b.right)), (gl, gr) = (g(b.left), g(b.right))
            let f0 = fr.0 - fl.0, f1 = fr.1 - fl.1, f2 = fr.2 - fl.2, f3 = fr.3 - fl.3
            phi2Dq += 0.5 * (f1 * p0 - f0 * p1)
            phi2Dqq += 0.25 * (-f0 * p3 + f1 * p2 - f2 * p1 + f3 * p0)
            dphi2Dq += 0.5 * ((gr.1 - gl.1) * p0 - (gr.0 - gl.0) * p1)
        }
        return (phi2Dq, phi2Dqq, dphi2Dq)
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
        if rule.isTruncated { truncatedRules += 1 }
        return (alpha, beta, s1, s2, scale > 0 ? scale : 1, symmetric)
    }

    /// (1, E[phi], E[phi^2], E[phi^3], E[phi^4]) at m + s y, y ~ N(0, 1).
    private func smoothedPowers(mean m: Double, sd s: Double) -> [Double] {
        var powers = [1.0, 0, 0, 0, 0]
        inner.build(mean: m, sd: s, profile: profile, options: options)
        if inner.isTruncated { truncatedRules += 1 }
        for i in 0..<inner.count {
            let phi = activation.valueAndSlope(inner.nodes[i]).0, w = inner.weights[i]
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
        if s == 0 { return activation.valueAndSlope(m) }
        inner.build(mean: m, sd: s, profile: profile, options: options)
        if inner.isTruncated { truncatedRules += 1 }
        return inner.nodes.withUnsafeBufferPointer { nodes in
            inner.weights.withUnsafeBufferPointer { weights in
                activation.withKernel(SmoothLoop(nodes: nodes, weights: weights))
            }
        }
    }
}
