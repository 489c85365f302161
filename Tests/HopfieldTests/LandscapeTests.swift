import Foundation
import GSLKit
import Testing
@testable import Hopfield

/// Two logistic units, W = [[0, w], [w, 0]], I = -w/2 so that x = (1/2, 1/2) (u = 0) is a fixed
/// point whose Hessian eigenvalues are 4/(lambda tau) -+ w: a saddle exactly when lambda w/4 > 1/tau.
private func twoNeurons(w: Double, gain: Double, tau: Double = 1) throws -> HopfieldModel {
    try HopfieldModel(weights: [0, w, w, 0], inputs: [-w / 2, -w / 2], activation: HopfieldActivation(.logistic, gain: gain), tau: tau)
}

@Suite struct FixedPointTests {
    @Test func theSymmetricPointBecomesASaddleWhenGainTimesWOver4ExceedsOneOverTau() throws {
        let tau = 1.0, w = 2.0
        // lambda w/4 = 0.8 < 1: one stable point.
        let below = try twoNeurons(w: w, gain: 1.6, tau: tau).fixedPoints()
        #expect(below.count == 1 && below[0].stable)
        #expect(abs(below[0].x[0] - 0.5) < 1e-12 && abs(below[0].x[1] - 0.5) < 1e-12)
        // lambda w/4 = 1.5 > 1: the centre is a saddle of index one between two minima.
        let gain = 3.0
        let model = try twoNeurons(w: w, gain: gain, tau: tau)
        let points = try model.fixedPoints()
        #expect(points.count == 3)
        let saddle = try #require(points.first { !$0.stable })
        #expect(saddle.index == 1 && abs(saddle.x[0] - 0.5) < 1e-12)
        #expect(abs(saddle.hessianEigenvalues[0] - (4 / (gain * tau) - w)) < 1e-12)
        // Minima at x1 = x2 = s with s = sigma(tau w (s - 1/2)): the 1-D root by Brent, independently.
        let s = try brent(lower: 0.5 + 1e-9, upper: 1 - 1e-12) { s in model.activation.value(tau * w * (s - 0.5)) - s }
        let minima = points.filter(\.stable)
        #expect(minima.count == 2)
        for p in minima {
            #expect(abs(p.x[0] - p.x[1]) < 1e-12)
            #expect(abs(abs(p.x[0] - 0.5) - (s - 0.5)) < 1e-10)
            // A trajectory started near the minimum stays there; one started near the saddle leaves it.
            let end = try model.trajectory(u0: p.u.map { $0 + 0.05 }, times: [0, 30]).u.suffix(2)
            #expect(zip(end, p.u).allSatisfy { abs($0 - $1) < 1e-6 })
        }
        let escape = try model.trajectory(u0: [0.01, 0.01], times: [0, 30]).x.suffix(2)
        #expect(abs(escape.first! - 0.5) > 0.2)
    }

