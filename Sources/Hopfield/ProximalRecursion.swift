import Foundation
import GSLKit

/// PROX-RECUR (Caluya & Halder 2019): the density of a gradient diffusion carried by a weighted
/// point cloud {x_k^i, rho_k^i} (rho = pdf values). Points move by Euler-Maruyama; the weights
/// take one JKO step of F(p) = Int psi p + beta^{-1} Int p log p with entropic regularisation:
///
///     Gamma_ij = exp(-C_ij/(2 eps)), C_ij = |x_{k-1}^i - x_k^j|^2   (rows old, columns new)
///     xi_j = exp(-beta psi(x_k^j) - 1)
///     z <- (xi / (Gamma^T y))^{1/(1 + beta eps/h)},   y <- rho_{k-1} / (Gamma z)
///     rho_k = z * (Gamma^T y)
///
/// until the relative changes of y and z fall below delta. xi is evaluated at the NEW points
/// x_k: rho_k lives there, and the first-order conditions of the step give exactly this z-update
/// (not at the old cloud x_{k-1}, as the method is sometimes written). The step equals unbalanced
/// entropic OT with cost C/2, reg = eps, a hard row marginal rho_{k-1} and a KL(. | e^{-beta psi})
/// column penalty of weight h/beta; mass sum rho is conserved exactly.
///
/// Numerics: the iteration runs on the scaled kernel K_ij = exp(-C_ij/(2 eps) + f_i + g_j) with
/// matrix-vector products (BLAS dgemv); whenever a scaling leaves [e^-40, e^40] it is absorbed into
/// (f, g) and K rebuilt, and an iteration whose sums underflow is done exactly in the log domain
/// (log-sum-exp), so Gamma's underflow (C/(2 eps) > 745) is harmless (Schmitzer 2019).
public struct ProximalRecursion: Sendable {
    public var epsilon: Double
    public var step: Double
    public var tolerance: Double
    public var maxIterations: Int

    public init(epsilon: Double = 0.05, step: Double = 1e-3, tolerance: Double = 1e-3, maxIterations: Int = 10_000) throws(HopfieldError) {
        guard epsilon > 0, epsilon.isFinite else { throw .invalidParameter(name: "eps", reason: "must be > 0, got \(epsilon)") }
        guard step > 0, step.isFinite else { throw .invalidParameter(name: "h", reason: "must be > 0, got \(step)") }
        guard tolerance > 0 else { throw .invalidParameter(name: "delta", reason: "must be > 0, got \(tolerance)") }
        guard maxIterations >= 1 else { throw .invalidParameter(name: "max iterations", reason: "must be >= 1") }
        self.epsilon = epsilon
        self.step = step
        self.tolerance = tolerance
        self.maxIterations = maxIterations
    }

    public struct StepResult: Sendable {
        public let weights: [Double]
        /// The converged scalings: the plan is pi_ij = exp(logY_i - C_ij/(2 eps) + logZ_j).
        public let logY: [Double]
        public let logZ: [Double]
        public let iterations: Int
        /// The last max relative change of y and z.
        public let residual: Double
        /// Kernel rebuilds after absorbing scalings, and iterations done by log-sum-exp.
        public let absorptions: Int
        public let logDomainIterations: Int
    }

    /// One proximal step from the old cloud (`previous`, weights `weights`) to the new points
    /// `current` (each row-major count x d), with beta psi evaluated at the new points.
    public func update(previous: [Double], current: [Double], dimension d: Int, weights: [Double], betaPsi: [Double],
                       beta: Double, initialLogZ: [Double]? = nil) throws(HopfieldError) -> StepResult {
        try update(previous: previous, current: current, dimension: d, weights: weights, betaPsi: betaPsi, beta: beta,
                   initialLogZ: initialLogZ, workspace: Workspace())
    }

    /// The two m x n kernels of a step, kept across the steps of a propagation (fresh pages for
    /// every step cost as much as the arithmetic).
    final class Workspace {
        private(set) var logKernel = UnsafeMutableBufferPointer<Double>(start: nil, count: 0)
        private(set) var kernel = UnsafeMutableBufferPointer<Double>(start: nil, count: 0)

        func prepare(_ count: Int) {
            guard logKernel.count != count else { return }
            logKernel.deallocate(); kernel.deallocate()
            logKernel = .allocate(capacity: count)
            kernel = .allocate(capacity: count)
        }

        deinit { logKernel.deallocate(); kernel.deallocate() }
    }

