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
    /// bracketed on a geometric grid (ratio 1.2 from 1e-8 to 1e6) and solved by GSL's Brent.
    /// Odd phi at sigma_b^2 = 0 gives q* = 0, sigma_w^2 = 1/phi'(0)^2 (tanh 1, erf pi/4).
    public func criticalPoint(sigmaB2: Double, using integrator: GaussianIntegrator? = nil) throws(MeanFieldError) -> CriticalPoint {
        try requireFinite(sigmaB2, "sigma_b2")
        let integrator = integrator ?? GaussianIntegrator(activation: self)
        switch self {
        case .linear, .relu:
            let w = 1 / integrator.length(q: 1).dphi2
            guard sigmaB2 == 0 else {
                throw .noCriticalPoint("\(rawValue) at sigma_b2 > 0: at sigma_w2 = \(w) the length grows without bound, so q* does not exist")
            }
            return CriticalPoint(sigmaW2: w, qStar: nil)
        default:
            break
        }
        if sigmaB2 == 0 && isOdd {
            let slope = derivatives(0).d1
            return CriticalPoint(sigmaW2: 1 / (slope * slope), qStar: 0)
        }
        let residual = { (q: Double) -> Double in
            let m = integrator.length(q: q)
            return q - m.phi2 / m.dphi2 - sigmaB2
        }
        var lower = 1e-8
        var fLower = residual(lower)
        var upper = lower
        var found = false
        while upper < 1e6 {
            upper = lower * 1.2
            let fUpper = residual(upper)
            if (fLower <= 0) != (fUpper <= 0) {
                found = true
                break
            }
            lower = upper
            fLower = fUpper
        }
        guard found else {
            throw .noCriticalPoint("\(rawValue): sigma_b2(q) never reaches \(sigmaB2) for q in [1e-8, 1e6]")
        }
        let q: Double
        do {
            q = try brent(lower: lower, upper: upper,
                          tolerance: RootTolerance(absolute: 0, relative: 1e-15, maxIterations: 200), residual)
        } catch {
            throw .noConvergence("critical q for sigma_b2 = \(sigmaB2): \(error)")
        }
        return CriticalPoint(sigmaW2: 1 / integrator.length(q: q).dphi2, qStar: q)
    }
}
