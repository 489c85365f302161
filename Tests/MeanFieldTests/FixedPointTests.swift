import Activations
import Foundation
import MeanField
import Testing
import TestSupport

/// q*, c*, chi's and depth scales against closed forms, against plain iteration of the maps,
/// against the quadrature route forced on closed-form activations, and across c* solvers.
@Suite struct FixedPointTests {

    @Test func reluFixedPointIsClosedForm() throws {
        // q* = sigma_b^2 / (1 - sigma_w^2/2), chi_1 = sigma_w^2/2 (ordered for sigma_w^2 < 2).
        for (w, b) in [(1.0, 0.1), (1.5, 0.3), (1.99, 0.05)] {
            let p = try MeanFieldModel(activation: .relu, sigmaW2: w, sigmaB2: b).analyse(using: GaussianIntegrator(activation: .relu))
            #expect(relativeError(p.qStar, b / (1 - w / 2)) < 1e-13)
            #expect(p.chi1 == w / 2)
            #expect(p.phase == .ordered && p.cStar == 1)
            #expect(p.chi2 == .infinity)
        }
    }

    @Test func reluWithoutFixedPointIsAnError() throws {
        let model = try MeanFieldModel(activation: .relu, sigmaW2: 2, sigmaB2: 0.1)
        #expect(throws: MeanFieldError.self) { try model.analyse(using: GaussianIntegrator(activation: .relu)) }
        do {
            _ = try model.analyse(using: GaussianIntegrator(activation: .relu))
        } catch {
            guard case .noFixedPoint = error else { Issue.record("expected noFixedPoint, got \(error)"); return }
            #expect(!error.isUsageError)
        }
    }

    @Test(arguments: [(1.69, 0.09), (6.25, 0.09), (3.0, 0.05), (1.2, 0.0), (0.8, 0.2)])
    func erfClosedFormsAgainstForcedQuadrature(w: Double, b: Double) throws {
        // The closed-form route (asin / arc-sine kernel) and the quadrature route on the same
        // activation must give the same fixed points to the 1e-10 target.
        let model = try MeanFieldModel(activation: .erf, sigmaW2: w, sigmaB2: b)
        let exact = try model.analyse(using: GaussianIntegrator(activation: .erf))
        let numeric = try model.analyse(using: GaussianIntegrator(activation: .erf, method: .quadrature))
        #expect(relativeError(numeric.qStar, exact.qStar) < 1e-12 || exact.qStar == numeric.qStar)
        #expect(relativeError(numeric.chi1, exact.chi1) < 1e-12)
        #expect(abs(numeric.cStar - exact.cStar) < 1e-11)
        #expect(relativeError(numeric.chiC, exact.chiC) < 1e-11)
        #expect(relativeError(numeric.xiC, exact.xiC) < 1e-10)
        // chi_1 = 4 sigma_w^2 / (pi sqrt(1 + 4 q*)) (Poole et al. 2016).
        #expect(relativeError(exact.chi1, 4 * w / (Double.pi * (1 + 4 * exact.qStar).squareRoot())) < 1e-14)
    }

    @Test(arguments: [Activation.tanh, .sigmoid, .erf, .gelu, .swish, .softplus, .sin, .hardTanh])
    func qStarIsWhereIterationConverges(activation: Activation) throws {
        // Ordered, away from criticality: 3000 iterations converge geometrically.
        let integrator = GaussianIntegrator(activation: activation)
        let model = try MeanFieldModel(activation: activation, sigmaW2: activation == .sigmoid ? 4 : 0.8, sigmaB2: 0.2)
        let q = try model.qStar(from: 1, using: integrator)
        let iterates = try model.iterate(q0: 1, c0: nil, depth: 3000, using: integrator).q
        #expect(relativeError(iterates.last!, q) < 1e-12, "\(activation)")
        #expect(abs(model.lengthMap(q, using: integrator).value - q) < 1e-14 * max(q, 1))
        // Stable: V'(q*) < 1.
        #expect(model.lengthMap(q, using: integrator).derivative < 1)
    }