    func update(previous: [Double], current: [Double], dimension d: Int, weights: [Double], betaPsi: [Double],
                beta: Double, initialLogZ: [Double]?, workspace: Workspace) throws(HopfieldError) -> StepResult {
        let m = weights.count, n = betaPsi.count
        guard m >= 1, previous.count == m * d else { throw .invalidParameter(name: "previous points", reason: "need \(m) x \(d) values") }
        guard current.count == n * d else { throw .invalidParameter(name: "current points", reason: "need \(n) x \(d) values") }
        guard weights.allSatisfy({ $0 >= 0 && $0.isFinite }), weights.contains(where: { $0 > 0 }) else {
            throw .invalidParameter(name: "weights", reason: "must be finite, >= 0 and not all 0")
        }
        guard betaPsi.allSatisfy(\.isFinite) else { throw .invalidParameter(name: "psi", reason: "is not finite at a new point") }
        if let initialLogZ, initialLogZ.count != n || !initialLogZ.allSatisfy(\.isFinite) {
            throw .invalidParameter(name: "initial z", reason: "must have \(n) finite values")
        }
        workspace.prepare(m * n)
        let logKernel = workspace.logKernel, kernel = workspace.kernel
        let exponent = 1 / (1 + beta * epsilon / step), scale = 1 / (2 * epsilon)
        let logRho = weights.map { log($0) }
        let logXi = betaPsi.map { -$0 - 1 }
        var f = [Double](repeating: 0, count: m), g = initialLogZ ?? [Double](repeating: 0, count: n)
        var logY = f, logZ = g
        var yScaled = [Double](repeating: 1, count: m), zScaled = [Double](repeating: 1, count: n)
        previous.withUnsafeBufferPointer { p in
            current.withUnsafeBufferPointer { q in
                VectorMath.scaledSquaredDistances(p, q, m: m, n: n, d: d, scale: scale, into: logKernel)
            }
        }
        func rebuild() { VectorMath.expShifted(UnsafeBufferPointer(logKernel), rowShifts: f, columnShifts: g, into: kernel) }
        rebuild()
        var columnSums = [Double](repeating: 0, count: n), rowSums = [Double](repeating: 0, count: m)
        var column = [Double](repeating: 0, count: n), row = [Double](repeating: 0, count: m)
        var absorptions = 0, logIterations = 0, residual = Double.infinity
        /// log (Gamma^T y)_j into `column`, by dgemv on the scaled kernel, or exactly by log-sum-exp;
        /// false when the fast route under- or overflowed.
        func columnTerms(exact: Bool) -> Bool {
            if !exact {
                BLAS.gemv(transposed: true, rows: m, columns: n, UnsafeBufferPointer(kernel), yScaled, into: &columnSums)
                guard columnSums.allSatisfy({ $0 > 0 && $0.isFinite }) else { return false }
                for j in 0..<n { column[j] = log(columnSums[j]) - g[j] }
                return true
            }
            for j in 0..<n { column[j] = logSumExp(count: m) { logKernel[$0 * n + j] + logY[$0] } }
            return true
        }
        func rowTerms(exact: Bool) -> Bool {
            if !exact {
                BLAS.gemv(transposed: false, rows: m, columns: n, UnsafeBufferPointer(kernel), zScaled, into: &rowSums)
                guard rowSums.allSatisfy({ $0 > 0 && $0.isFinite }) else { return false }
                for i in 0..<m { row[i] = log(rowSums[i]) - f[i] }
                return true
            }
            for i in 0..<m { row[i] = logSumExp(count: n) { logKernel[i * n + $0] + logZ[$0] } }
            return true
        }
        var iterations = 0
        while iterations < maxIterations {
            iterations += 1
            var exact = !columnTerms(exact: false)
            if exact { _ = columnTerms(exact: true) }
            var change = 0.0
            for j in 0..<n {
                let new = (logXi[j] - column[j]) * exponent
                change = max(change, abs(new - logZ[j]))
                logZ[j] = new
                zScaled[j] = exp(new - g[j])
            }
            if exact || !rowTerms(exact: false) {
                exact = true
                _ = rowTerms(exact: true)
            }
            for i in 0..<m {
                let new = logRho[i] - row[i]
                change = max(change, abs(new - logY[i]))
                logY[i] = new
                yScaled[i] = exp(new - f[i])
            }
            if exact { logIterations += 1 }
            guard change.isFinite else { throw .failed("the proximal recursion produced a non-finite scaling at iteration \(iterations)") }
            residual = change
            if change < tolerance { break }
            let far = { (v: Double) in !(v > 0x1p-57 && v < 0x1p57) }
            if exact || yScaled.contains(where: far) || zScaled.contains(where: far) {
                f = logY; g = logZ
                for i in 0..<m { yScaled[i] = 1 }
                for j in 0..<n { zScaled[j] = 1 }
                rebuild()
                absorptions += 1
            }
        }
        guard residual < tolerance else {
            throw .failed("the proximal recursion did not converge in \(maxIterations) iterations (last relative change \(residual))")
        }
        if !columnTerms(exact: false) { _ = columnTerms(exact: true) }
        let newWeights = (0..<n).map { exp(logZ[$0] + column[$0]) }
        return StepResult(weights: newWeights, logY: logY, logZ: logZ, iterations: iterations, residual: residual, absorptions: absorptions,
                          logDomainIterations: logIterations)
    }

