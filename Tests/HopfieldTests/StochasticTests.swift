import Foundation
import GSLKit
import Testing
@testable import Hopfield

@Suite struct DiffusionMachineTests {
    static func model() throws -> HopfieldModel {
        try HopfieldModel(weights: [0.4, 1.0, 1.0, -0.3], inputs: [-0.2, 0.1], activation: HopfieldActivation(.logistic, gain: 2),
                          tau: 1, capacitances: [1, 1.5])
    }

    @Test func longSimulationMatchesTheGibbsQuadratureWithinStandardErrors() throws {
        // 1000 particles from the centre relax for t = 6 (several relaxation times); the
        // Euler-Maruyama bias is O(dt): at dt = 2e-3 it is below a standard error (~0.007).
        let model = try Self.model()
        let t = 0.25
        let machine = try DiffusionMachine(model: model, schedule: .constant(t), timeStep: 2e-3)
        let run = try machine.run(x0: [0.5, 0.5], particles: 1000, steps: 3000, recordEvery: 3000, seed: 11)
        let gibbs = try model.stationary(temperature: t)
        for i in 0..<2 {
            let z = (run.meanX[2 + i] - gibbs.mean[i]) / run.stderrX[2 + i]
            #expect(abs(z) < 4, "unit \(i): \(run.meanX[2 + i]) vs \(gibbs.mean[i]) (\(z) SE)")
        }
        let z = (run.meanEnergy[1] - gibbs.meanEnergy) / run.stderrEnergy[1]
        #expect(abs(z) < 4, "energy \(run.meanEnergy[1]) vs \(gibbs.meanEnergy) (\(z) SE)")
        // The variance too: the sample variance of the final particles against the quadrature's.
        let x = run.finalX
        let mean = stride(from: 0, to: x.count, by: 2).reduce(0.0) { $0 + x[$1] } / 1000
        let variance = stride(from: 0, to: x.count, by: 2).reduce(0.0) { $0 + (x[$1] - mean) * (x[$1] - mean) } / 999
        let fourth = stride(from: 0, to: x.count, by: 2).reduce(0.0) { $0 + pow(x[$1] - mean, 4) } / 1000
        let se = ((fourth - variance * variance) / 1000).squareRoot()
        #expect(abs(variance - gibbs.covariance[0]) < 4 * se, "\(variance) vs \(gibbs.covariance[0]) (SE \(se))")
    }

    @Test func standardErrorsSurviveASpreadFarBelowTheMean() throws {
        // 300 particles (5 blocks) within ~1e-10 of x = (0.5, 0.5): the first releases summed x
        // and x^2, and sum x^2/n - mean^2 cancels to rounding there (standard errors 0 or ~1e-9
        // instead of ~6e-12). Against the two-pass route on the recorded particles.
        let model = try Self.model()
        let machine = try DiffusionMachine(model: model, schedule: .constant(0.1))
        let run = try machine.run(x0: [0.5, 0.5], spread: 1e-10, particles: 300, steps: 0, recordEvery: 1, seed: 5, keepParticles: true)
        let x = try #require(run.recordedX)
        func twoPass(_ values: [Double]) -> (mean: Double, stderr: Double) {
            let mean = values.reduce(0, +) / Double(values.count)
            let m2 = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
            return (mean, (m2 / Double(values.count - 1) / Double(values.count)).squareRoot())
        }
        for i in 0..<2 {
            let expected = twoPass(stride(from: i, to: x.count, by: 2).map { x[$0] })
            #expect(expected.stderr > 1e-13 && expected.stderr < 1e-10)
            #expect(abs(run.meanX[i] - expected.mean) < 1e-15)
            #expect(abs(run.stderrX[i] / expected.stderr - 1) < 1e-6, "unit \(i): \(run.stderrX[i]) vs \(expected.stderr)")
        }
        let energies = (0..<300).map { p in x[(2 * p)..<(2 * p + 2)].withUnsafeBufferPointer { model.unsafeEnergy($0) } }
        let expected = twoPass(energies)
        #expect(abs(run.stderrEnergy[0] / expected.stderr - 1) < 1e-6, "\(run.stderrEnergy[0]) vs \(expected.stderr)")
    }

