import Foundation
import GSLKit

/// Order, chaos, or the line between them (Poole et al. 2016; Schoenholz et al. 2017).
public enum Phase: String, Sendable, Codable {
    /// chi_1 < 1: c* = 1 is stable, nearby inputs converge.
    case ordered
    /// chi_1 > 1: a stable c* < 1, nearby inputs decorrelate.
    case chaotic
    /// |chi_1 - 1| <= ``PointAnalysis/criticalTolerance``.
    case critical
}

/// Everything mean-field theory says about one (activation, sigma_w^2, sigma_b^2).
public struct PointAnalysis: Sendable, Equatable {
    public static let criticalTolerance = 1e-10

    public var model: MeanFieldModel
    /// Fixed point of the length map reached from q0.
    public var qStar: Double
    /// chi_1 = sigma_w^2 E[phi'(sqrt(q*) z)^2].
    public var chi1: Double
    /// chi_2 = sigma_w^2 E[phi''(sqrt(q*) z)^2] (f''(1) = q* chi_2); infinite for kinked phi.
    public var chi2: Double
    /// V'(q*) = sigma_w^2 E[phi'^2 + phi phi''] at q*: the length map's slope, < 1 when stable.
    public var vPrime: Double
    /// Stable correlation fixed point (1 when ordered or critical).
    public var cStar: Double
    /// chi_c = f'(c*) = sigma_w^2 E[phi'(u1) phi'(u2)] at c*.
    public var chiC: Double
    public var phase: Phase
    /// The Mehler-series order that solved c* (nil when c* came from elsewhere).
    public var seriesOrder: Int?

    /// xi_q = -1/ln |V'(q*)|: depth scale of the length's convergence (Schoenholz et al. eq. 6);
    /// |V'| because a non-monotone phi (gaussian, cos) can give V' < 0, where q^l - q* alternates
    /// in sign and shrinks by |V'| a layer.
    public var xiQ: Double { depthScale(vPrime) }
    /// xi_c = -1/ln |chi_c(c*)|: depth scale of correlation convergence; infinite at criticality.
    public var xiC: Double { phase == .critical ? .infinity : depthScale(chiC) }
    /// xi_grad = -1/ln chi_1: gradients shrink by e over xi_grad layers when ordered; negative
    /// when chaotic, where |xi_grad| layers multiply them by e.
    public var xiGrad: Double { phase == .critical ? .infinity : -1 / Foundation.log(chi1) }

    private func depthScale(_ slope: Double) -> Double {
        let rate = Swift.abs(slope)
        return rate == 0 ? 0 : rate >= 1 ? .infinity : -1 / Foundation.log(rate)
    }
}

extension MeanFieldModel {
    /// Solves q* (from q0), chi_1, chi_2, V'(q*), the phase, c* and chi_c(c*).
    public func analyse(q0: Double = 1, qGuess: Double? = nil, solver: CorrelationSolver = .automatic,
                        using integrator: GaussianIntegrator) throws(MeanFieldError) -> PointAnalysis {
        guard q0 > 0 else { throw .invalidParameter(name: "q0", reason: "the initial length must be > 0, got \(q0)") }
        let q = try qStar(from: q0, guess: qGuess, using: integrator)
        let m = integrator.length(q: q)
        let chi1 = sigmaW2 * m.dphi2
        let phase: Phase = Swift.abs(chi1 - 1) <= PointAnalysis.criticalTolerance ? .critical
            : chi1 < 1 ? .ordered : .chaotic
        let (c, chiC, order) = phase == .chaotic
            ? try cStar(qStar: q, chi1: chi1, solver: solver, moments: m, using: integrator)
            : (1.0, chi1, nil)
        return PointAnalysis(model: self, qStar: q, chi1: chi1, chi2: sigmaW2 * m.d2phi2,
                             vPrime: sigmaW2 * m.phi2Dq, cStar: c, chiC: chiC, phase: phase, seriesOrder: order)
    }

    /// q^0..q^L of the length map from q0, and, when c0 is given, c^0..c^L of the joint map
    /// for two inputs of length q0 and correlation c0.
    ///
    /// The map is deterministic, so once the state (q, c) repeats exactly (a fixed point to
    /// rounding, or a two-cycle of last bits) every later layer is known: the rest is filled
    /// without computing, with the same values the layer-by-layer loop would give. A depth of
    /// 10^6 then costs as many layers as convergence to rounding takes.
    ///
    /// - Parameter progress: called with (layers done, depth) as the loop goes.
    public func iterate(q0: Double, c0: Double?, depth: Int, progress: ProgressHandler? = nil,
                        using integrator: GaussianIntegrator) throws(MeanFieldError) -> (q: [Double], c: [Double]?) {
        guard depth >= 0 else { throw .invalidParameter(name: "depth", reason: "must be >= 0, got \(depth)") }
        guard depth <= 1_000_000 else { throw .invalidParameter(name: "depth", reason: "must be <= 1000000, got \(depth)") }
        try requireFinite(q0, "q0")
        if let c0, !(c0.isFinite && Swift.abs(c0) <= 1) {
            throw .invalidParameter(name: "c0", reason: "a correlation must lie in [-1, 1], got \(c0)")
        }
        if c0 != nil && q0 == 0 {
            throw .invalidParameter(name: "q0", reason: "must be > 0 for a correlation to be defined")
        }
        var qs = [q0]
        var cs = c0.map { [$0] }
        qs.reserveCapacity(depth + 1)
        cs?.reserveCapacity(depth + 1)
        var q = q0, c = c0 ?? 1
        for layer in 1...Swift.max(depth, 1) where depth > 0 {
            if cs != nil {
                let next = try correlationMap(q11: q, q22: q, c: c, using: integrator)
                q = next.q11
                c = next.c
                cs!.append(c)
            } else {
                q = lengthMap(q, using: integrator).value
            }
            guard q.isFinite else {
                throw .noFixedPoint("q overflowed after \(qs.count) layers: the length grows without bound")
            }
            qs.append(q)
            if layer % 1024 == 0 { progress?(layer, depth) }
            // Period 1 or 2 in exact bits: the sequence repeats from here on.
            let n = qs.count
            for period in 1...2 where n > period + 1 && layer < depth {
                guard qs[n - 1] == qs[n - 1 - period], qs[n - 2] == qs[n - 2 - period],
                      cs.map({ $0[n - 1] == $0[n - 1 - period] && $0[n - 2] == $0[n - 2 - period] }) ?? true else { continue }
                for l in n...depth {
                    qs.append(qs[l - period])
                    if let repeated = cs?[l - period] { cs!.append(repeated) }
                }
                progress?(depth, depth)
                return (qs, cs)
            }
        }
        if depth >= 1024 { progress?(depth, depth) }
        return (qs, cs)
    }
}
