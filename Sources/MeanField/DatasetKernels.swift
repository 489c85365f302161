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
/// with (u, v) ~ N(0, [[Sigma^l_ii, Sigma^l_ij], [Sigma^l_ij, Sigma^l_jj]]). Both expectations
/// come from one ``GaussianIntegrator/cross(q11:q22:c:)`` per pair and layer (closed forms where
/// the activation has them), each pair once (the matrices are symmetric).
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
        for layer in stride(from: 2, through: depth, by: 1) {
            let nextSigma = SharedResults<Double>(repeating: 0, count: n * n)
            let nextTheta = SharedResults<Double>(repeating: 0, count: n * n)
            let previousSigma = sigma, previousTheta = theta
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
                    let m = i == j ? integrator.length(q: qi).crossAtOne : integrator.cross(q11: qi, q22: qj, c: c)
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

extension LengthMoments {
    /// E[phi(u) phi(u)] and E[phi'(u) phi'(u)]: the cross moments of a pair with c = 1.
    var crossAtOne: CrossMoments { CrossMoments(phiPhi: phi2, dphiDphi: dphi2) }
}
