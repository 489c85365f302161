import Activations
import Foundation
import GSLKit
import MeanField
import Testing
import TestSupport

/// NNGP and NTK of a dataset: the diagonal against the length map's iterates, the linear
/// network's sums, closed forms against the quadrature route, symmetry, and thread independence.
@Suite struct DatasetKernelsTests {
    /// Six inputs in R^3, two of them nearly collinear and one zero.
    static let inputs: [Double] = [1, 0, 0.5,  0.3, -1, 2,  0.2, 0.1, 0.05,  -1, 0.4, 0.3,  1, 1e-7, 0.5,  0, 0, 0]

    /// Sigma^l_ii = q^l of the length map from q^1 = sigma_w^2 |x|^2/d + sigma_b^2, and
    /// Theta^{l+1}_ii = q^{l+1} + chi_1(q^l) Theta^l_ii.
    @Test(arguments: ["tanh", "relu", "erf", "mish", "leaky_relu:0.2"])
    func diagonalFollowsTheLengthMap(name: String) throws {
        let activation = try Activation(parsing: name)
        let model = try MeanFieldModel(activation: activation, sigmaW2: 1.8, sigmaB2: 0.1)
        let kernels = try model.datasetKernels(inputs: Self.inputs, dimension: 3, depth: 6, allLayers: true)
        let integrator = GaussianIntegrator(activation: activation)
        let n = 6
        for i in 0..<n {
            let x = Self.inputs[(3 * i)..<(3 * i + 3)]
            var q = 1.8 * x.reduce(0) { $0 + $1 * $1 } / 3 + 0.1, theta = q
            for (k, layer) in kernels.layers.enumerated() {
                if layer > 1 {
                    let chi = model.chi1(at: q, using: integrator)
                    q = model.lengthMap(q, using: integrator).value
                    theta = q + chi * theta
                }
                #expect(relativeError(kernels.nngp[k][i * n + i], q) < 1e-15, "\(name) layer \(layer) input \(i)")
                #expect(relativeError(kernels.ntk[k][i * n + i], theta) < 1e-14, "\(name) layer \(layer) input \(i)")
            }
        }
    }

    /// Linear phi: Sigma^{l+1} = sigma_w^2 Sigma^l + sigma_b^2, Theta^L = sum_{l=1}^L sigma_w^{2(L-l)} Sigma^l.
    @Test func linearNetworkSums() throws {
        let model = try MeanFieldModel(activation: .linear, sigmaW2: 0.7, sigmaB2: 0.2)
        let depth = 5, n = 6
        let kernels = try model.datasetKernels(inputs: Self.inputs, dimension: 3, depth: depth)
        for i in 0..<n {
            for j in 0..<n {
                var dot = 0.0
                for k in 0..<3 { dot += Self.inputs[3 * i + k] * Self.inputs[3 * j + k] }
                var sigmas = [0.7 * dot / 3 + 0.2]
                for _ in 1..<depth { sigmas.append(0.7 * sigmas.last! + 0.2) }
                let theta = (1...depth).reduce(0.0) { $0 + pow(0.7, Double(depth - $1)) * sigmas[$1 - 1] }
                #expect(abs(kernels.finalNNGP[i * n + j] - sigmas.last!) < 1e-15 * max(1, abs(sigmas.last!)))
                #expect(abs(kernels.finalNTK[i * n + j] - theta) < 1e-14 * max(1, abs(theta)))
            }
        }
    }

