import MeanField

/// Mean-field geometry of a great k-sphere of radius sqrt(N q*) placed in layer-1 pre-activation
/// space, across layers 1...L (Poole et al. 2016 for curves; the k-sphere formulas of <doc:Geometry>
/// section 3). With F_l the l-fold c-map at q* (F_1 = id), F_l' = chi_1^{l-1} and
/// P_l = F_l''/F_l'^2, P_1 = 0, P_{l+1} = P_l/chi_1 + q* chi_2/chi_1^2 (f''(1) = q* chi_2):
///
///     g_bar^l  = q* chi_1^{l-1}                                (metric, x the round metric)
///     R_bar^l  = k(k-1) / (q* chi_1^{l-1})                     (intrinsic: only rescaled)
///     II_bar^l = k(k+2) P_l/q* + k/(q* chi_1^{l-1})            (extrinsic)
///     H_bar^l  = k(k+2) P_l/q* + k^2/(q* chi_1^{l-1})          (R_bar = H_bar - II_bar)
///
/// normalised as g_bar = g/N, R_bar = N R, II_bar = N |II|^2, H_bar = N |H|^2. For k = 1,
/// kappa2_bar = II_bar = H_bar obeys Poole's kappa2_bar^l = 3 chi_2/chi_1^2 + kappa2_bar^{l-1}/chi_1
/// (chaotic limit 3 chi_2/(chi_1 (chi_1 - 1))) and (L^G/2pi)^2 = g_bar kappa2_bar. deepchaos
/// iterates the unnormalised kappa^2 = kappa2_bar/N.
public struct EmbeddingTheory: Sendable, Equatable {
    public var k: Int
    public var qStar: Double
    public var chi1: Double
    /// chi_2 = sigma_w^2 E[phi''(sqrt(q*) z)^2] (infinite for kinked activations).
    public var chi2: Double
    public var layers: [Int]
    public var gBar: [Double]
    public var rBar: [Double]
    public var iiBar: [Double]
    public var hBar: [Double]
    /// k = 1 only: N kappa^2 and L^G/(2 pi).
    public var kappa2Bar: [Double]?
    public var lgOver2pi: [Double]?
}

extension MeanFieldModel {
    /// ``EmbeddingTheory`` for the great k-sphere at the fixed point q* reached from q0.
    public func embeddingTheory(k: Int, depth: Int, q0: Double = 1,
                                using integrator: GaussianIntegrator) throws(MeanFieldError) -> EmbeddingTheory {
        guard k >= 1, k <= 1000 else { throw .invalidParameter(name: "k", reason: "must be between 1 and 1000, got \(k)") }
        guard depth >= 1, depth <= 100_000 else { throw .invalidParameter(name: "depth", reason: "must be between 1 and 100000, got \(depth)") }
        let qStar = try qStar(from: q0, using: integrator)
        guard qStar > 0 else {
            throw .noFixedPoint("q* = 0 here (ordered, sigma_b^2 = 0): there is no sphere of radius sqrt(N q*) to place")
        }
        let moments = integrator.length(q: qStar)
        let chi1 = sigmaW2 * moments.dphi2, chi2 = sigmaW2 * moments.d2phi2
        let kk = Double(k)
        var theory = EmbeddingTheory(k: k, qStar: qStar, chi1: chi1, chi2: chi2, layers: [], gBar: [], rBar: [], iiBar: [], hBar: [])
        var p = 0.0, growth = 1.0   // P_l and chi_1^{l-1}
        for layer in 1...depth {
            theory.layers.append(layer)
            theory.gBar.append(qStar * growth)
            theory.rBar.append(kk * (kk - 1) / (qStar * growth))
            theory.iiBar.append(kk * (kk + 2) * p / qStar + kk / (qStar * growth))
            theory.hBar.append(kk * (kk + 2) * p / qStar + kk * kk / (qStar * growth))
            p = p / chi1 + qStar * chi2 / (chi1 * chi1)
            growth *= chi1
        }
        if k == 1 {
            theory.kappa2Bar = theory.iiBar
            theory.lgOver2pi = zip(theory.gBar, theory.iiBar).map { ($0 * $1).squareRoot() }
        }
        return theory
    }
}