    @Test func theDensityRunsStreamsAreDistinctFromEveryParticleBlocks() {
        // 10^4 blocks are 640 000 particles, more than any run asks for.
        for seed: UInt64 in [0, 1, 42, .max] {
            let blocks = Set((0..<10_000).map { SplitMix64.derive(base: seed, index: UInt64($0)) })
            let cloud = DensityRunSeeds.cloud(seed), propagation = DensityRunSeeds.propagation(seed)
            #expect(cloud != propagation && !blocks.contains(cloud) && !blocks.contains(propagation), "seed \(seed)")
        }
    }

    @Test func sameSeedSameBitsWhateverTheThreads() throws {
        let machine = try DiffusionMachine(model: Self.model(), schedule: .geometric(initial: 1, rate: 0.5, floor: 0.05))
        let one = try machine.run(x0: [0.3, 0.6], particles: 200, steps: 300, recordEvery: 100, seed: 5, threads: 1)
        let two = try machine.run(x0: [0.3, 0.6], particles: 200, steps: 300, recordEvery: 100, seed: 5, threads: 2)
        #expect(one.finalX == two.finalX && one.meanEnergy == two.meanEnergy)
        let other = try machine.run(x0: [0.3, 0.6], particles: 200, steps: 300, recordEvery: 100, seed: 6, threads: 2)
        #expect(other.finalX != one.finalX)
    }

    @Test func annealingLowersTheEnergy() throws {
        let machine = try DiffusionMachine(model: Self.model(), schedule: .geometric(initial: 1, rate: 0.3, floor: 0.01))
        let run = try machine.run(x0: [0.5, 0.5], particles: 256, steps: 4000, recordEvery: 1000, seed: 2)
        #expect(run.meanEnergy.last! < run.meanEnergy[1] - 5 * run.stderrEnergy[1])
        #expect(AnnealingSchedule.logarithmic(c: 2).temperature(at: 0) == 2)
    }

    @Test func badInputIsRefused() throws {
        #expect(throws: HopfieldError.invalidParameter(name: "temperature", reason: "must be > 0, got -1.0")) {
            try DiffusionMachine(model: Self.model(), schedule: .constant(-1))
        }
        let machine = try DiffusionMachine(model: Self.model(), schedule: .constant(1))
        #expect(throws: HopfieldError.self) { try machine.run(x0: [0.5, 1.5], particles: 10, steps: 1, recordEvery: 1, seed: 1) }
        #expect(throws: HopfieldError.self) { try machine.run(x0: [0.5, 0.5], particles: 0, steps: 1, recordEvery: 1, seed: 1) }
        #expect(throws: HopfieldError.self) { try DiffusionMachine(model: threeUnitModel(.identity), schedule: .constant(1)) }
    }
}

@Suite struct ProximalRecursionTests {
    /// A small 2-D step: old cloud, new cloud (moved a little), pdf-like weights and a potential.
    static func smallStep(count: Int = 40, spread: Double = 1) -> (old: [Double], new: [Double], rho: [Double], betaPsi: [Double]) {
        let g = GaussianStream(seed: 3)
        let old = (0..<(2 * count)).map { _ in spread * g.next() }
        let new = old.map { $0 * 0.99 + 0.05 * g.next() }
        let rho = (0..<count).map { (i: Int) -> Double in
            let r2: Double = old[2 * i] * old[2 * i] + old[2 * i + 1] * old[2 * i + 1]
            return exp(-0.5 * r2) / (2 * Double.pi)
        }
        let betaPsi = (0..<count).map { (j: Int) -> Double in
            let a: Double = new[2 * j] * new[2 * j], b: Double = new[2 * j + 1] * new[2 * j + 1]
            return 0.5 * a + b
        }
        return (old, new, rho, betaPsi)
    }

