import Foundation
import GSLKit
import Testing

@Suite struct LinkageTests {
    @Test func openBLASServesCBLAS() {
        // libgsl must be linked with OpenBLAS, not gslcblas (8-16x slower dgemm).
        #expect(BLAS.configuration.contains("OpenBLAS"))
        #expect(!gslVersion.isEmpty)
    }

    @Test func gemmMatchesNaiveProduct() {
        let (m, n, k) = (7, 5, 9)
        let a = (0..<(m * k)).map { Double($0 % 11) - 5 }
        let b = (0..<(k * n)).map { Double($0 % 7) * 0.5 - 1 }
        var c = [Double](repeating: 1, count: m * n)
        BLAS.gemm(m: m, n: n, k: k, alpha: 2, a: a, b: b, beta: 0.5, c: &c)
        for i in 0..<m {
            for j in 0..<n {
                let naive = (0..<k).reduce(0.0) { $0 + a[i * k + $1] * b[$1 * n + j] }
                #expect(abs(c[i * n + j] - (2 * naive + 0.5)) < 1e-12)
            }
        }
        // Transposed A: A^T is k x m stored row-major.
        let at = (0..<(k * m)).map { a[($0 % m) * k + $0 / m] }
        var d = [Double](repeating: 0, count: m * n)
        BLAS.gemm(m: m, n: n, k: k, a: at, transposeA: true, b: b, c: &d)
        for i in 0..<(m * n) { #expect(abs(2 * d[i] + 0.5 - c[i]) < 1e-12) }
    }
}

@Suite struct QuadratureTableTests {
    @Test(arguments: [16, 32])
    func gaussLegendreIsExactToDegree2nMinus1(points: Int) throws {
        let rule = try GaussLegendre(points: points)
        for degree in [0, 2, 2 * points - 2] {
            let sum = zip(rule.nodes, rule.weights).reduce(0.0) { $0 + $1.1 * pow($1.0, Double(degree)) }
            #expect(abs(sum - 2 / Double(degree + 1)) < 1e-14)
        }
        // Odd powers vanish by symmetry.
        let odd = zip(rule.nodes, rule.weights).reduce(0.0) { $0 + $1.1 * pow($1.0, 2 * Double(points) - 1) }
        #expect(abs(odd) < 1e-15)
    }

    @Test func invalidOrderIsAnError() {
        #expect(throws: GSLError.self) { try GaussLegendre(points: 0) }
    }

    @Test func cquadAgreesWithClosedForm() throws {
        // Int_0^1 e^x dx = e - 1; Int_{-8}^{8} Dz z^2 = 1 (to e^{-32}).
        #expect(abs(try adaptiveIntegral(lower: 0, upper: 1) { exp($0) } - (M_E - 1)) < 1e-14)
        let second = try adaptiveIntegral(lower: -8, upper: 8) { $0 * $0 * exp(-0.5 * $0 * $0) / (2 * Double.pi).squareRoot() }
        #expect(abs(second - 1) < 1e-12)
    }
}

@Suite struct RootFindingTests {
    @Test func newtonFindsSquareRootOfTwo() throws {
        let root = try newtonBracketed(lower: 0, upper: 2) { x in (x * x - 2, 2 * x) }
        #expect(abs(root - 2.0.squareRoot()) < 1e-15)
    }

    @Test func newtonSurvivesAZeroDerivative() throws {
        // f'(0) = 0 at the first iterate: bisection must take over.
        let root = try newtonBracketed(lower: -1, upper: 2, guess: 0) { x in (x * x * x - 1, 3 * x * x) }
        #expect(abs(root - 1) < 1e-15)
    }

    @Test func unbracketedRootIsAnError() {
        #expect(throws: RootFindingError.notBracketed(lower: 2, upper: 3)) {
            try newtonBracketed(lower: 2, upper: 3) { x in (x * x - 2, 2 * x) }
        }
    }

    @Test func brentThroughGSL() throws {
        let root = try brent(lower: 0, upper: 2) { cos($0) - $0 }
        #expect(abs(cos(root) - root) < 1e-15)
    }

