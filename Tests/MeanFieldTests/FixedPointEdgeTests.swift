import Activations
import Foundation
import GSLKit
import MeanField
import Testing
import TestSupport

/// The length fixed point at the edges of double precision: right to its accuracy or refused,
/// never a root made of rounding. Each case is a regression of the first release.
@Suite struct FixedPointEdgeTests {

    func expectNoFixedPoint(_ activation: Activation, _ w: Double, _ b: Double, q0: Double = 1,
                            sourceLocation: SourceLocation = #_sourceLocation) throws {
        let model = try MeanFieldModel(activation: activation, sigmaW2: w, sigmaB2: b)
        do {
            let q = try model.qStar(from: q0, using: GaussianIntegrator(activation: activation))
            Issue.record("\(activation) \(w)/\(b): expected no fixed point, got q* = \(q)", sourceLocation: sourceLocation)
        } catch {
            guard case .noFixedPoint = error else {
                Issue.record("\(activation) \(w)/\(b): expected noFixedPoint, got \(error)", sourceLocation: sourceLocation)
                return
            }
        }
    }

    @Test func reluAndSoftplusAtTwoGrowWithoutBound() throws {
        // V(q) - q = sigma_b^2 > 0 for relu at sigma_w^2 = 2 (and > 0 for softplus): once
        // q > sigma_b^2/eps, V(q) and q round alike, which the first release took for q* = 6.7e14.
        try expectNoFixedPoint(.relu, 2, 0.05)
        try expectNoFixedPoint(.relu, 2, 1e-300)
        try expectNoFixedPoint(.softplus, 2, 0.05)
        try expectNoFixedPoint(.softplus, 2, 0)
        try expectNoFixedPoint(.relu, 2, 0.05, q0: 1e15)  // V(q0) - q0 already hidden at q0
        try expectNoFixedPoint(.linear, 1, 1e-90)
        try expectNoFixedPoint(.gelu, 4, 0.05)
    }

    @Test func pointAndPhaseAgreeNextToTheRatioOneLine() throws {
        // softplus and relu rows through sigma_w^2 = 2: every grid point equals the single-point
        // solve (same routine), and none is "ok" with a q* made of rounding.
        for activation in [Activation.softplus, .relu, .gelu] {
            let diagram = try PhaseDiagram(activation: activation, sigmaW2: GridAxis(lower: 1.9, upper: 2.1, count: 21),
                                           sigmaB2: GridAxis(lower: 0, upper: 0.3, count: 4))
            let integrator = GaussianIntegrator(activation: activation)
            for point in diagram.solve(threads: 1) {
                let model = try MeanFieldModel(activation: activation, sigmaW2: point.sigmaW2, sigmaB2: point.sigmaB2)
                let single = try? model.analyse(using: integrator)
                #expect((single == nil) == (point.analysis == nil), "\(activation) \(point.sigmaW2)/\(point.sigmaB2)")
                if let a = point.analysis, let s = single {
                    #expect(relativeError(a.qStar, s.qStar) < 1e-9 || abs(a.qStar - s.qStar) < 1e-300)
                    let r = model.lengthResidual(a.qStar, using: integrator)
                    #expect(abs(r.value) <= r.bound, "\(activation) \(point.sigmaW2)/\(point.sigmaB2): q* = \(a.qStar)")
                    #expect(a.qStar < 1e8, "\(activation) \(point.sigmaW2)/\(point.sigmaB2): q* = \(a.qStar)")
                }
            }
        }
    }

    @Test(arguments: [1e-90, 1e-200, 1e-300])
    func tinyBiasesAreResolved(b: Double) throws {
        // linear: q* = sigma_b^2 / (1 - sigma_w^2); relu: sigma_b^2 / (1 - sigma_w^2/2); the first
        // release answered "no convergence" at 1e-90.
        let linear = try MeanFieldModel(activation: .linear, sigmaW2: 0.5, sigmaB2: b)
        #expect(relativeError(try linear.qStar(using: GaussianIntegrator(activation: .linear)), b / 0.5) < 1e-14)
        let relu = try MeanFieldModel(activation: .relu, sigmaW2: 1.5, sigmaB2: b)
        #expect(relativeError(try relu.qStar(using: GaussianIntegrator(activation: .relu)), b / 0.25) < 1e-14)
        // tanh contracting at 0 (V'(0) = 0.5): q* ~ 2 sigma_b^2, checked against the residual.
        let integrator = GaussianIntegrator(activation: .tanh)
        let tanh = try MeanFieldModel(activation: .tanh, sigmaW2: 0.5, sigmaB2: b)
        let q = try tanh.qStar(using: integrator)
        #expect(relativeError(q, 2 * b) < 1e-12)
        #expect(abs(tanh.lengthResidual(q, using: integrator).value) <= tanh.lengthResidual(q, using: integrator).bound)
    }

    @Test(arguments: [1e-300, 1e-50, 1e50, 1e100, 1e300])
    func anyStartReachesTheSameFixedPoint(q0: Double) throws {
        // tanh 1.5/0.05 has one fixed point, reached from any q0 (the first release: "no
        // convergence" from 1e100).
        let integrator = GaussianIntegrator(activation: .tanh)
        let model = try MeanFieldModel(activation: .tanh, sigmaW2: 1.5, sigmaB2: 0.05)
        let reference = try model.qStar(from: 1, using: integrator)
        #expect(relativeError(try model.qStar(from: q0, using: integrator), reference) < 1e-14)
        // ... and it is where plain iteration goes.
        #expect(relativeError(try model.iterate(q0: 1, c0: nil, depth: 400, using: integrator).q.last!, reference) < 1e-14)
    }

