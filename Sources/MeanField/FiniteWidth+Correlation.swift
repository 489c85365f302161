/// The 1/N theory of a pair of inputs through a random network of finite widths N_l
/// (<doc:FiniteWidthCorrections>, "Correlations").
///
/// Given layer l, the rows (h^{l+1}_{i,a}, h^{l+1}_{i,b}) are i.i.d. N(0, K^{l+1}) with
/// K^{l+1} = sigma_b^2 + sigma_w^2 (1/N_l) sum_j phi(h^l_j) phi(h^l_j)^T. Write k = (K_aa, K_ab, K_bb),
/// F(k) for the mean-field kernel map (V(K_aa), sigma_w^2 E_k[phi_a phi_b] + sigma_b^2, V(K_bb)) and
/// Q^l for its iterates from the deterministic K^1 = Q^1. With delta^l = k^l - Q^l, to first order in 1/N:
///
///     E[delta^{l+1}]   = M^{l+1} = J M^l + (1/2) H[S^l]
///     Cov[delta^{l+1}] = S^{l+1} = J S^l J^T + Sigma(Q^l) / N_l,     M^1 = S^1 = 0
///
/// J and H are the Jacobian and Hessian of F at Q^l; Sigma = sigma_w^4 Cov(phi_a^2, phi_a phi_b, phi_b^2).
/// The measured kernel q_hat = (1/N_l) sum_i h_i h_i^T has E = Q + M and Cov = Gamma(Q)/N_l + S
/// (Gamma: Wick's Cov(h_a h_b, h_c h_d) = K_ac K_bd + K_ad K_bc), and c_hat = g(q_hat) =
/// q_ab / sqrt(q_aa q_bb) follows by the delta method:
/// E[c_hat] = c + grad g . M + (1/2) tr(Hess g Cov), Var[c_hat] = grad g^T Cov grad g.
///
/// V' and V'' come from the Price identities; the K_ab-derivatives of F by central differences
/// with steps 1e-5 (first) and 1e-3 (second) of the distance to |c| = 1, which keeps the
/// perturbed kernels positive definite. The expansion needs 1 - |c| >> 1/sqrt(N); where the
/// mean-field 1 - |c^l| falls below 1e-7 the prediction is withheld (nil) from that layer on,
/// except for identical inputs (q11 = q22, c = 1), whose c_hat is exactly 1.
public struct FiniteWidthCorrelationTheory: Sendable, Equatable {
    /// Layers 1...L.
    public var layers: [Int]
    /// The mean-field kernel: q_aa^l, q_bb^l and c^l.
    public var q11: [Double], q22: [Double], c: [Double]
    /// E[q_hat_aa], E[q_hat_bb] to first order.
    public var meanQ11: [Double?], meanQ22: [Double?]
    /// E[c_hat] and Var[c_hat] to first order in 1/N.
    public var meanC: [Double?], varianceC: [Double?]
}

