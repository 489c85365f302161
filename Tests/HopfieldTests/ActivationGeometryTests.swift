import Foundation
import GSLKit
import Testing
@testable import Hopfield

/// Points inside each activation's output range, and u values that reach both tails.
private func samples(_ a: HopfieldActivation) -> (u: [Double], x: [Double]) {
    let u = stride(from: -6.0, through: 6.0, by: 0.37).map { $0 / a.gain.squareRoot() }
    let x = u.map { a.value($0) }.filter { a.contains($0) && abs($0) < 0.999_9 && abs(1 - $0) > 1e-4 }
    return (u, x)
}

@Suite struct ActivationGeometryTests {
    static let activations: [HopfieldActivation] = HopfieldActivation.Kind.allCases.flatMap { kind in
        [0.5, 2.0].map { try! HopfieldActivation(kind, gain: $0) }
    }

    @Test(arguments: activations)
    func fenchelYoungHoldsWithEquality(a: HopfieldActivation) {
        // psi(u) + phi(sigma(u)) = u sigma(u): psi and phi are computed from their own closed forms.
        for u in samples(a).u {
            let x = a.value(u)
            let gap = a.potential(u) + a.dual(x) - u * x
            #expect(abs(gap) <= 1e-14 * max(1, abs(u * x), abs(a.potential(u))), "\(a.kind) gain \(a.gain) u \(u): gap \(gap)")
        }
    }

    @Test(arguments: activations)
    func derivativesMatchCentralDifferences(a: HopfieldActivation) {
        // sigma' = d sigma/du, r = d log sigma'/du, psi' = sigma, phi' = sigma^{-1}, Theta' = 1/sqrt(sigma');
        // step 1e-5 gives truncation ~1e-10 relative.
        let h = 1e-5
        for u in samples(a).u where abs(a.gain * u) < 5 {
            let d = (a.value(u + h) - a.value(u - h)) / (2 * h)
            #expect(abs(a.slope(u) - d) <= 1e-8 * max(a.slope(u), 1e-3))
            #expect(abs(a.slope(output: a.value(u)) - a.slope(u)) <= 1e-12 * max(1, a.slope(u)))
            let r = (log(a.slope(u + h)) - log(a.slope(u - h))) / (2 * h)
            #expect(abs(a.curvatureRatio(output: a.value(u)) - r) <= 1e-7 * max(1, abs(r)))
            #expect(abs((a.potential(u + h) - a.potential(u - h)) / (2 * h) - a.value(u)) <= 1e-8 * max(1, abs(a.value(u))))
        }
        for x in samples(a).x {
            let dx = 1e-6 * min(1, x - a.range.lower, a.range.upper - x)
            #expect(abs(a.inverse(a.value(a.inverse(x))) - a.inverse(x)) <= 1e-9 * max(1, abs(a.inverse(x))))
            let phiPrime = (a.dual(x + dx) - a.dual(x - dx)) / (2 * dx)
            #expect(abs(phiPrime - a.inverse(x)) <= 1e-6 * max(1, abs(a.inverse(x))), "\(a.kind) x \(x)")
            let chartPrime = (a.chart(x + dx) - a.chart(x - dx)) / (2 * dx)
            #expect(abs(chartPrime * a.slope(output: x).squareRoot() - 1) <= 1e-6, "\(a.kind) x \(x)")
            #expect(abs(a.chartInverse(a.chart(x)) - x) <= 1e-13 * max(1, abs(x)))
        }
    }

    @Test(arguments: [HopfieldActivation.Kind.logistic, .tanh, .atan, .exp])
    func geodesicDistanceIsTheLengthOfTheSegmentInG(kind: HopfieldActivation.Kind) throws {
        // Independent route: Int_x^y sqrt(G) dt by GSL's cquad, G = C/sigma'(x), two units with C = (1, 3).
        let a = try HopfieldActivation(kind, gain: 1.7)
        let model = try HopfieldModel(weights: [0, 0, 0, 0], inputs: [0, 0], activation: a, capacitances: [1, 3])
        let x = kind == .exp ? [0.2, 3.0] : [0.1, -0.2].map { kind == .logistic ? $0 + 0.3 : $0 }
        let y = kind == .exp ? [1.5, 0.7] : [0.8, 0.6].map { kind == .logistic ? $0 * 0.9 : $0 }
        var squared = 0.0
        for i in 0..<2 {
            let c = model.capacitances[i]
            let length = try adaptiveIntegral(lower: min(x[i], y[i]), upper: max(x[i], y[i])) { t in (c / a.slope(output: t)).squareRoot() }
            squared += length * length
        }
        let d = try model.distance(x, y)
        #expect(abs(d - squared.squareRoot()) <= 1e-11 * d)
        // Logistic closed form (Hopfield's EnergyAndGeometry article): 2 sqrt(C/lambda) |asin sqrt x - asin sqrt y| per unit.
        if kind == .logistic {
            let closed = (0..<2).map { 2 * (model.capacitances[$0] / 1.7).squareRoot() * abs(asin(x[$0].squareRoot()) - asin(y[$0].squareRoot())) }
            #expect(abs(d - (closed[0] * closed[0] + closed[1] * closed[1]).squareRoot()) <= 1e-13 * d)
        }
    }

    @Test func bregmanOfTheLogisticIsBernoulliKLOverGain() throws {
        let a = try HopfieldActivation(.logistic, gain: 2.5)
        let model = try HopfieldModel(weights: [0], inputs: [0], activation: a)
        let p = 0.3, q = 0.65
        let kl = p * log(p / q) + (1 - p) * log((1 - p) / (1 - q))
        #expect(abs(try model.bregman([p], [q]) - kl / 2.5) <= 1e-15)
        #expect(try model.dualCoordinates([q])[0] == a.inverse(q))
    }

    @Test func badActivationInputIsRefused() {
        #expect(throws: HopfieldError.invalidParameter(name: "gain", reason: "must be > 0 and finite, got 0.0")) { try HopfieldActivation(.logistic, gain: 0) }
        #expect(throws: HopfieldError.self) { try HopfieldActivation(.tanh, gain: -1) }
    }
}

extension HopfieldActivation: CustomTestStringConvertible {
    public var testDescription: String { "\(kind.rawValue) gain \(gain)" }
}
