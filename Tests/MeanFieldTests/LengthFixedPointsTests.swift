import Activations
import Foundation
import GSLKit
import MeanField
import Testing

/// Every fixed point of the length map, checked by a second quadrature (GSL's adaptive CQUAD on
/// the Gaussian integral, independent of the composite rule) and by iterating the map itself.
@Suite struct LengthFixedPointsTests {
    /// V(q) = sigma_w^2 E[phi(sqrt(q) z)^2] + sigma_b^2 by adaptive quadrature over |z| <= 40.
    func independentV(_ model: MeanFieldModel, _ q: Double) throws -> Double {
        let s = q.squareRoot()
        let e = try adaptiveIntegral(lower: -40, upper: 40, relativeTolerance: 1e-13) { z in
            let phi = model.activation.derivatives(s * z).d0
            return phi * phi * exp(-z * z / 2) / (2 * Double.pi).squareRoot()
        }
        return model.sigmaW2 * e + model.sigmaB2
    }

    @Test func swishAtThreeIsBistableBetweenZeroAndDivergence() throws {
        // V'(0) = sigma_w^2 phi'(0)^2 = 3/4 < 1 attracts small lengths to 0, while V(q)/q -> 3/2 > 1
        // sends large ones off: an unstable fixed point u between them is the basin boundary.
        let model = try MeanFieldModel(activation: .swish, sigmaW2: 3, sigmaB2: 0)
        let integrator = GaussianIntegrator(activation: .swish)
        let all = try model.lengthFixedPoints(using: integrator)
        #expect(all.points.count == 2)
        let (zero, boundary) = (all.points[0], all.points[1])
        #expect(zero.qStar == 0 && zero.isStable && abs(zero.vPrime - 0.75) < 1e-14)
        #expect(!boundary.isStable && boundary.vPrime > 1 && boundary.basin == nil)
        #expect(zero.basin == LengthFixedPoint.Basin(lower: 0, upper: boundary.qStar))
        #expect(all.divergesAbove == boundary.qStar && !all.isMultistable)
        let u = boundary.qStar
        #expect(abs(try independentV(model, u) - u) < 1e-11 * u, "V(u) = u by a second quadrature")
        // The map itself: 200 layers from just below u fall toward 0, from just above they grow.
        let below = try model.iterate(q0: 0.99 * u, c0: nil, depth: 200, using: integrator).q.last!
        #expect(below < 1e-6)
        #expect(try model.iterate(q0: 1.01 * u, c0: nil, depth: 200, using: integrator).q.last! > 1e20)
        #expect(throws: MeanFieldError.self) { try model.qStar(from: 1, using: integrator) }
        #expect(try model.qStar(from: 0.5 * u, using: integrator) == 0)
    }

    @Test func geluNearItsFoldHasAStablePointBelowADivergingBasin() throws {
        // gelu at sigma_b^2 = 0.05, sigma_w^2 = 2.3: from q0 = 1 the length grows without bound,
        // yet a stable q* exists below the unstable one (the branch the critical line must keep).
        let model = try MeanFieldModel(activation: .gelu, sigmaW2: 2.3, sigmaB2: 0.05)
        let integrator = GaussianIntegrator(activation: .gelu)
        let all = try model.lengthFixedPoints(using: integrator)
        let stable = try #require(all.stable.first)
        #expect(all.points.count == 2 && all.stable.count == 1)
        #expect(stable.vPrime < 1 && all.points[1].vPrime > 1)
        for point in all.points {
            #expect(abs(try independentV(model, point.qStar) - point.qStar) < 1e-11 * point.qStar)
        }
        #expect(stable.basin?.contains(0.5 * stable.qStar) == true && all.divergesAbove == all.points[1].qStar)
        // The same point from inside its basin, to the accuracy both solves promise (1e-9 relative).
        let reached = try model.qStar(from: all.points[1].qStar * 0.99, using: integrator)
        #expect(abs(reached - stable.qStar) <= MeanFieldModel.fixedPointAccuracy * stable.qStar)
    }

    @Test func monostableMapsHaveOnePointWhoseBasinIsEveryLength() throws {
        for (activation, w, b) in [(Activation.tanh, 1.5, 0.05), (.erf, 3, 0), (.relu, 1.5, 0.1)] {
            let model = try MeanFieldModel(activation: activation, sigmaW2: w, sigmaB2: b)
            let integrator = GaussianIntegrator(activation: activation)
            let all = try model.lengthFixedPoints(using: integrator)
            let stable = try #require(all.stable.first, "\(activation)")
            #expect(all.stable.count == 1 && all.divergesAbove == nil, "\(activation)")
            #expect(stable.basin?.upper == .infinity)
            let reached = try model.qStar(from: 1, using: integrator)
            #expect(abs(reached - stable.qStar) <= MeanFieldModel.fixedPointAccuracy * stable.qStar, "\(activation): the point q0 = 1 reaches")
            // erf at sigma_b^2 = 0 with V'(0) = 3 x 2/pi x 2 > 1: 0 is a fixed point, unstable.
            if activation == .erf { #expect(all.points.first?.qStar == 0 && all.points.first?.isStable == false) }
        }
    }

    @Test func homogeneousMapsAtTheirEdgeAreEveryLengthOrNone() throws {
        let identity = try MeanFieldModel(activation: .relu, sigmaW2: 2, sigmaB2: 0)
        #expect(try identity.lengthFixedPoints(using: GaussianIntegrator(activation: .relu)).everyLengthIsFixed)
        // relu at sigma_w^2 = 3: V(q) = 3q/2, 0 is unstable and every length grows.
        let growing = try MeanFieldModel(activation: .relu, sigmaW2: 3, sigmaB2: 0)
        let all = try growing.lengthFixedPoints(using: GaussianIntegrator(activation: .relu))
        #expect(all.stable.isEmpty && all.divergesAbove == 0)
        // relu at sigma_w^2 = 2 with a bias: V(q) - q = sigma_b^2 > 0, no fixed point, and rounding
        // hiding it at large q is not taken for one.
        let biased = try MeanFieldModel(activation: .relu, sigmaW2: 2, sigmaB2: 0.05)
        let none = try biased.lengthFixedPoints(using: GaussianIntegrator(activation: .relu))
        #expect(none.points.isEmpty && none.divergesAbove == 0)
    }
}