extension MeanFieldModel {
    /// ``FiniteWidthCorrelationTheory`` for two inputs with layer-1 lengths q11, q22 and
    /// correlation c, through layers of widths N_1...N_L (`widths`).
    public func finiteWidthCorrelation(q11: Double, q22: Double, c: Double, widths: [Int],
                                       using integrator: GaussianIntegrator) throws(MeanFieldError) -> FiniteWidthCorrelationTheory {
        try requireFinite(q11, "q11")
        try requireFinite(q22, "q22")
        guard q11 > 0, q22 > 0 else { throw .invalidParameter(name: "q1", reason: "the layer-1 lengths must be > 0, got \(q11), \(q22)") }
        guard c.isFinite, Swift.abs(c) <= 1 else { throw .invalidParameter(name: "c1", reason: "a correlation must lie in [-1, 1], got \(c)") }
        guard !widths.isEmpty, widths.count <= 100_000 else {
            throw .invalidParameter(name: "depth", reason: "must be between 1 and 100000, got \(widths.count)")
        }
        guard let narrow = widths.min(), narrow >= 1 else { throw .invalidParameter(name: "width", reason: "every width must be >= 1") }
        let identical = q11 == q22 && c == 1
        var theory = FiniteWidthCorrelationTheory(layers: [], q11: [], q22: [], c: [], meanQ11: [], meanQ22: [], meanC: [], varianceC: [])
        var k = Kernel3(aa: q11, ab: c * (q11 * q22).squareRoot(), bb: q22)
        var mean = [0.0, 0, 0], cov = [[Double]](repeating: [0, 0, 0], count: 3)
        var valid = true
        for (index, width) in widths.enumerated() {
            let n = Double(width)
            let cl = identical ? 1 : Swift.min(1, Swift.max(-1, k.ab / (k.aa * k.bb).squareRoot()))
            theory.layers.append(index + 1)
            theory.q11.append(k.aa)
            theory.q22.append(k.bb)
            theory.c.append(cl)
            valid = valid && (identical || 1 - Swift.abs(cl) >= 1e-7)
            if valid {
                let observed = addMatrices(k.wick.map { $0.map { $0 / n } }, cov)
                theory.meanQ11.append(k.aa + mean[0])
                theory.meanQ22.append(k.bb + mean[2])
                if identical {
                    theory.meanC.append(1)
                    theory.varianceC.append(0)
                } else {
                    let (gradient, hessian) = k.correlationDerivatives
                    var bias = dot(gradient, mean)
                    for i in 0..<3 { for j in 0..<3 { bias += 0.5 * hessian[i][j] * observed[i][j] } }
                    var variance = 0.0
                    for i in 0..<3 { for j in 0..<3 { variance += gradient[i] * observed[i][j] * gradient[j] } }
                    theory.meanC.append(cl + bias)
                    theory.varianceC.append(variance)
                }
            } else {
                theory.meanQ11.append(nil)
                theory.meanQ22.append(nil)
                theory.meanC.append(nil)
                theory.varianceC.append(nil)
            }
            guard index + 1 < widths.count else { break }
            let next = try kernelMap(k, identical: identical, using: integrator)
            if valid {
                let (jacobian, hessian) = try kernelMapDerivatives(k, identical: identical, using: integrator)
                let noise = fluctuation(k, using: integrator)
                var newMean = [0.0, 0, 0]
                for i in 0..<3 {
                    newMean[i] = dot(jacobian[i], mean)
                    for a in 0..<3 { for b in 0..<3 { newMean[i] += 0.5 * hessian[i][a][b] * cov[a][b] } }
                }
                var newCov = [[Double]](repeating: [0, 0, 0], count: 3)
                for i in 0..<3 {
                    for j in 0..<3 {
                        var sum = noise[i][j] / n
                        for a in 0..<3 { for b in 0..<3 { sum += jacobian[i][a] * cov[a][b] * jacobian[j][b] } }
                        newCov[i][j] = sum
                    }
                }
                (mean, cov) = (newMean, newCov)
            }
            k = next
            guard k.aa.isFinite, k.bb.isFinite, k.ab.isFinite else {
                throw .noFixedPoint("the kernel overflowed at layer \(index + 2)")
            }
        }
        return theory
    }

    /// F(k) = (V(K_aa), sigma_w^2 E_k[phi_a phi_b] + sigma_b^2, V(K_bb)).
    private func kernelMap(_ k: Kernel3, identical: Bool, using integrator: GaussianIntegrator) throws(MeanFieldError) -> Kernel3 {
        let aa = lengthMap(k.aa, using: integrator).value
        if identical { return Kernel3(aa: aa, ab: aa, bb: aa) }
        let bb = k.bb == k.aa ? aa : lengthMap(k.bb, using: integrator).value
        return Kernel3(aa: aa, ab: crossMap(k, using: integrator), bb: bb)
    }

    private func crossMap(_ k: Kernel3, using integrator: GaussianIntegrator) -> Double {
        let c = Swift.min(1, Swift.max(-1, k.ab / (k.aa * k.bb).squareRoot()))
        return sigmaW2 * integrator.cross(q11: k.aa, q22: k.bb, c: c).phiPhi + sigmaB2
    }