    @Test func chaoticQStarIsReachedFromAboveAndBelow() throws {
        let integrator = GaussianIntegrator(activation: .tanh)
        let model = try MeanFieldModel(activation: .tanh, sigmaW2: 6.25, sigmaB2: 0.09)
        let fromBelow = try model.qStar(from: 0.01, using: integrator)
        let fromAbove = try model.qStar(from: 100, using: integrator)
        #expect(relativeError(fromBelow, fromAbove) < 1e-14)
        let iterates = try model.iterate(q0: 100, c0: nil, depth: 200, using: integrator).q
        #expect(relativeError(iterates.last!, fromAbove) < 1e-13)
    }

    @Test func oddActivationWithoutBiasOrderedHasZeroLength() throws {
        for w in [0.5, 0.99, 1.0] {
            let p = try MeanFieldModel(activation: .tanh, sigmaW2: w, sigmaB2: 0).analyse(using: GaussianIntegrator(activation: .tanh))
            #expect(p.qStar == 0)
            #expect(p.chi1 == w)  // tanh'(0)^2 = 1
            #expect(p.phase == (w == 1 ? .critical : .ordered))
        }
    }

    @Test(arguments: [Activation.tanh, .erf, .sin])
    func oddActivationWithoutBiasChaoticDecorrelatesCompletely(activation: Activation) throws {
        let p = try MeanFieldModel(activation: activation, sigmaW2: 4, sigmaB2: 0).analyse(using: GaussianIntegrator(activation: activation))
        #expect(p.phase == .chaotic)
        #expect(p.cStar == 0)
        // chi_c(0) = sigma_w^2 E[phi']^2 (u1, u2 independent at c = 0).
        let integrator = GaussianIntegrator(activation: activation)
        let meanSlope = integrator.expectation(variance: p.qStar) { $0.d1 }
        #expect(relativeError(p.chiC, 4 * meanSlope * meanSlope) < 1e-12)
    }

    // gelu, swish and softplus are relu-like: where they are chaotic the length diverges.
    @Test(arguments: [
        (Activation.tanh, 6.25, 0.09), (.tanh, 2.5, 0.01), (.sigmoid, 130.0, 0.5), (.sigmoid, 400.0, 2.0),
        (.erf, 3.0, 0.2), (.tanh, 2.8, 0.3), (.tanh, 20.0, 1.0),
    ])
    func mehlerAndDirectSolversAgree(activation: Activation, w: Double, b: Double) throws {
        let integrator = GaussianIntegrator(activation: activation, method: .quadrature)
        let model = try MeanFieldModel(activation: activation, sigmaW2: w, sigmaB2: b)
        let series = try model.analyse(solver: .automatic, using: integrator)
        let direct = try model.analyse(solver: .direct, using: integrator)
        #expect(series.phase == .chaotic)
        #expect(abs(series.cStar - direct.cStar) < 1e-11, "\(activation) \(w) \(b)")
        #expect(relativeError(series.chiC, direct.chiC) < 1e-11, "\(activation) \(w) \(b)")
        // c* is a fixed point of the directly integrated correlation map, and stable.
        let next = try model.correlationMap(q11: direct.qStar, q22: direct.qStar, c: series.cStar, using: integrator)
        #expect(abs(next.c - series.cStar) < 1e-12)
        #expect(series.chiC < 1 && series.cStar < 1)
    }

    @Test func cStarNearCriticalityFollowsItsAsymptote() throws {
        // 1 - c* ~ 2 (chi_1 - 1) / (q* chi_2) as chi_1 -> 1+ (MeanField's Conventions article), with a
        // relative correction O(chi_1 - 1); and xi_c ~ 1/(chi_1 - 1). At epsilon = 1e-6 the plain
        // c-form f(c) - c would leave 1 - c* with ~1e-3 relative noise (1e-16 / (1 - chi_c)); the
        // delta-form polish keeps it exact.
        let integrator = GaussianIntegrator(activation: .tanh)
        let critical = try Activation.tanh.criticalPoint(sigmaB2: 0.05, using: integrator)
        for epsilon in [1e-2, 1e-3, 1e-4, 1e-5, 1e-6] {
            let model = try MeanFieldModel(activation: .tanh, sigmaW2: critical.sigmaW2 * (1 + epsilon), sigmaB2: 0.05)
            let p = try model.analyse(using: integrator)
            let excess = p.chi1 - 1
            let predicted = 2 * excess / (p.qStar * p.chi2)
            #expect(abs((1 - p.cStar) / predicted - 1) < 20 * excess, "epsilon \(epsilon)")
            #expect(abs(p.xiC * excess - 1) < 20 * excess, "epsilon \(epsilon)")
        }
    }