    @Test func gslErrorsBecomeSwiftErrorsNotAborts() {
        // A NaN inside the bracket makes GSL's Brent report GSL_EBADFUNC through the error
        // handler; with the default handler the process would abort.
        do {
            _ = try brent(lower: 0, upper: 2) { x in x > 0.5 && x < 1.5 ? .nan : x - 1 }
            Issue.record("expected an error")
        } catch let error as GSLError {
            #expect(error.status != 0)
            #expect(!error.reason.isEmpty)
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func callbackErrorsPropagate() {
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try brent(lower: 0, upper: 2) { x in if x > 0.9 && x < 1.1 { throw Boom() }; return x - 1.05 }
        }
    }
}

@Suite struct SplitMix64Tests {
    @Test func matchesTheReferenceSequence() {
        // Reference outputs of SplitMix64 from seed 0 (Vigna's splitmix64.c; also Java's
        // SplittableRandom with gamma 0x9E3779B97F4A7C15).
        var generator = SplitMix64(seed: 0)
        #expect(generator.next() == 0xE220_A839_7B1D_CDAF)
        #expect(generator.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(generator.next() == 0x06C4_5D18_8009_454F)
    }

    @Test func doublesAreIn01With53Bits() {
        var generator = SplitMix64(seed: 42)
        for _ in 0..<1000 {
            let u = generator.nextDouble()
            #expect(u >= 0 && u < 1)
            #expect(u == (u * 0x1p53).rounded() * 0x1p-53)
        }
    }

    @Test func derivedSeedsDifferPerTask() {
        let seeds = Set((0..<1000).map { SplitMix64.derive(base: 7, index: UInt64($0)) })
        #expect(seeds.count == 1000)
    }
}

@Suite struct ParallelTests {
    @Test func everyTaskRunsOnce() {
        let hits = SharedResults<Int>(repeating: 0, count: 500)
        parallelTasks(count: 500, threads: 2) { hits[$0] += 1 }
        #expect(hits.array.allSatisfy { $0 == 1 })
    }
}

@Suite struct DenseLinearAlgebraTests {
    @Test func solveDeterminantAndEigenvaluesOnHandComputedMatrices() throws {
        // [[2, 1], [1, 3]]: det 5, eigenvalues (5 -+ sqrt 5)/2; solving for b = (3, 5) gives (4/5, 7/5).
        let a: [Double] = [2, 1, 1, 3]
        let x = try DenseLinearAlgebra.solve(a, [3, 5], n: 2)
        #expect(abs(x[0] - 0.8) < 1e-15 && abs(x[1] - 1.4) < 1e-15)
        #expect(abs(try DenseLinearAlgebra.logAbsDeterminant(a, n: 2) - log(5)) < 1e-15)
        let values = try DenseLinearAlgebra.symmetricEigenvalues(a, n: 2)
        #expect(abs(values[0] - (5 - 5.0.squareRoot()) / 2) < 1e-14 && abs(values[1] - (5 + 5.0.squareRoot()) / 2) < 1e-14)
        #expect(throws: GSLError.self) { try DenseLinearAlgebra.solve([1, 2, 2, 4], [1, 1], n: 2) }
        #expect(throws: GSLError.self) { try DenseLinearAlgebra.solve(a, [1], n: 2) }
        #expect(throws: GSLError.self) { try DenseLinearAlgebra.logAbsDeterminant([1, 2, 3], n: 2) }
    }
}

@Suite struct ODEFailureTests {
    struct FieldRefusal: Error, Equatable { let t: Double }

    /// The solve throws ODEError alone (typed): an error the field throws comes back inside
    /// fieldFailed, unchanged, and a non-finite value as nonFinite with its component.
    @Test func theFieldsOwnErrorComesBackUnchanged() throws {
        let refusing = ODESystem(dimension: 2) { t, _, dydt in
            if t > 0.5 { throw FieldRefusal(t: 0.5) }
            (dydt[0], dydt[1]) = (1, 1)
        }
        do {
            _ = try GSLODESolver(stepper: .rk8pd).solve(refusing, from: [0, 0], times: [0, 1], controller: StepSizeController(rtol: 1e-8, atol: 1e-8))
            Issue.record("the solve went past the field's refusal")
        } catch {
            guard case .fieldFailed(let inner) = error else { Issue.record("expected fieldFailed, got \(error)"); return }
            #expect(inner as? FieldRefusal == FieldRefusal(t: 0.5))
        }
        let infinite = ODESystem(dimension: 2) { t, _, dydt in (dydt[0], dydt[1]) = (1, t > 0.5 ? .infinity : 1) }
        do {
            _ = try GSLODESolver(stepper: .rkck).solve(infinite, from: [0, 0], times: [0, 1], controller: StepSizeController(rtol: 1e-8, atol: 1e-8))
            Issue.record("the solve accepted an infinite derivative")
        } catch {
            guard case .nonFinite(_, let component) = error else { Issue.record("expected nonFinite, got \(error)"); return }
            #expect(component == 1)
        }
    }

