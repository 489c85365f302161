import Activations

/// The quadrature loops, generic over the activation kernel so that each is specialised.

/// Sums the six regular moments of ``LengthMoments`` over a rule.
struct LengthLoop: KernelBody {
    let nodes: UnsafeBufferPointer<Double>
    let weights: UnsafeBufferPointer<Double>

    @inline(__always)
    func run<K: ActivationKernel>(_ kernel: K) -> (phi2: Double, dphi2: Double, d2phi2: Double,
                                                         phiD2: Double, dphiD3: Double, phiD4: Double) {
        var phi2 = 0.0, dphi2 = 0.0, d2phi2 = 0.0, phiD2 = 0.0, dphiD3 = 0.0, phiD4 = 0.0
        for i in 0..<nodes.count {
            let w = weights[i]
            let d = kernel.derivatives(nodes[i])
            phi2 += w * d.d0 * d.d0
            dphi2 += w * d.d1 * d.d1
            d2phi2 += w * d.d2 * d.d2
            phiD2 += w * d.d0 * d.d2
            dphiD3 += w * d.d1 * d.d3
            phiD4 += w * d.d0 * d.d4
        }
        return (phi2, dphi2, d2phi2, phiD2, dphiD3, phiD4)
    }
}

/// (sum w phi(u), sum w phi'(u)) over a rule: phi and phi' smoothed by its Gaussian.
struct SmoothLoop: KernelBody {
    let nodes: UnsafeBufferPointer<Double>
    let weights: UnsafeBufferPointer<Double>

    @inline(__always)
    func run<K: ActivationKernel>(_ kernel: K) -> (Double, Double) {
        var v0 = 0.0, v1 = 0.0
        for i in 0..<nodes.count {
            let (phi, slope) = kernel.valueAndSlope(nodes[i])
            v0 += weights[i] * phi
            v1 += weights[i] * slope
        }
        return (v0, v1)
    }
}

/// The even and odd parts of phi at the nodes u_i with y_i >= 0, times twice their weights:
/// for a rule symmetric in y, E[phi h_n] = sum_{y_i > 0} 2 w_i (n even ? even_i : odd_i) h_n(y_i).
struct ParityLoop: KernelBody {
    let nodes: UnsafeBufferPointer<Double>
    let standardNodes: UnsafeBufferPointer<Double>
    let weights: UnsafeBufferPointer<Double>
    /// phi(-u) = -phi(u): the even part vanishes and phi(-u) need not be evaluated.
    let isOdd: Bool

    @inline(__always)
    func run<K: ActivationKernel>(_ kernel: K) -> (y: [Double], even: [Double], odd: [Double]) {
        var y: [Double] = [], even: [Double] = [], odd: [Double] = []
        y.reserveCapacity(nodes.count / 2 + 1)
        even.reserveCapacity(nodes.count / 2 + 1)
        odd.reserveCapacity(nodes.count / 2 + 1)
        for i in 0..<nodes.count where standardNodes[i] >= 0 {
            let plus = kernel.valueAndSlope(nodes[i]).0
            let minus = isOdd ? -plus : kernel.valueAndSlope(-nodes[i]).0
            let w = standardNodes[i] == 0 ? weights[i] : 2 * weights[i]
            y.append(standardNodes[i])
            even.append(0.5 * w * (plus + minus))
            odd.append(0.5 * w * (plus - minus))
        }
        return (y, even, odd)
    }
}

/// (sum w phi^2, sum w (phi'^2 + phi phi'')): the length map and its slope, for Newton steps.
struct LengthMapLoop: KernelBody {
    let nodes: UnsafeBufferPointer<Double>
    let weights: UnsafeBufferPointer<Double>

    @inline(__always)
    func run<K: ActivationKernel>(_ kernel: K) -> (Double, Double) {
        var phi2 = 0.0, slope = 0.0
        for i in 0..<nodes.count {
            let d = kernel.derivatives(nodes[i], upTo: 2)
            phi2 += weights[i] * d.d0 * d.d0
            slope += weights[i] * (d.d1 * d.d1 + d.d0 * d.d2)
        }
        return (phi2, slope)
    }
}