    @Test func everyFixedPointZeroesTheVelocityAndThereAreNoDuplicates() throws {
        let model = try threeUnitModel(.tanh, gain: 3)
        let points = try model.fixedPoints()
        #expect(points.count >= 2)
        for p in points {
            #expect(model.velocity(p.u).allSatisfy { abs($0) < 1e-11 })
            // A fixed point is a critical point of E: its gradient vanishes there.
            #expect(try model.energyGradient(p.x).allSatisfy { abs($0) < 1e-10 })
        }
        for a in 0..<points.count { for b in 0..<a { #expect(zip(points[a].u, points[b].u).contains { abs($0 - $1) > 1e-6 }) } }
        // Minima and saddles alternate in a gradient system: the Euler characteristic of the
        // (contractible) box is sum (-1)^index = 1.
        #expect(points.reduce(0) { $0 + ($1.index % 2 == 0 ? 1 : -1) } == 1)
    }
}

@Suite struct CompressibilityTests {
    @Test(arguments: HopfieldActivation.Kind.allCases)
    func closedFormsAgreeWithFiniteDifferenceDivergences(kind: HopfieldActivation.Kind) throws {
        let model = try threeUnitModel(kind)
        for u in [[0.3, -0.5, 0.8], [1.1, 0.2, -0.9]] {
            let closed = try model.compressibility(u: u), numeric = try model.numericalCompressibility(u: u)
            let scale = max(1, abs(closed.kappaU), abs(closed.kappaX))
            #expect(abs(closed.kappaU - numeric.kappaU) <= 1e-7 * scale)
            #expect(abs(closed.kappaX - numeric.kappaX) <= 1e-6 * scale, "\(kind): \(closed.kappaX) vs \(numeric.kappaX)")
            #expect(abs(closed.kappaG - numeric.kappaG) <= 1e-6 * scale)
            #expect(abs(closed.laplacianEnergy - numeric.laplacianEnergy) <= 1e-4 * scale, "\(kind): \(closed.laplacianEnergy) vs \(numeric.laplacianEnergy)")
            // The identities of Hopfield's EnergyAndGeometry article: kappa_g = (kappa_u + kappa_x)/2 = -Laplace-Beltrami(E).
            #expect(abs(closed.kappaG - (closed.kappaU + closed.kappaX) / 2) <= 1e-13 * scale)
            #expect(abs(closed.kappaG + closed.laplacianEnergy) <= 1e-12 * scale)
        }
    }

    @Test func logisticClosedFormsAreTheDocumentedOnes() throws {
        let model = try threeUnitModel(.logistic)
        let u = [0.3, -0.5, 0.8], x = model.outputs(u), f = model.velocity(u), lambda = model.activation.gain
        let kappaU = (0..<3).reduce(0.0) { $0 - 1 / (model.capacitances[$1] * model.tau)
            + lambda * model.weights[$1 * 4] * x[$1] * (1 - x[$1]) / model.capacitances[$1] }
        let kappaX = kappaU + (0..<3).reduce(0.0) { $0 + lambda * (1 - 2 * x[$1]) * f[$1] }
        let c = try model.compressibility(u: u)
        #expect(abs(c.kappaU - kappaU) < 1e-14 && abs(c.kappaX - kappaX) < 1e-14)
    }

    @Test(arguments: [HopfieldActivation.Kind.logistic, .tanh, .atan])
    func liouvilleIdentitiesHoldAlongTrajectories(kind: HopfieldActivation.Kind) throws {
        let model = try threeUnitModel(kind)
        let u0 = [0.9, -1.2, 0.4], time = 2.5
        let check = try model.liouville(u0: u0, time: time)
        #expect(abs(check.logDetFlow - check.integralKappaU) <= 1e-8 * max(1, abs(check.integralKappaU)))
        #expect(abs(check.logVolumeRatio - check.integralKappaG) <= 1e-8 * max(1, abs(check.integralKappaG)))
        // det D Phi_t independently: central differences of the flow map (step 1e-5, rtol 1e-12).
        var jacobian = [Double](repeating: 0, count: 9)
        let controller = StepSizeController(rtol: 1e-12, atol: 1e-12)
        for j in 0..<3 {
            var up = u0, um = u0
            up[j] += 1e-5; um[j] -= 1e-5
            let ep = try model.trajectory(u0: up, times: [0, time], controller: controller).u.suffix(3)
            let em = try model.trajectory(u0: um, times: [0, time], controller: controller).u.suffix(3)
            for (i, (p, m)) in zip(ep, em).enumerated() { jacobian[i * 3 + j] = (p - m) / 2e-5 }
        }
        let logDet = try DenseLinearAlgebra.logAbsDeterminant(jacobian, n: 3)
        #expect(abs(logDet - check.integralKappaU) <= 1e-6, "\(logDet) vs \(check.integralKappaU)")
    }
}

@Suite struct StationaryTests {
    @Test(arguments: [HopfieldActivation.Kind.logistic, .tanh, .atan])
    func oneUnitMomentsMatchAdaptiveQuadrature(kind: HopfieldActivation.Kind) throws {
        let model = try HopfieldModel(weights: [1.5], inputs: [0.2], activation: HopfieldActivation(kind, gain: 2), tau: 0.8)
        let t = 0.3
        let stats = try model.stationary(temperature: t)
        let (lo, hi) = model.activation.range
        func density(_ x: Double) -> Double { exp(-(try! model.energy([x])) / t) }
        let z = try adaptiveIntegral(lower: lo, upper: hi, density)
        let mean = try adaptiveIntegral(lower: lo, upper: hi) { $0 * density($0) } / z
        let second = try adaptiveIntegral(lower: lo, upper: hi) { $0 * $0 * density($0) } / z
        let energy = try adaptiveIntegral(lower: lo, upper: hi) { (try! model.energy([$0])) * density($0) } / z
        #expect(abs(stats.logZ - log(z)) < 1e-10)
        #expect(abs(stats.mean[0] - mean) < 1e-10)
        #expect(abs(stats.covariance[0] - (second - mean * mean)) < 1e-10)
        #expect(abs(stats.meanEnergy - energy) < 1e-10)
    }

    @Test func uncoupledUnitsFactorise() throws {
        // W diagonal: exp(-E/T) is a product, so log Z adds and the covariance is diagonal.
        let a = try HopfieldActivation(.logistic, gain: 3)
        let pair = try HopfieldModel(weights: [0.5, 0, 0, -0.4], inputs: [0.1, 0.3], activation: a, capacitances: [1, 2])
        let first = try HopfieldModel(weights: [0.5], inputs: [0.1], activation: a)
        let second = try HopfieldModel(weights: [-0.4], inputs: [0.3], activation: a)
        let t = 0.2
        let joint = try pair.stationary(temperature: t), one = try first.stationary(temperature: t), two = try second.stationary(temperature: t)
        #expect(abs(joint.logZ - one.logZ - two.logZ) < 1e-10)
        #expect(abs(joint.mean[0] - one.mean[0]) < 1e-10 && abs(joint.mean[1] - two.mean[0]) < 1e-10)
        #expect(abs(joint.covariance[1]) < 1e-10)
    }

    @Test func badStationaryInputIsRefused() throws {
        let model = try threeUnitModel(.logistic)
        #expect(throws: HopfieldError.invalidParameter(name: "temperature", reason: "must be > 0, got 0.0")) { try model.stationary(temperature: 0) }
        #expect(throws: HopfieldError.self) { try threeUnitModel(.exp).stationary(temperature: 1) }
    }
}