    @Test func jointMapAtQStarContractsToCStar() throws {
        let integrator = GaussianIntegrator(activation: .tanh)
        let model = try MeanFieldModel(activation: .tanh, sigmaW2: 6.25, sigmaB2: 0.09)
        let p = try model.analyse(using: integrator)
        let iterates = try model.iterate(q0: p.qStar, c0: 0.9, depth: 200, using: integrator)  // chi_c^200 ~ 1e-17
        #expect(abs(iterates.c!.last! - p.cStar) < 1e-12)
        // c = 1 stays exactly 1.
        #expect(try model.iterate(q0: 2, c0: 1, depth: 5, using: integrator).c!.allSatisfy { $0 == 1 })
    }

    @Test func depthScalesAreDefinedByTheirSlopes() throws {
        let p = try MeanFieldModel(activation: .tanh, sigmaW2: 1.69, sigmaB2: 0.09).analyse(using: GaussianIntegrator(activation: .tanh))
        #expect(p.phase == .ordered)
        #expect(abs(exp(-1 / p.xiQ) - p.vPrime) < 1e-15)
        #expect(abs(exp(-1 / p.xiC) - p.chiC) < 1e-15)
        #expect(p.chiC == p.chi1)
    }

    @Test func badInputNamesTheParameter() throws {
        let cases: [(() throws(MeanFieldError) -> Void, String)] = [
            ({ () throws(MeanFieldError) in _ = try MeanFieldModel(activation: .tanh, sigmaW2: -1, sigmaB2: 0) }, "sigma_w2"),
            ({ () throws(MeanFieldError) in _ = try MeanFieldModel(activation: .tanh, sigmaW2: 1, sigmaB2: .nan) }, "sigma_b2"),
            ({ () throws(MeanFieldError) in _ = try MeanFieldModel(activation: .tanh, sigmaW2: .infinity, sigmaB2: 0) }, "sigma_w2"),
            ({ () throws(MeanFieldError) in
                _ = try MeanFieldModel(activation: .tanh, sigmaW2: 1, sigmaB2: 0).iterate(q0: 1, c0: nil, depth: -1, using: GaussianIntegrator(activation: .tanh))
            }, "depth"),
            ({ () throws(MeanFieldError) in
                _ = try MeanFieldModel(activation: .tanh, sigmaW2: 1, sigmaB2: 0).iterate(q0: 1, c0: 1.5, depth: 3, using: GaussianIntegrator(activation: .tanh))
            }, "c0"),
            ({ () throws(MeanFieldError) in
                _ = try MeanFieldModel(activation: .tanh, sigmaW2: 1, sigmaB2: 0).analyse(q0: -2, using: GaussianIntegrator(activation: .tanh))
            }, "q0"),
            ({ () throws(MeanFieldError) in _ = try GridAxis(lower: 2, upper: 1, count: 5) }, "range"),
            ({ () throws(MeanFieldError) in _ = try GridAxis(lower: 0, upper: 1, count: 0) }, "range"),
            ({ () throws(MeanFieldError) in _ = try GridAxis(lower: 0, upper: .infinity, count: 3) }, "range"),
        ]
        for (body, name) in cases {
            do {
                try body()
                Issue.record("expected an error naming \(name)")
            } catch {
                guard case .invalid(let payload) = error else {
                    Issue.record("expected invalidParameter(\(name)), got \(error)")
                    continue
                }
                #expect(payload.name == name)
                #expect(!payload.reason.isEmpty)
                #expect(error.isUsageError)
            }
        }
    }
}