    /// Jacobian J[i][a] and Hessian H[i][a][b] of F at k, coordinates (aa, ab, bb).
    private func kernelMapDerivatives(_ k: Kernel3, identical: Bool, using integrator: GaussianIntegrator) throws(MeanFieldError)
        -> ([[Double]], [[[Double]]]) {
        var jacobian = [[Double]](repeating: [0, 0, 0], count: 3)
        var hessian = [[[Double]]](repeating: [[Double]](repeating: [0, 0, 0], count: 3), count: 3)
        let dvaa = lengthMap(k.aa, using: integrator).derivative
        let dvbb = k.bb == k.aa ? dvaa : lengthMap(k.bb, using: integrator).derivative
        jacobian[0][0] = dvaa
        jacobian[2][2] = dvbb
        hessian[0][0][0] = lengthMapSecondDerivative(k.aa, using: integrator)
        hessian[2][2][2] = k.bb == k.aa ? hessian[0][0][0] : lengthMapSecondDerivative(k.bb, using: integrator)
        if identical {
            // c stays 1: K_ab = K_aa = K_bb move together along the diagonal.
            jacobian[1] = [dvaa, 0, 0]
            hessian[1][0][0] = hessian[0][0][0]
            return (jacobian, hessian)
        }
        let c = k.ab / (k.aa * k.bb).squareRoot()
        let room = Swift.min(1, 1 - Swift.abs(c))
        let scales = [k.aa, (k.aa * k.bb).squareRoot(), k.bb]
        func f(_ shift: [Double]) -> Double {
            crossMap(Kernel3(aa: k.aa + shift[0], ab: k.ab + shift[1], bb: k.bb + shift[2]), using: integrator)
        }
        let centre = f([0, 0, 0])
        let small = scales.map { 1e-5 * room * $0 }
        let large = scales.map { 1e-3 * room * $0 }
        for a in 0..<3 {
            var plus = [0.0, 0, 0], minus = [0.0, 0, 0]
            plus[a] = small[a]; minus[a] = -small[a]
            jacobian[1][a] = (f(plus) - f(minus)) / (2 * small[a])
            plus[a] = large[a]; minus[a] = -large[a]
            hessian[1][a][a] = (f(plus) - 2 * centre + f(minus)) / (large[a] * large[a])
            for b in 0..<a {
                func shifted(_ sa: Double, _ sb: Double) -> Double {
                    var shift = [0.0, 0, 0]
                    shift[a] = sa * large[a]; shift[b] = sb * large[b]
                    return f(shift)
                }
                let mixed = (shifted(1, 1) - shifted(1, -1) - shifted(-1, 1) + shifted(-1, -1)) / (4 * large[a] * large[b])
                hessian[1][a][b] = mixed
                hessian[1][b][a] = mixed
            }
        }
        return (jacobian, hessian)
    }

    /// Sigma(k) = sigma_w^4 Cov(phi_a^2, phi_a phi_b, phi_b^2) under N(0, k).
    private func fluctuation(_ k: Kernel3, using integrator: GaussianIntegrator) -> [[Double]] {
        let c = Swift.min(1, Swift.max(-1, k.ab / (k.aa * k.bb).squareRoot()))
        let m = integrator.crossPowers(q11: k.aa, q22: k.bb, c: c)
        let w4 = sigmaW2 * sigmaW2
        let aaaa = m[4][0] - m[2][0] * m[2][0], aaab = m[3][1] - m[2][0] * m[1][1], aabb = m[2][2] - m[2][0] * m[0][2]
        let abab = m[2][2] - m[1][1] * m[1][1], abbb = m[1][3] - m[1][1] * m[0][2], bbbb = m[0][4] - m[0][2] * m[0][2]
        return [[aaaa, aaab, aabb], [aaab, abab, abbb], [aabb, abbb, bbbb]].map { $0.map { w4 * $0 } }
    }
}

/// A 2 x 2 kernel as (K_aa, K_ab, K_bb).
struct Kernel3 {
    var aa: Double, ab: Double, bb: Double

    /// Wick's covariance of (h_a^2, h_a h_b, h_b^2) for (h_a, h_b) ~ N(0, K).
    var wick: [[Double]] {
        [[2 * aa * aa, 2 * aa * ab, 2 * ab * ab],
         [2 * aa * ab, aa * bb + ab * ab, 2 * ab * bb],
         [2 * ab * ab, 2 * ab * bb, 2 * bb * bb]]
    }

    /// Gradient and Hessian of g(k) = K_ab / sqrt(K_aa K_bb) at k.
    var correlationDerivatives: ([Double], [[Double]]) {
        let root = (aa * bb).squareRoot(), c = ab / root
        let gradient = [-0.5 * c / aa, 1 / root, -0.5 * c / bb]
        let hessian = [[0.75 * c / (aa * aa), -0.5 / (aa * root), 0.25 * c / (aa * bb)],
                       [-0.5 / (aa * root), 0, -0.5 / (bb * root)],
                       [0.25 * c / (aa * bb), -0.5 / (bb * root), 0.75 * c / (bb * bb)]]
        return (gradient, hessian)
    }
}

private func dot(_ x: [Double], _ y: [Double]) -> Double { zip(x, y).reduce(0) { $0 + $1.0 * $1.1 } }
private func addMatrices(_ x: [[Double]], _ y: [[Double]]) -> [[Double]] { zip(x, y).map { zip($0, $1).map(+) } }
