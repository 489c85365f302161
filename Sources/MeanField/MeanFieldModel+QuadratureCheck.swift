import Activations
import Foundation

/// Whether a point's Gaussian moments met the quadrature's accuracy: the n-versus-2n check.
public struct QuadratureCheck: Sendable, Equatable {
    /// The largest relative difference of E[phi^2], E[phi'^2] at q* and E[phi phi], E[phi' phi']
    /// at (q*, c*) between the integrator's rule and the refined one (panels halved, twice the
    /// order: ``QuadratureOptions/refined``); 0 where closed forms answer.
    public var error: Double
    /// Rules that needed more than the panel cap and were built coarser, in either integrator.
    public var truncatedRules: Int
    /// error <= ``tolerance`` and no truncated rule.
    public var metAccuracy: Bool { error <= QuadratureCheck.tolerance && truncatedRules == 0 }

    /// The accuracy every quadrature route is held to (the composite rule's measured 1e-14, with room
    /// for the c* solve's conditioning).
    public static let tolerance = 1e-11
}

extension MeanFieldModel {
    /// Repeats the moments behind `point` with the refined rule and compares (see ``QuadratureCheck``).
    public func quadratureCheck(_ point: PointAnalysis, using integrator: GaussianIntegrator) -> QuadratureCheck {
        let refined = GaussianIntegrator(activation: activation, options: integrator.options.refined, method: integrator.method)
        let before = integrator.truncatedRules
        let a = integrator.length(q: point.qStar), b = refined.length(q: point.qStar)
        let ca = integrator.cross(q11: point.qStar, q22: point.qStar, c: point.cStar)
        let cb = refined.cross(q11: point.qStar, q22: point.qStar, c: point.cStar)
        func relative(_ x: Double, _ y: Double) -> Double {
            x == y ? 0 : Swift.abs(x - y) / Swift.max(Swift.abs(x), Swift.abs(y))
        }
        let error = [relative(a.phi2, b.phi2), relative(a.dphi2, b.dphi2),
                     relative(ca.phiPhi, cb.phiPhi), relative(ca.dphiDphi, cb.dphiDphi)].max()!
        return QuadratureCheck(error: error, truncatedRules: integrator.truncatedRules - before + refined.truncatedRules)
    }
}
