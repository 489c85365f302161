import Foundation
import Testing
@testable import Hopfield

/// Fixed points whose units saturate: the outputs round onto a face of the box, so energy and
/// Hessian must come from the states u (issue: W = [[0, 50], [50, 0]] listed no fixed point).
@Suite struct SaturatedFixedPointTests {
    @Test func strongCouplingLogisticPairHasItsStablePointListed() throws {
        let model = try HopfieldModel(weights: [0, 50, 50, 0], inputs: [-1, -1], activation: HopfieldActivation(.logistic))
        let points = try model.fixedPoints()
        #expect(points.count == 1)
        let p = try #require(points.first)
        // u = W sigma(u) + I with sigma(u) = 1 - e^{-49} to double: u = 49 - 50 e^{-49}, which rounds to 49.
        #expect(p.u == [49, 49] && p.stable && p.index == 0)
        // E = -x.Wx/2 - I.x + sum phi(x_i) at x = 1 - e^{-49}: -48 to O(1e-19).
        #expect(abs(p.energy + 48) <= 1e-13)
        // Hess_x E = diag(1/sigma'(49)) - W, 1/sigma'(u) = e^u + 2 + e^{-u}: eigenvalues e^49 + 2 -+ 50.
        let diagonal = exp(49.0) + 2
        for (value, expected) in zip(p.hessianEigenvalues, [diagonal - 50, diagonal + 50]) {
            #expect(abs(value - expected) <= 1e-12 * expected)
        }
        // The flow from anywhere in the box ends there (the independent route).
        let end = try model.trajectory(u0: [0, 0], times: [0, 60]).u.suffix(2)
        #expect(end.allSatisfy { abs($0 - 49) < 1e-8 })
    }

    @Test func largeInputsOnTanhUnitsGiveTheSaturatedMinimum() throws {
        let model = try HopfieldModel(weights: [0, 1, 1, 0], inputs: [-100, -100], activation: HopfieldActivation(.tanh))
        let points = try model.fixedPoints()
        let p = try #require(points.first)
        #expect(points.count == 1 && p.u == [-101, -101] && p.stable)
        // x = -1 to 1e-87: E = -1 - 200 + 2 phi(-1), phi(-1) = log 2.
        #expect(abs(p.energy - (-201 + 2 * log(2.0))) <= 1e-12)
    }

    @Test func beyondDoublePrecisionTheFixedPointIsRefusedNotDropped() throws {
        // u_1 = -1001: sigma'(u) = 4 e^{-2002} underflows, so Hess_x E has no double value.
        let model = try HopfieldModel(weights: [0, 1, 1, 0], inputs: [-1000, -100], activation: HopfieldActivation(.tanh))
        #expect {
            try model.fixedPoints()
        } throws: { error in
            "\(error)".contains("unit 1 saturated beyond double precision")
        }
    }

    @Test(arguments: HopfieldActivation.Kind.allCases)
    func dualFromTheStateMatchesTheDualOfTheOutput(kind: HopfieldActivation.Kind) throws {
        let a = try HopfieldActivation(kind, gain: 1.7)
        for u in [-3.0, -0.4, 0, 0.25, 2.5] {
            let direct = a.dual(a.value(u)), fromState = a.dual(state: u)
            #expect(abs(direct - fromState) <= 1e-14 * max(1, abs(direct)), "\(kind) u = \(u): \(direct) vs \(fromState)")
        }
        // Fenchel-Young with equality, psi(u) + phi(sigma(u)) = u sigma(u), where x has rounded to the face.
        if a.isBounded {
            let u = 40.0
            #expect(abs(a.potential(u) + a.dual(state: u) - u * a.value(u)) <= 1e-13 * u)
        }
    }
}
