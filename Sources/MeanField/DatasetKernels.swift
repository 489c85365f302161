import Activations
import Foundation
import GSLKit

/// The infinite-width NNGP and NTK kernels of a dataset, layer by layer.
///
/// Network: h^1 = W^1 x + b^1 with W^1_ij ~ N(0, sigma_w^2/d), then h^l = W^l phi(h^{l-1}) + b^l
/// with W^l_ij ~ N(0, sigma_w^2/N), L layers in all (depth 1 = the input layer alone). The NNGP
/// Sigma^l_ij = E[h^l_k(x_i) h^l_k(x_j)] and the NTK in the NTK parameterization (Jacot et al.
/// 2018; neural-tangents' default):
///   Sigma^1 = sigma_w^2 x_i . x_j / d + sigma_b^2,   Theta^1 = Sigma^1,
///   Sigma^{l+1} = sigma_w^2 E[phi(u) phi(v)] + sigma_b^2,
///   Theta^{l+1} = Sigma^{l+1} + sigma_w^2 E[phi'(u) phi'(v)] Theta^l,
/// with (u, v) ~ N(0, [[Sigma^l_ii, Sigma^l_ij], [Sigma^l_ij, Sigma^l_jj]]), each pair once (the
/// matrices are symmetric). Routes: closed forms where the activation has them; otherwise, for a
/// smooth phi, the Hermite expansion (Mehler) with unequal variances,
///   E[phi(u) phi(v)] = sum_n a_n(q_i) a_n(q_j) c^n, E[phi'(u) phi'(v)] = sum_n n a_n(q_i) a_n(q_j) c^{n-1} / sqrt(q_i q_j),
/// a_n(q) = E[phi(sqrt(q) z) h_n(z)] projected once per input and layer (``MehlerSeries``, order
/// 256), accepted for a pair when the Cauchy-Schwarz tail bounds |c|^{N+1} sqrt(R0_i R0_j) and
/// |c|^N sqrt(R1_i R1_j) (Parseval residuals) are below 1e-14 of the moments' scale; and
/// ``GaussianIntegrator/cross(q11:q22:c:)``, the two-dimensional quadrature, for every other pair.
public struct DatasetKernels: Sendable {
    /// The number of inputs n; every matrix is n x n, row-major.
    public var count: Int
    /// Sigma^l for l = 1...L (only l = L unless every layer was asked for).
    public var nngp: [[Double]]
    /// Theta^l, as `nngp`.
    public var ntk: [[Double]]
    /// The layers the matrices belong to (1-based).
    public var layers: [Int]

    /// Sigma^L and Theta^L.
    public var finalNNGP: [Double] { nngp[nngp.count - 1] }
    public var finalNTK: [Double] { ntk[ntk.count - 1] }
}

extension MeanFieldModel {
    /// ``DatasetKernels`` of `inputs` (n rows of `dimension` values, row-major) through `depth`
    /// layers, every layer's matrices kept when `allLayers`. Rows of a layer are computed in
    /// parallel, each entry by itself, so the result is the same for any thread count.
    /// `method` `.quadrature` forces the quadrature where closed forms exist (the tests' second route).
    public func datasetKernels(inputs: [Double], dimension: Int, depth: Int, allLayers: Bool = false,
                               method: MomentMethod = .automatic, threads: Int? = nil,
                               progress: ProgressHandler? = nil) throws(MeanFieldError) -> DatasetKernels {
        guard dimension >= 1 else { throw .invalidParameter(name: "inputs", reason: "the inputs need at least one column") }
        guard !inputs.isEmpty, inputs.count % dimension == 0 else {
            throw .invalidParameter(name: "inputs", reason: "\(inputs.count) values are not whole rows of \(dimension)")
        }
        guard depth >= 1 else { throw .invalidParameter(name: "depth", reason: "must be >= 1 (1 = the input layer alone), got \(depth)") }
        if let bad = inputs.firstIndex(where: { !$0.isFinite }) {
            throw .invalidParameter(name: "inputs", reason: "row \(bad / dimension + 1), column \(bad % dimension + 1) is \(inputs[bad])")
        }
        if let threads, threads < 1 { throw .invalidParameter(name: "threads", reason: "must be >= 1, got \(threads)") }
        let n = inputs.count / dimension
        let kept = allLayers ? depth : 1
        if let refusal = MemoryBudget.refusal(bytes: MemoryBudget.bytes(2, kept + 1, n, n), for: "\(kept) layers of two \(n) x \(n) kernels") {
            throw .invalidParameter(name: "inputs", reason: refusal)
        }
        // Layer 1.
        var sigma = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in i..<n {
                var dot = 0.0
                for k in 0..<dimension { dot += inputs[i * dimension + k] * inputs[j * dimension + k] }
                let value = sigmaW2 * dot / Double(dimension) + sigmaB2
                sigma[i * n + j] = value
                sigma[j * n + i] = value
            }
        }
        var theta = sigma
        var result = DatasetKernels(count: n, nngp: [], ntk: [], layers: [])
        if allLayers || depth == 1 {
            result.nngp.append(sigma); result.ntk.append(theta); result.layers.append(1)
        }
        let total = (depth - 1) * n
        let useHermite = method == .automatic && !activation.hasClosedFormCross && activation.breakpoints.isEmpty
        for layer in stride(from: 2, through: depth, by: 1) {
            let nextSigma = SharedResults<Double>(repeating: 0, count: n * n)
            let nextTheta = SharedResults<Double>(repeating: 0, count: n * n)
            let previousSigma = sigma, previousTheta = theta
            let hermite = useHermite ? hermiteProjections(diagonal: (0..<n).map { sigma[$0 * n + $0] }, threads: threads) : nil
            let done = (layer - 2) * n
            var layerProgress: ProgressHandler?
            if let progress { layerProgress = { k, _ in progress(done + k, total) } }
            parallelTasks(count: n, threads: threads, progress: layerProgress) { i in
                let integrator = GaussianIntegrator(activation: activation, method: method)
                let qi = previousSigma[i * n + i]
                for j in i..<n {
                    let qj = previousSigma[j * n + j], qij = previousSigma[i * n + j]
                    let scale = (qi * qj).squareRoot()
                    let c = scale > 0 ? Swift.min(1, Swift.max(-1, qij / scale)) : 0
                    // The diagonal is the length map itself: E[phi^2], E[phi'^2] at Sigma_ii.
                    let m = i == j ? integrator.length(q: qi).crossAtOne
                        : hermite.flatMap { $0.cross(i, j, c: c) } ?? integrator.cross(q11: qi, q22: qj, c: c)
                    let s = sigmaW2 * m.phiPhi + sigmaB2
                    let t = s + sigmaW2 * m.dphiDphi * previousTheta[i * n + j]
                    nextSigma[i * n + j] = s
                    nextTheta[i * n + j] = t
                    if j != i {
                        nextSigma[j * n + i] = s
                        nextTheta[j * n + i] = t
                    }
                }
            }
            sigma = nextSigma.array
            theta = nextTheta.array
            if allLayers || layer == depth {
                result.nngp.append(sigma); result.ntk.append(theta); result.layers.append(layer)
            }
        }
        return result
    }
}