    /// max_i (max_j - min_j) of the first-order conditions of the step's objective
    /// 1/2 <C, pi> + eps <pi, log pi - 1> + h <psi, rho> + (h/beta) <rho, log rho>, rho = pi^T 1,
    /// under pi 1 = rho_old: d/d pi_ij = C_ij/2 + eps log pi_ij + h psi_j + (h/beta)(log rho_j + 1)
    /// must not depend on j. Evaluated from the plan alone, not from the recursion's formulas.
    static func optimalityGap(_ r: ProximalRecursion.StepResult, _ s: (old: [Double], new: [Double], rho: [Double], betaPsi: [Double]),
                              epsilon: Double, h: Double, beta: Double) -> (gap: Double, rowError: Double) {
        let m = s.rho.count, n = s.betaPsi.count
        var logPi = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                let c = squaredDistance(s.old, i, s.new, j)
                logPi[i * n + j] = r.logY[i] - c / (2 * epsilon) + r.logZ[j]
            }
        }
        let columns = (0..<n).map { j in (0..<m).reduce(0.0) { $0 + exp(logPi[$1 * n + j]) } }
        var gap = 0.0, rowError = 0.0
        for i in 0..<m {
            var lo = Double.infinity, hi = -Double.infinity
            for j in 0..<n {
                let c = squaredDistance(s.old, i, s.new, j)
                let entropy: Double = epsilon * logPi[i * n + j]
                let potential: Double = h * s.betaPsi[j] / beta + h / beta * (log(columns[j]) + 1)
                let d = c / 2 + entropy + potential
                lo = min(lo, d); hi = max(hi, d)
            }
            gap = max(gap, hi - lo)
            let row = (0..<n).reduce(0.0) { $0 + exp(logPi[i * n + $1]) }
            rowError = max(rowError, abs(row - s.rho[i]) / s.rho[i])
        }
        for j in 0..<n { #expect(abs(columns[j] - r.weights[j]) <= 1e-12 * columns[j]) }
        return (gap, rowError)
    }

    static func squaredDistance(_ a: [Double], _ i: Int, _ b: [Double], _ j: Int) -> Double {
        let dx: Double = a[2 * i] - b[2 * j], dy: Double = a[2 * i + 1] - b[2 * j + 1]
        return dx * dx + dy * dy
    }

    @Test(arguments: [(0.05, 1e-3), (0.5, 1e-2)])
    func oneStepSolvesItsVariationalProblem(epsilon: Double, h: Double) throws {
        let s = Self.smallStep()
        let prox = try ProximalRecursion(epsilon: epsilon, step: h, tolerance: 1e-13)
        let r = try prox.update(previous: s.old, current: s.new, dimension: 2, weights: s.rho, betaPsi: s.betaPsi, beta: 1)
        let (gap, rowError) = Self.optimalityGap(r, s, epsilon: epsilon, h: h, beta: 1)
        #expect(gap < 1e-11 && rowError < 1e-11, "gap \(gap), rows \(rowError)")
        // Mass is conserved.
        #expect(relativeMassChange(r.weights, s.rho) <= 1e-13)
    }

    @Test func theFixedPointDoesNotDependOnTheInitialZ() throws {
        let s = Self.smallStep()
        let prox = try ProximalRecursion(tolerance: 1e-13)
        let a = try prox.update(previous: s.old, current: s.new, dimension: 2, weights: s.rho, betaPsi: s.betaPsi, beta: 1)
        let start = (0..<s.betaPsi.count).map { 3 * sin(Double($0)) }
        let b = try prox.update(previous: s.old, current: s.new, dimension: 2, weights: s.rho, betaPsi: s.betaPsi, beta: 1, initialLogZ: start)
        for (p, q) in zip(a.weights, b.weights) { #expect(abs(p - q) <= 1e-10 * p) }
    }

    @Test func theLogDomainCopesWhenTheKernelUnderflows() throws {
        // eps = 1e-3 on a cloud of spread 3: C/(2 eps) reaches ~10^5, far past exp's underflow at 745.
        let s = Self.smallStep(spread: 3)
        let prox = try ProximalRecursion(epsilon: 1e-3, step: 1e-3, tolerance: 1e-12)
        let r = try prox.update(previous: s.old, current: s.new, dimension: 2, weights: s.rho, betaPsi: s.betaPsi, beta: 1)
        #expect(r.weights.allSatisfy { $0.isFinite && $0 >= 0 })
        #expect(relativeMassChange(r.weights, s.rho) <= 1e-12)
        let (gap, rowError) = Self.optimalityGap(r, s, epsilon: 1e-3, h: 1e-3, beta: 1)
        #expect(gap < 1e-10 && rowError < 1e-10, "gap \(gap), rows \(rowError)")
    }

    @Test func ornsteinUhlenbeckMomentsFollowTheExactGaussian() throws {
        // dx = -a x dt + sqrt(2/beta) dW from N(m0, s0^2): m(t) = m0 e^{-at},
        // v(t) = s0^2 e^{-2at} + (1 - e^{-2at})/(a beta). The recursion conserves sum rho, so the
        // weights are pdf values up to a normalisation: with points sampled from p and weights
        // proportional to p, the self-normalised weighted moments are those of p^2/Int p^2 =
        // N(m, v/2). Tolerance: 4 standard errors of the weighted estimates with the effective
        // sample size (sum rho)^2/sum rho^2 (this also absorbs the cloud's own sampling error).
        let a = 1.0, beta = 1.0, count = 200, m0 = 2.0, s0 = 0.5
        let dynamics = try GradientDiffusion.ornsteinUhlenbeck([a], dimension: 1, beta: beta)
        let g = GaussianStream(seed: 7)
        let x0 = (0..<count).map { _ in m0 + s0 * g.next() }
        let rho0 = x0.map { exp(-($0 - m0) * ($0 - m0) / (2 * s0 * s0)) / (2 * Double.pi * s0 * s0).squareRoot() }
        let prox = try ProximalRecursion(epsilon: 0.05, step: 1e-3, tolerance: 1e-3)
        let run = try prox.propagate(dynamics, points: x0, weights: rho0, steps: 400, recordEvery: 100, seed: 3)
        #expect(run.iterations.allSatisfy { $0 >= 1 } && run.residuals.allSatisfy { $0 < 1e-3 })
        for (k, t) in run.times.enumerated() {
            let m = m0 * exp(-a * t), v = s0 * s0 * exp(-2 * a * t) + (1 - exp(-2 * a * t)) / (a * beta)
            let x = run.points[k], w = run.weights[k]
            #expect(relativeMassChange(w, rho0) <= 1e-10)
            let total = w.reduce(0, +), effective = total * total / w.reduce(0) { $0 + $1 * $1 }
            let mean = zip(x, w).reduce(0) { $0 + $1.0 * $1.1 } / total
            let variance = zip(x, w).reduce(0) { $0 + ($1.0 - mean) * ($1.0 - mean) * $1.1 } / total
            #expect(abs(mean - m) < 4 * (v / 2 / effective).squareRoot(), "t \(t): mean \(mean) vs \(m)")
            #expect(abs(2 * variance - v) < 4 * v * (2 / effective).squareRoot(), "t \(t): variance \(2 * variance) vs \(v)")
        }
    }

    @Test func badInputIsRefused() throws {
        #expect(throws: HopfieldError.invalidParameter(name: "eps", reason: "must be > 0, got 0.0")) { try ProximalRecursion(epsilon: 0) }
        let s = Self.smallStep(count: 5)
        let prox = try ProximalRecursion()
        #expect(throws: HopfieldError.self) {
            try prox.update(previous: s.old, current: s.new, dimension: 2, weights: s.rho.map { -$0 }, betaPsi: s.betaPsi, beta: 1)
        }
        #expect(throws: HopfieldError.self) {
            try prox.update(previous: s.old, current: Array(s.new.dropLast()), dimension: 2, weights: s.rho, betaPsi: s.betaPsi, beta: 1)
        }
        #expect(throws: HopfieldError.self) { try GradientDiffusion.ornsteinUhlenbeck([1], dimension: 1, beta: 0) }
    }
}

/// |sum a - sum b| / sum b.
private func relativeMassChange(_ a: [Double], _ b: [Double]) -> Double {
    let total: Double = b.reduce(0, +)
    return abs(a.reduce(0, +) - total) / total
}