    /// Closed forms (relu's arc-cosine kernel, erf's arcsine, leaky relu) against the quadrature
    /// route at depths 1 to 30 (8 when chaotic, below), relative to the largest entry, in the ordered and chaotic phases.
    /// The nearly collinear pair is moved apart here (x4 = (1, 0.3, 0.5)): at 1e-7 (1 - c ~ 4e-15),
    /// a kinked phi's E[phi' phi'] ((pi - acos c)/(2 pi) for relu) moves by 1e-9 when Sigma's entries
    /// move by an ulp (acos(1 - e) ~ sqrt(2e)), so the kernel itself is determined only to that, by
    /// either route; nearlyCollinearPairsAgreeAsFarAsTheyAreDetermined bounds it.
    /// In the chaotic phase the depth is 8: there 1 - c of the nearly collinear pair grows by chi_1
    /// a layer (c = 1 is unstable), and with it any rounding of the first layer's kernel.
    @Test(arguments: [("relu", 2.0, 0.0, 30), ("erf", 0.9, 0.05, 30), ("erf", 4, 0.05, 8), ("leaky_relu:0.1", 1.9, 0.1, 30),
                      ("sin", 1.2, 0.1, 30)])
    func closedFormsAgainstQuadrature(name: String, w: Double, b: Double, depth: Int) throws {
        let activation = try Activation(parsing: name)
        let model = try MeanFieldModel(activation: activation, sigmaW2: w, sigmaB2: b)
        var inputs = Self.inputs
        inputs[13] = 0.3
        let exact = try model.datasetKernels(inputs: inputs, dimension: 3, depth: depth, allLayers: true)
        let numeric = try model.datasetKernels(inputs: inputs, dimension: 3, depth: depth, allLayers: true, method: .quadrature)
        for k in exact.layers.indices {
            let largestNNGP = exact.nngp[k].map(abs).max()!, largestNTK = exact.ntk[k].map(abs).max()!
            #expect(maxAbsError(numeric.nngp[k], exact.nngp[k]) < 1e-12 * largestNNGP, "\(name) NNGP layer \(exact.layers[k])")
            // Theta^L sums L layers' terms, each with the cross quadrature's 1e-12 (MomentTests):
            // the bound grows with the layer.
            #expect(maxAbsError(numeric.ntk[k], exact.ntk[k]) < 1e-12 * Double(exact.layers[k]) * largestNTK,
                    "\(name) NTK layer \(exact.layers[k])")
        }
    }

    /// x0 and x4 = x0 + 1e-7 e_2: 1 - c = 4e-15 at layer 1. The two-dimensional quadrature against
    /// the other route (relu's closed form, tanh's Mehler series) agrees to the kernel's own
    /// sensitivity, |d E[phi' phi'] / d Sigma_ij| ulp(Sigma) ~ (1/(2 pi)) / sqrt(2 (1 - c)) x 1e-16 ~ 1e-10
    /// for relu (and at 1e-13 where phi is smooth), per layer.
    @Test(arguments: [("relu", 2.0, 0.0, 2e-9), ("tanh", 1.5, 0.1, 1e-13)])
    func nearlyCollinearPairsAgreeAsFarAsTheyAreDetermined(name: String, w: Double, b: Double, tolerance: Double) throws {
        let activation = try Activation(parsing: name)
        let model = try MeanFieldModel(activation: activation, sigmaW2: w, sigmaB2: b)
        let quadrature = try model.datasetKernels(inputs: Self.inputs, dimension: 3, depth: 5, method: .quadrature)
        let refined = try model.datasetKernels(inputs: Self.inputs, dimension: 3, depth: 5)
        let largest = quadrature.finalNTK.map(abs).max()!
        #expect(maxAbsError(quadrature.finalNTK, refined.finalNTK) < tolerance * largest)
        #expect(maxAbsError(quadrature.finalNNGP, refined.finalNNGP) < 1e-13 * largest)
    }

    @Test func symmetricAndTheSameForAnyThreadCount() throws {
        let model = try MeanFieldModel(activation: .tanh, sigmaW2: 2.5, sigmaB2: 0.05)
        let one = try model.datasetKernels(inputs: Self.inputs, dimension: 3, depth: 8, threads: 1)
        let two = try model.datasetKernels(inputs: Self.inputs, dimension: 3, depth: 8, threads: 2)
        #expect(one.finalNNGP == two.finalNNGP && one.finalNTK == two.finalNTK)
        for i in 0..<6 {
            for j in 0..<6 {
                #expect(one.finalNNGP[i * 6 + j] == one.finalNNGP[j * 6 + i] && one.finalNTK[i * 6 + j] == one.finalNTK[j * 6 + i])
            }
        }
    }

    @Test func badInputsAreNamed() throws {
        let model = try MeanFieldModel(activation: .tanh, sigmaW2: 1, sigmaB2: 0)
        for (inputs, dimension, depth, name) in [([1.0, .nan], 2, 2, "inputs"), ([1, 2, 3], 2, 2, "inputs"), ([1, 2], 2, 0, "depth"),
                                                 ([Double](), 2, 2, "inputs")] {
            #expect { try model.datasetKernels(inputs: inputs, dimension: dimension, depth: depth) } throws: { error in
                guard case MeanFieldError.invalid(let p) = error else { return false }
                return p.name == name
            }
        }
    }
}

/// The Mehler route (smooth phi without closed forms) against the two-dimensional quadrature.
@Suite struct DatasetKernelsHermiteTests {
    @Test(arguments: [("tanh", 1.5, 0.1), ("tanh", 4, 0.05), ("swish", 2, 0.1), ("softplus", 1.2, 0.3), ("mish", 1.8, 0.05),
                      ("x*erf(x)", 0.4, 0.1)])
    func mehlerAgreesWithTheTwoDimensionalQuadrature(name: String, w: Double, b: Double) throws {
        let activation = try Activation(parsing: name)
        let model = try MeanFieldModel(activation: activation, sigmaW2: w, sigmaB2: b)
        var inputs = DatasetKernelsTests.inputs
        inputs[13] = 0.3
        let mehler = try model.datasetKernels(inputs: inputs, dimension: 3, depth: 6, allLayers: true)
        let direct = try model.datasetKernels(inputs: inputs, dimension: 3, depth: 6, allLayers: true, method: .quadrature)
        for k in mehler.layers.indices {
            let largestNNGP = direct.nngp[k].map(abs).max()!, largestNTK = direct.ntk[k].map(abs).max()!
            #expect(maxAbsError(mehler.nngp[k], direct.nngp[k]) < 1e-13 * largestNNGP, "\(name) NNGP layer \(mehler.layers[k])")
            #expect(maxAbsError(mehler.ntk[k], direct.ntk[k]) < 1e-13 * Double(mehler.layers[k]) * largestNTK,
                    "\(name) NTK layer \(mehler.layers[k])")
        }
    }
}
