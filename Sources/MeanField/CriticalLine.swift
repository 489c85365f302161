import Activations
import Foundation
import GSLKit

/// A point of the order-to-chaos transition chi_1 = 1.
public struct CriticalPoint: Sendable, Equatable {
    public var sigmaW2: Double
    /// q* on the line; nil when every q is a fixed point (relu and linear at sigma_b^2 = 0).
    public var qStar: Double?
}

extension Activation {
    /// The critical sigma_w^2 at a given sigma_b^2.
    ///
    /// The line is parametric in q > 0 (Poole et al. 2016): sigma_w^2(q) = 1/E_q[phi'^2],
    /// sigma_b^2(q) = q - sigma_w^2(q) E_q[phi^2]. The smallest q with sigma_b^2(q) = target is
    /// bracketed on a geometric grid in q and solved by GSL's Brent; only a point where the
    /// fixed point is stable (V'(q*) < 1) is a critical point of the network (gelu and swish at
    /// sigma_b^2 = 0.05 cross chi_1 = 1 only on the unstable branch).
    /// Positively homogeneous phi (linear, relu, leaky relu, abs) have the line only at sigma_b^2 = 0, where every q is fixed.
    /// Odd phi at sigma_b^2 = 0 gives q* = 0, sigma_w^2 = 1/phi'(0)^2 (tanh 1, erf pi/4).
    public func criticalPoint(sigmaB2: Double, using integrator: GaussianIntegrator? = nil) throws(MeanFieldError) -> CriticalPoint {
        try requireFinite(sigmaB2, "sigma_b2")
        let integrator = integrator ?? GaussianIntegrator(activation: self)
        // Positively homogeneous phi (linear, relu, leaky relu, abs): E_q[phi^2] = q E[phi'^2], so
        // at chi_1 = 1 the length map is V(q) = q + sigma_b^2.
        if isPositivelyHomogeneous {
            let w = 1 / integrator.length(q: 1).dphi2
            guard sigmaB2 == 0 else {
                throw .noCriticalPoint("\(name) at sigma_b2 > 0: at sigma_w2 = \(w) the length grows without bound, so q* does not exist")
            }
            return CriticalPoint(sigmaW2: w, qStar: nil)
        }
        if sigmaB2 == 0 && isOdd {
            let slope = derivatives(0).d1
            return CriticalPoint(sigmaW2: 1 / (slope * slope), qStar: 0)
        }
        let residual = { (q: Double) -> Double in
            let m = integrator.length(q: q)
            return q - m.phi2 / m.dphi2 - sigmaB2
        }
        // The sign of the residual is trusted only beyond its rounding (q and sigma_b^2 cancel).
        let resolvedSign = { (q: Double, r: Double) -> Int in
            let bound = 64 * Double.ulpOfOne * (q + sigmaB2) + integrator.lengthAccuracy * q
            return r > bound ? 1 : r < -bound ? -1 : 0
        }
        // The geometric grid in q of the length map's scans (LengthScanGrid), extended below 1e-8
        // when sigma_b^2 lies below the line's value there; each sign change is solved by Brent
        // and kept only on the stable branch of the length map (V'(q*) < 1).
        var grid = LengthScanGrid.upward()
        if resolvedSign(LengthScanGrid.fine.lowerBound, residual(LengthScanGrid.fine.lowerBound)) > 0 {
            grid = LengthScanGrid.downward(from: LengthScanGrid.fine.lowerBound).reversed() + grid
        }
        var previous: (q: Double, sign: Int)?
        var unstable: [(sigmaW2: Double, vPrime: Double)] = []
        for q in grid {
            let sign = resolvedSign(q, residual(q))
            guard sign != 0 else { continue }
            defer { previous = (q, sign) }
            guard let last = previous, last.sign != sign else { continue }
            let root: Double
            do {
                root = try brent(lower: last.q, upper: q,
                                 tolerance: RootTolerance(absolute: 0, relative: 1e-15, maxIterations: 200), residual)
            } catch {
                throw .noConvergence("critical q for sigma_b2 = \(sigmaB2): \(error)")
            }
            let m = integrator.length(q: root)
            let sigmaW2 = 1 / m.dphi2
            let vPrime = sigmaW2 * m.phi2Dq
            if Swift.abs(vPrime) < 1 { return CriticalPoint(sigmaW2: sigmaW2, qStar: root) }
            unstable.append((sigmaW2, vPrime))
        }
        if let first = unstable.first {
            throw .noCriticalPoint(
                "\(name) at sigma_b2 = \(sigmaB2): chi_1 = 1 only where q* is an unstable fixed point (sigma_w2 = \(first.sigmaW2), V'(q*) = \(first.vPrime) >= 1); the stable fixed point disappears before chi_1 reaches 1, so the critical line ends before this sigma_b2")
        }
        throw .noCriticalPoint("\(name): sigma_b2(q) = q - E_q[phi^2]/E_q[phi'^2] never reaches \(sigmaB2) with a resolved sign change for q in [1e-300, 1e300]")
    }
}
