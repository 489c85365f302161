import Activations
import Foundation
import GSLKit

/// One fixed point q* = V(q*) of the length map, with its stability and, when stable, the
/// lengths it attracts.
public struct LengthFixedPoint: Sendable, Equatable {
    public var qStar: Double
    /// V'(q*) = sigma_w^2 E[phi'^2 + phi phi''] at q*.
    public var vPrime: Double
    /// Whether the iteration q^{l+1} = V(q^l) returns to q* from nearby lengths: F = V(q) - q
    /// changes sign from + to - across q* (V'(q*) <= 1), or q* = 0 with F < 0 above it.
    public var isStable: Bool
    /// For a stable point, the open interval of initial lengths q0 > 0 whose iteration reaches it:
    /// from the unstable fixed point below (or 0) to the one above (or infinity). nil when unstable.
    public var basin: Basin?

    public struct Basin: Sendable, Equatable {
        public var lower: Double
        public var upper: Double
        public init(lower: Double, upper: Double) { (self.lower, self.upper) = (lower, upper) }
        public func contains(_ q0: Double) -> Bool { q0 > lower && q0 < upper }
    }
}

/// Every fixed point of the length map on q >= 0: V is increasing, so stable and unstable fixed
/// points alternate, each unstable one the boundary between two basins, and above the last
/// unstable one q either settles on the top stable point or grows without bound.
public struct LengthFixedPoints: Sendable, Equatable {
    /// Ascending in q*.
    public var points: [LengthFixedPoint]
    /// The initial lengths above this one grow without bound (0: every q0 > 0); nil when no q0 does.
    public var divergesAbove: Double?
    /// V(q) = q for every q (linear at sigma_w^2 = 1, relu at sigma_w^2 = 2, sigma_b^2 = 0): each
    /// length is a fixed point, none attracts another, and `points` is empty.
    public var everyLengthIsFixed: Bool

    public var stable: [LengthFixedPoint] { points.filter(\.isStable) }
    /// More than one stable fixed point: which one a network settles on depends on its input's length.
    public var isMultistable: Bool { stable.count > 1 }
}

extension MeanFieldModel {
    /// Every fixed point of the length map, not only the one reached from q0 = 1
    /// (``qStar(from:guess:using:)``): swish at sigma_w^2 = 3, sigma_b^2 = 0 attracts small
    /// inputs to q* = 0 (V'(0) = 3/4) while large ones grow without bound.
    ///
    /// F(q) = V(q) - q is scanned on the geometric grid of the critical line (ratio 1.2 on
    /// [1e-8, 1e6], growing steps out to 1e-300 and 1e300), its sign trusted only beyond its
    /// rounding bound (``LengthResidual``). Each + to - change brackets a stable point, solved by
    /// ``qStar(from:guess:using:)`` from the - side (so to the same accuracy, 1e-9 relative);
    /// each - to + change an unstable one, solved by GSL's Brent. The scan resolves fixed points
    /// more than a grid ratio (1.2) apart; two closer than that (near a fold) are seen as none.
    public func lengthFixedPoints(using integrator: GaussianIntegrator) throws(MeanFieldError) -> LengthFixedPoints {
        if lengthMapIsIdentity { return LengthFixedPoints(points: [], divergesAbove: nil, everyLengthIsFixed: true) }
        let vanishesAtZero = lengthVanishesAtZero
        var found: [LengthFixedPoint] = []
        // Where the last resolved sign was seen, and which it was; at q = 0, F(0) = V(0) >= 0.
        var previous: (q: Double, sign: Int)? = vanishesAtZero ? nil : (0, 1)
        var firstResolved: Int?
        for q in LengthScanGrid.downward(from: LengthScanGrid.fine.lowerBound).reversed() + LengthScanGrid.upward() {
            let r = lengthResidual(q, using: integrator)
            guard r.value.isFinite else {
                // V overflows: q grows without bound here, which F < 0 just below would contradict.
                if let last = previous, last.sign < 0 {
                    throw .noConvergence("V(q) overflows at q = \(q) above V(q) < q at q = \(last.q): where divergence begins is not resolved")
                }
                break
            }
            let sign = r.sign
            guard sign != 0 else { continue }
            if firstResolved == nil { firstResolved = sign }
            defer { previous = (q, sign) }
            guard let last = previous, last.sign != sign else { continue }
            // F = V - q falling through 0 is stable when V'(q*) > -1 too (a decreasing V, as for
            // the gaussian or cos, overshoots when V' < -1: the orbit alternates and grows).
            let bracketed = { () throws(MeanFieldError) -> Double in
                do {
                    return try brent(lower: last.q, upper: q, tolerance: RootTolerance(absolute: 0, relative: 1e-12, maxIterations: 200)) { q in
                        lengthResidual(q, using: integrator).value
                    }
                } catch {
                    throw .noConvergence("the fixed point in [\(last.q), \(q)]: \(error)")
                }
            }
            if sign < 0, let root = try? qStar(from: q, using: integrator), root >= last.q, root <= q {
                let vPrime = lengthMap(root, using: integrator).derivative
                found.append(LengthFixedPoint(qStar: root, vPrime: vPrime, isStable: vPrime > -1))
            } else {
                let root = try bracketed()
                let vPrime = lengthMap(root, using: integrator).derivative
                found.append(LengthFixedPoint(qStar: root, vPrime: vPrime, isStable: sign < 0 && vPrime > -1))
            }
        }
        if vanishesAtZero {
            // q* = 0 attracts when F < 0 just above it (V'(0) <= 1), repels when F > 0.
            let attracts = firstResolved.map { $0 < 0 } ?? (lengthMap(0, using: integrator).derivative <= 1)
            found.insert(LengthFixedPoint(qStar: 0, vPrime: lengthMap(0, using: integrator).derivative, isStable: attracts), at: 0)
        }
        // Above the last resolved sign: + (or rounding hiding a growing F) means q grows without bound.
        let topSign = previous?.sign ?? (lengthGrowsWhereHidden ? 1 : -1)
        let divergesAbove: Double? = topSign > 0 ? (found.last(where: { !$0.isStable })?.qStar ?? 0) : nil
        for i in found.indices where found[i].isStable {
            let lower = found[..<i].last(where: { !$0.isStable })?.qStar ?? 0
            let upper = found[(i + 1)...].first(where: { !$0.isStable })?.qStar ?? .infinity
            found[i].basin = LengthFixedPoint.Basin(lower: lower, upper: upper)
        }
        return LengthFixedPoints(points: found, divergesAbove: divergesAbove, everyLengthIsFixed: false)
    }
}

/// The geometric grids in q on which the length map's residual and the critical line are
/// scanned: ratio 1.2 on [1e-8, 1e6], then steps whose ratio squares (up to 1e8) out to 1e300
/// and down to 1e-300, so that a few dozen evaluations cover the whole range of double.
enum LengthScanGrid {
    static let fine = 1e-8...1e6

    /// Ascending from 1e-8 to 1e300.
    static func upward() -> [Double] {
        var grid: [Double] = []
        var q = fine.lowerBound
        while q < fine.upperBound { grid.append(q); q *= 1.2 }
        var ratio = 1.2
        while q < 1e300 { grid.append(q); ratio = Swift.min(ratio * ratio, 1e8); q *= ratio }
        return grid
    }

    /// Descending from below `start` to 1e-300.
    static func downward(from start: Double) -> [Double] {
        var grid: [Double] = []
        var q = start / 1.2, ratio = 1.2
        while q > 1e-300 { grid.append(q); ratio = Swift.min(ratio * ratio, 1e8); q /= ratio }
        return grid
    }
}