    /// A propagation: the cloud and its weights at the recorded steps, and each step's convergence.
    public struct Propagation: Sendable {
        public let times: [Double]
        /// Per record: points (count x d, row-major) and weights.
        public let points: [[Double]]
        public let weights: [[Double]]
        public let iterations: [Int]
        public let residuals: [Double]
        public let seed: UInt64

        /// The mean of `values` (count x width, row-major: e.g. the record's points or their
        /// outputs) over the cloud of record k, plain or weighted by the normalised pdf values.
        public func mean(_ values: [Double], record k: Int, weighted: Bool) -> [Double] {
            let w = weighted ? weights[k] : [Double](repeating: 1, count: weights[k].count)
            let total = w.reduce(0, +), width = values.count / w.count
            return (0..<width).map { i in w.indices.reduce(0.0) { $0 + w[$1] * values[$1 * width + i] } / total }
        }
    }

    /// Propagates the cloud `points` (count x d) with pdf values `weights` for `steps` steps of the
    /// dynamics, recording every `recordEvery` steps. The Euler-Maruyama noise of point i comes from
    /// its own stream (SplitMix64.derive(seed, i)), so the run is reproducible bit for bit.
    public func propagate(_ dynamics: GradientDiffusion, points: [Double], weights: [Double], steps: Int, recordEvery: Int = 1,
                          seed: UInt64, progress: ProgressHandler? = nil) throws(HopfieldError) -> Propagation {
        let d = dynamics.dimension, count = weights.count
        guard points.count == count * d else { throw .invalidParameter(name: "points", reason: "need \(count) x \(d) values, got \(points.count)") }
        guard steps >= 0, recordEvery >= 1 else { throw .invalidParameter(name: "steps", reason: "steps >= 0 and record every >= 1") }
        let streams = (0..<count).map { GaussianStream(seed: SplitMix64.derive(base: seed, index: UInt64($0))) }
        let noise = (2 * step / dynamics.beta).squareRoot()
        var x = points, rho = weights
        var times = [0.0], recordedPoints = [x], recordedWeights = [rho]
        var iterations: [Int] = [], residuals: [Double] = []
        var gradient = [Double](repeating: 0, count: d)
        let workspace = Workspace()
        for k in 0..<steps {
            var next = x
            for i in 0..<count {
                x.withUnsafeBufferPointer { x in
                    gradient.withUnsafeMutableBufferPointer { dynamics.gradient(UnsafeBufferPointer(rebasing: x[i * d ..< (i + 1) * d]), $0) }
                }
                for c in 0..<d {
                    var value = x[i * d + c] - step * gradient[c] + noise * streams[i].next()
                    if let box = dynamics.box { value = DiffusionMachine.reflect(value, box[c].lower, box[c].upper) }
                    next[i * d + c] = value
                }
            }
            let betaPsi = next.withUnsafeBufferPointer { p in
                (0..<count).map { dynamics.beta * dynamics.potential(UnsafeBufferPointer(rebasing: p[$0 * d ..< ($0 + 1) * d])) }
            }
            let result = try update(previous: x, current: next, dimension: d, weights: rho, betaPsi: betaPsi, beta: dynamics.beta,
                                    initialLogZ: nil, workspace: workspace)
            x = next
            rho = result.weights
            iterations.append(result.iterations)
            residuals.append(result.residual)
            if (k + 1) % recordEvery == 0 {
                times.append(Double(k + 1) * step)
                recordedPoints.append(x)
                recordedWeights.append(rho)
            }
            progress?(k + 1, steps)
        }
        return Propagation(times: times, points: recordedPoints, weights: recordedWeights, iterations: iterations,
                           residuals: residuals, seed: seed)
    }
}

/// log sum_k exp(a(k)) for k in 0..<count, shifted by the maximum.
@inline(__always)
func logSumExp(count: Int, _ a: (Int) -> Double) -> Double {
    var top = -Double.infinity
    for k in 0..<count { top = max(top, a(k)) }
    guard top.isFinite else { return top }
    var s = 0.0
    for k in 0..<count { s += exp(a(k) - top) }
    return top + log(s)
}
