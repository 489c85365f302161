import Activations
import Foundation
import MeanField
import Testing

@Suite struct CriticalLineTests {
    @Test func knownCriticalPointsWithoutBias() throws {
        // tanh: 1/tanh'(0)^2 = 1; erf: 1/erf'(0)^2 = pi/4; relu: 2 (He et al. 2015).
        #expect(try Activation.tanh.criticalPoint(sigmaB2: 0).sigmaW2 == 1)
        #expect(abs(try Activation.erf.criticalPoint(sigmaB2: 0).sigmaW2 - Double.pi / 4) < 1e-15)
        let relu = try Activation.relu.criticalPoint(sigmaB2: 0)
        #expect(relu.sigmaW2 == 2 && relu.qStar == nil)
        #expect(throws: MeanFieldError.self) { try Activation.relu.criticalPoint(sigmaB2: 0.1) }
    }

    @Test func sigmoidCrossesNearOneHundred() throws {
        // Reference: scipy.integrate.quad (epsrel 1e-13, split at 0, +-5, +-20, +-40) and brentq on
        // q - E[s^2]/E[s'^2] = sigma_b^2 gave q = 45.62427779737967, sigma_w^2 = 103.00755385551926
        // at sigma_b^2 = 0 and q = 45.73448114238438, sigma_w^2 = 103.12849399082651 at 0.05.
        let zero = try Activation.sigmoid.criticalPoint(sigmaB2: 0)
        #expect(abs(zero.sigmaW2 / 103.00755385551926 - 1) < 1e-12)
        #expect(abs(zero.qStar! / 45.62427779737967 - 1) < 1e-11)
        let small = try Activation.sigmoid.criticalPoint(sigmaB2: 0.05)
        #expect(abs(small.sigmaW2 / 103.12849399082651 - 1) < 1e-12)
    }

    @Test func softplusHasNoCriticalPointWithBias() {
        // sigma_b^2(q) = q - E[phi^2]/E[phi'^2] stays below -1.9 for softplus (phi(0) = log 2).
        #expect(throws: MeanFieldError.self) { try Activation.softplus.criticalPoint(sigmaB2: 0.05) }
    }

    @Test(arguments: [(Activation.tanh, [0.05, 0.3]), (.erf, [0.05, 0.3]), (.sigmoid, [0.05, 0.3]), (.gelu, [0.3, 1]), (.swish, [1])])
    func criticalPointHasUnitChi1AtItsFixedPoint(activation: Activation, biases: [Double]) throws {
        // Independent of the parametric solve: analyse the network at the returned sigma_w^2.
        let integrator = GaussianIntegrator(activation: activation)
        for b in biases {
            let point = try activation.criticalPoint(sigmaB2: b, using: integrator)
            let model = try MeanFieldModel(activation: activation, sigmaW2: point.sigmaW2, sigmaB2: b)
            #expect(abs(model.lengthMap(point.qStar!, using: integrator).value - point.qStar!) < 1e-12 * point.qStar!)
            #expect(abs(model.chi1(at: point.qStar!, using: integrator) - 1) < 1e-12)
            // On the stable branch: a central difference of V at q* has slope < 1.
            let q = point.qStar!, h = 1e-5 * q
            let slope = (model.lengthMap(q + h, using: integrator).value - model.lengthMap(q - h, using: integrator).value) / (2 * h)
            #expect(slope < 1)
        }
    }

    @Test(arguments: [(Activation.gelu, 0.05), (.swish, 0.05), (.gelu, 0.01), (.swish, 0.3)])
    func theUnstableBranchIsNotACriticalPoint(activation: Activation, b: Double) throws {
        // chi_1 = 1 on the parametric line only where V'(q*) > 1 (gelu at 0.05: sigma_w^2 =
        // 2.3025, V' = 1.085); the first release returned that point. It is refused, and the
        // refused point is indeed unstable by a central difference of V.
        do {
            _ = try activation.criticalPoint(sigmaB2: b)
            Issue.record("expected noCriticalPoint for \(activation) at \(b)")
        } catch {
            guard case .noCriticalPoint(let why) = error else { Issue.record("\(error)"); return }
            #expect(why.contains("unstable"))
        }
        if activation == .gelu && b == 0.05 {
            let integrator = GaussianIntegrator(activation: .gelu)
            let model = try MeanFieldModel(activation: .gelu, sigmaW2: 2.3025195116928137, sigmaB2: 0.05)
            let q = 0.7220357669016046, h = 1e-5
            let slope = (model.lengthMap(q + h, using: integrator).value - model.lengthMap(q - h, using: integrator).value) / (2 * h)
            #expect(abs(slope - 1.0851132712235172) < 1e-6)
        }
    }

    @Test func scaleFreeBiases() throws {
        // tanh at sigma_b^2 = 1e15: the line reaches q* ~ 1e15 (the first release searched q <= 1e6).
        let integrator = GaussianIntegrator(activation: .tanh)
        let point = try Activation.tanh.criticalPoint(sigmaB2: 1e15, using: integrator)
        let model = try MeanFieldModel(activation: .tanh, sigmaW2: point.sigmaW2, sigmaB2: 1e15)
        #expect(abs(model.chi1(at: point.qStar!, using: integrator) - 1) < 1e-12)
        #expect(abs(model.lengthMap(point.qStar!, using: integrator).value / point.qStar! - 1) < 1e-15)
        // sigma_b^2 = 1e-90: the line's sign is lost to rounding there; the first release returned
        // a point made of that rounding (sigma_w^2 = 1.000000024 at q = 1.2e-8). Now refused.
        #expect(throws: MeanFieldError.self) { try Activation.tanh.criticalPoint(sigmaB2: 1e-90) }
    }

    @Test func erfCriticalLineIsClosedForm() throws {
        // On the erf line: sigma_w^2 = (pi/4) sqrt(1 + 4q), sigma_b^2 = q - sigma_w^2 (2/pi) asin(2q/(1+2q)).
        for q in [0.1, 1, 5] {
            let w = Double.pi / 4 * (1 + 4 * q).squareRoot()
            let b = q - w * 2 / Double.pi * asin(2 * q / (1 + 2 * q))
            let point = try Activation.erf.criticalPoint(sigmaB2: b, using: GaussianIntegrator(activation: .erf, method: .quadrature))
            #expect(abs(point.sigmaW2 / w - 1) < 1e-10)
            #expect(abs(point.qStar! / q - 1) < 1e-9)
        }
    }
}