    @Test(arguments: [Activation.sin, .hardTanh, .tanh, .erf])
    func marginalAtZeroIsCriticalWithZeroLength(activation: Activation) throws {
        // sigma_w^2 phi'(0)^2 = 1, sigma_b^2 = 0: V(0) = 0, V'(0) = 1 and V(q) < q for q > 0, so
        // q* = 0 and chi_1 = 1 (the first release: sin q* = 2.5e-9 "ordered", hard-tanh 0.0115).
        let slope = activation.derivatives(0).d1
        let model = try MeanFieldModel(activation: activation, sigmaW2: 1 / (slope * slope), sigmaB2: 0)
        let p = try model.analyse(using: GaussianIntegrator(activation: activation))
        #expect(p.qStar == 0, "\(activation)")
        #expect(p.phase == .critical, "\(activation)")
        #expect(abs(p.chi1 - 1) < 1e-15)
    }

    @Test func boundedActivationsWithHugeBiases() throws {
        // V(q) <= sigma_w^2 sup phi^2 + sigma_b^2, so q* exists for any sigma_b^2: for tanh,
        // q* = sigma_b^2 + sigma_w^2 E_{q*}[tanh^2] in [sigma_b^2, sigma_b^2 + sigma_w^2]
        // (the first release: "q grows without bound" from sigma_b^2 = 1e15).
        for b in [1e14, 1e15, 1e50, 1e250] {
            let integrator = GaussianIntegrator(activation: .tanh)
            let model = try MeanFieldModel(activation: .tanh, sigmaW2: 1, sigmaB2: b)
            let q = try model.qStar(using: integrator)
            #expect(q >= b && q <= b + 1 + b.ulp)
            #expect(abs(model.lengthResidual(q, using: integrator).value) <= model.lengthResidual(q, using: integrator).bound)
        }
    }

    @Test func unresolvableRootsAreRefusedNotGuessed() throws {
        // tanh at sigma_w^2 = 1 with sigma_b^2 = 1e-90: q* ~ sqrt(sigma_b^2/2) ~ 7e-46, where
        // V(q) - q = sigma_b^2 - 2q^2 is 1e14 times below the rounding of V: refused, naming why.
        let model = try MeanFieldModel(activation: .tanh, sigmaW2: 1, sigmaB2: 1e-90)
        do {
            let q = try model.qStar(using: GaussianIntegrator(activation: .tanh))
            Issue.record("expected a refusal, got q* = \(q)")
        } catch {
            guard case .noConvergence(let why) = error else { Issue.record("\(error)"); return }
            #expect(why.contains("not determined in double precision"))
        }
    }

    @Test func randomParametersGiveSelfConsistentFixedPoints() throws {
        // A seeded property check: for random legal (activation, sigma_w^2, sigma_b^2, q0) over
        // many decades, q* either is refused or satisfies |V(q*) - q*| <= its rounding bound with
        // V'(q*) <= 1, chi_1 recomputed, and a phase consistent with chi_1.
        var generator = SplitMix64(seed: 2026_12_07)
        var checked = 0
        for _ in 0..<400 {
            let activation = Activation.builtins[Int(generator.next() % UInt64(Activation.builtins.count))]
            let w = Foundation.pow(10, -2 + 4 * generator.nextDouble())
            let b = generator.nextDouble() < 0.2 ? 0 : Foundation.pow(10, -300 + 315 * generator.nextDouble())
            let q0 = Foundation.pow(10, -100 + 200 * generator.nextDouble())
            let integrator = GaussianIntegrator(activation: activation)
            let model = try MeanFieldModel(activation: activation, sigmaW2: w, sigmaB2: b)
            guard let p = try? model.analyse(q0: q0, using: integrator) else { continue }
            checked += 1
            let label = "\(activation) \(w)/\(b) from \(q0): q* = \(p.qStar)"
            #expect(p.qStar.isFinite && p.qStar >= 0, "\(label)")
            let r = model.lengthResidual(p.qStar, using: integrator)
            #expect(abs(r.value) <= r.bound, "\(label)")
            #expect(p.chi1 == model.chi1(at: p.qStar, using: integrator), "\(label)")
            switch p.phase {
            case .critical: #expect(abs(p.chi1 - 1) <= PointAnalysis.criticalTolerance)
            case .ordered: #expect(p.chi1 < 1 && p.cStar == 1)
            case .chaotic: #expect(p.chi1 > 1 && p.cStar < 1)
            }
        }
        #expect(checked > 150)
    }

    @Test func longIterationsStopComputingAtAFixedPointToRounding() throws {
        // Once (q, c) repeats exactly the rest is filled: the result equals the layer-by-layer
        // loop written out here, and a depth of 10^6 costs as much as convergence does.
        let integrator = GaussianIntegrator(activation: .tanh)
        let model = try MeanFieldModel(activation: .tanh, sigmaW2: 1.69, sigmaB2: 0.09)
        let depth = 1500
        let fast = try model.iterate(q0: 1, c0: 0.5, depth: depth, using: integrator)
        var q = 1.0, c = 0.5
        var qs = [q], cs = [c]
        for _ in 0..<depth {
            let next = try model.correlationMap(q11: q, q22: q, c: c, using: integrator)
            (q, c) = (next.q11, next.c)
            qs.append(q)
            cs.append(c)
        }
        #expect(fast.q == qs && fast.c! == cs)
        let long = try model.iterate(q0: 1, c0: 0.5, depth: 1_000_000, using: integrator)
        #expect(long.q.count == 1_000_001 && long.q.last == qs.last && long.c!.last == cs.last)
    }
}
