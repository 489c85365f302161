import Activations
import Foundation
import MeanField
import Testing
import TestSupport

/// The NTK at the fixed point against the dataset-kernel recursion started there: two inputs whose
/// first-layer kernel is (q*, q* c*), so that Sigma stays put and Theta follows the affine maps.
@Suite struct NeuralTangentKernelTests {
    @Test(arguments: [("tanh", 1.5, 0.1), ("tanh", 3, 0.1), ("erf", 0.8, 0.05), ("erf", 4, 0.2), ("mish", 1.6, 0.1)])
    func fixedPointTheoryAgainstTheRecursion(name: String, w: Double, b: Double) throws {
        let activation = try Activation(parsing: name)
        let model = try MeanFieldModel(activation: activation, sigmaW2: w, sigmaB2: b)
        let p = try model.analyse(using: GaussianIntegrator(activation: activation))
        let ntk = p.neuralTangentKernel
        // |x|^2 = 2 (q* - b)/w and x1.x2 = 2 (q* c* - b)/w in R^2.
        let r = (2 * (p.qStar - b) / w).squareRoot(), angle = acos((p.qStar * p.cStar - b) / (p.qStar - b))
        let inputs = [r, 0, r * cos(angle), r * sin(angle)]
        let depth = 40
        let kernels = try model.datasetKernels(inputs: inputs, dimension: 2, depth: depth, allLayers: true)
        let theta = kernels.ntk[depth - 1]
        // Theta^L = q* sum_{k<L} chi_1^k on the diagonal, q* c* sum_{k<L} chi_c^k off it.
        let diagonal = p.qStar * (1 - pow(p.chi1, Double(depth))) / (1 - p.chi1)
        let offDiagonal = p.qStar * p.cStar * (1 - pow(p.chiC, Double(depth))) / (1 - p.chiC)
        #expect(relativeError(theta[0], diagonal) < 1e-10, "\(name) diagonal")
        #expect(relativeError(theta[1], offDiagonal) < 1e-10, "\(name) off-diagonal")
        #expect(ntk.diagonalGrowth == p.chi1)
        switch p.phase {
        case .ordered:
            let limit = try #require(ntk.diagonalLimit)
            #expect(abs(theta[0] - limit) <= limit * pow(p.chi1, Double(depth)) * 1.0001)
            #expect(ntk.correlationLimit == 1)
        case .chaotic:
            #expect(ntk.diagonalLimit == nil && ntk.correlationLimit == 0)
            // The correlation falls by 1/chi_1 a layer once Theta_12 has converged: from the sums
            // above, ratio chi_1 - 1 = O(|chi_c|^{L-1} + chi_1^{-(L-1)}).
            let last = kernels.ntk[depth - 1], before = kernels.ntk[depth - 2]
            let ratio = (last[1] / last[0]) / (before[1] / before[0])
            let bound = 2 * (pow(abs(p.chiC), Double(depth - 1)) + pow(p.chi1, -Double(depth - 1)))
            #expect(abs(ratio * p.chi1 - 1) < bound, "\(name) correlation ratio \(ratio)")
            #expect(relativeError(ntk.correlationDepthScale, 1 / log(p.chi1)) < 1e-15)
        case .critical:
            Issue.record("no critical point in the arguments")
        }
        if let off = ntk.offDiagonalLimit {
            #expect(abs(theta[1] - off) <= abs(off) * pow(abs(p.chiC), Double(depth)) * 1.0001 + 1e-12)
        }
    }
}