    @Test func aStepSizeCollapseOnABoundedStateIsNamedAtOnce() throws {
        // y' = -1e20 (y - 1): an explicit stepper must stay below h ~ 3e-20 for stability, so
        // reaching t = 1 would take ~1e20 steps. It stops where h < 1e-12 of the interval,
        // naming the collapse (the state is bounded: not a blow-up), instead of after max-steps.
        let system = ODESystem(dimension: 1) { _, y, dydt in dydt[0] = -1e20 * (y[0] - 1) }
        #expect {
            try GSLODESolver(stepper: .rkf45).solve(system, from: [0], times: [0, 1], controller: StepSizeController(rtol: 1e-6, atol: 1e-6))
        } throws: { error in
            guard case ODEError.stepSizeCollapsed(_, let step)? = error as? ODEError else { return false }
            return step < 1e-12
        }
        // The same field is easy for an implicit stepper with its Jacobian.
        let stiff = ODESystem(dimension: 1, field: { _, y, dydt in dydt[0] = -1e20 * (y[0] - 1) },
                              jacobian: { _, _, dfdy, dfdt in dfdy[0] = -1e20; dfdt[0] = 0 })
        let solution = try GSLODESolver(stepper: .msbdf).solve(stiff, from: [0], times: [0, 1], controller: StepSizeController(rtol: 1e-8, atol: 1e-8))
        #expect(abs(try #require(solution.state(1).first) - 1) < 1e-8)
    }
}

/// Every GSL stepper on problems with exact solutions, in the manner of GSL's own ode-initval2
/// tests: y' = y, a rotation, and GSL's stiff 2 x 2 system.
@Suite struct GSLStepperTests {
    struct Problem {
        var name: String
        var system: ODESystem
        var y0: [Double]
        var exact: (Double) -> [Double]
    }

    static var problems: [Problem] { [
        Problem(name: "exponential", system: ODESystem(dimension: 1, field: { _, y, dydt in dydt[0] = y[0] },
                                                     jacobian: { _, _, dfdy, dfdt in dfdy[0] = 1; dfdt[0] = 0 }),
                y0: [1], exact: { [exp($0)] }),
        Problem(name: "rotation", system: ODESystem(dimension: 2, field: { _, y, dydt in dydt[0] = y[1]; dydt[1] = -y[0] },
                                                  jacobian: { _, _, dfdy, dfdt in
                                                      dfdy[0] = 0; dfdy[1] = 1; dfdy[2] = -1; dfdy[3] = 0; dfdt[0] = 0; dfdt[1] = 0
                                                  }),
                y0: [1, 0], exact: { [cos($0), -sin($0)] }),
        // y0' = 998 y0 + 1998 y1, y1' = -999 y0 - 1999 y1: eigenvalues -1 and -1000.
        Problem(name: "stiff", system: ODESystem(dimension: 2, field: { _, y, dydt in
                    dydt[0] = 998 * y[0] + 1998 * y[1]; dydt[1] = -999 * y[0] - 1999 * y[1]
                }, jacobian: { _, _, dfdy, dfdt in
                    dfdy[0] = 998; dfdy[1] = 1998; dfdy[2] = -999; dfdy[3] = -1999; dfdt[0] = 0; dfdt[1] = 0
                }),
                y0: [1, 0], exact: { [2 * exp(-$0) - exp(-1000 * $0), -exp(-$0) + exp(-1000 * $0)] }),
    ] }

    @Test(arguments: GSLStepper.allCases)
    func everyStepperRunsTheStepperItNamesAndMeetsItsTolerance(stepper: GSLStepper) throws {
        // Pinned by name: the case's raw value is the C stepper's own name.
        #expect(stepper.gslName == stepper.rawValue)
        // Local error control keeps each step's error within the tolerance, so the global error
        // is at most (steps) x tolerance, times the growth e^{Lt} <= e^2 of y' = y over [0, 2].
        let tolerance = [.rk2, .rk1imp].contains(stepper) ? 1e-6 : 1e-9
        for problem in Self.problems {
            let solution = try GSLODESolver(stepper: stepper).solve(problem.system, from: problem.y0, times: [0, 0.5, 2],
                                                                    controller: StepSizeController(rtol: tolerance, atol: tolerance))
            for (k, t) in [0.5, 2].enumerated() {
                for (value, exact) in zip(solution.state(k + 1), problem.exact(t)) {
                    let bound = exp(2.0) * Double(solution.acceptedSteps) * tolerance * max(1, abs(exact))
                    #expect(abs(value - exact) <= bound, "\(stepper) \(problem.name) t = \(t): \(solution.acceptedSteps) steps")
                }
            }
        }
    }
}