/// Every input's Hermite projections at one layer, for the Mehler route of ``DatasetKernels``.
struct HermiteProjections: Sendable {
    static let order = 256
    static let tolerance = 1e-14
    var series: [MehlerSeries]
    var moments: [LengthMoments]

    /// (E[phi phi], E[phi' phi']) for inputs i and j at correlation c, or nil when the series'
    /// tail bound does not meet the tolerance (or a variance is 0).
    func cross(_ i: Int, _ j: Int, c: Double) -> CrossMoments? {
        let a = series[i], b = series[j]
        guard a.q > 0, b.q > 0 else { return nil }
        let r0 = (a.residual, b.residual), r1 = (a.derivativeResidual, b.derivativeResidual)
        let scale0 = (moments[i].phi2 * moments[j].phi2).squareRoot()
        let scale1 = (a.q * moments[i].dphi2 * b.q * moments[j].dphi2).squareRoot()
        // A residual below -1e-13 of its scale is a projection error, not a tail.
        guard r0.0 > -1e-13 * moments[i].phi2, r0.1 > -1e-13 * moments[j].phi2,
              r1.0 > -1e-13 * a.q * moments[i].dphi2, r1.1 > -1e-13 * b.q * moments[j].dphi2 else { return nil }
        let power = Foundation.pow(Swift.abs(c), Double(HermiteProjections.order))
        let tail0 = power * Swift.abs(c) * (Swift.max(0, r0.0) * Swift.max(0, r0.1)).squareRoot()
        let tail1 = power * (Swift.max(0, r1.0) * Swift.max(0, r1.1)).squareRoot()
        guard tail0 <= HermiteProjections.tolerance * scale0, tail1 <= HermiteProjections.tolerance * scale1 else { return nil }
        var value = 0.0, derivative = 0.0
        for k in stride(from: a.projections.count - 1, through: 0, by: -1) {
            derivative = derivative * c + value
            value = value * c + a.projections[k] * b.projections[k]
        }
        return CrossMoments(phiPhi: value, dphiDphi: derivative / (a.q * b.q).squareRoot())
    }
}

extension MeanFieldModel {
    /// The projections of every input at variances `diagonal`, in parallel.
    func hermiteProjections(diagonal: [Double], threads: Int?) -> HermiteProjections {
        let series = SharedResults<MehlerSeries?>(repeating: nil, count: diagonal.count)
        let moments = SharedResults<LengthMoments?>(repeating: nil, count: diagonal.count)
        parallelTasks(count: diagonal.count, threads: threads) { i in
            let integrator = GaussianIntegrator(activation: activation)
            let m = integrator.length(q: diagonal[i])
            moments[i] = m
            series[i] = MehlerSeries(integrator: integrator, q: diagonal[i], order: HermiteProjections.order, moments: m)
        }
        return HermiteProjections(series: series.array.map { $0! }, moments: moments.array.map { $0! })
    }
}

extension LengthMoments {
    /// E[phi(u) phi(u)] and E[phi'(u) phi'(u)]: the cross moments of a pair with c = 1.
    var crossAtOne: CrossMoments { CrossMoments(phiPhi: phi2, dphiDphi: dphi2) }
}
