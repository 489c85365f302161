import Foundation
import GSLKit

/// Wong's diffusion machine: the stochastic Hopfield network
/// C_i du_i = -dE/dx_i dt + sqrt(2 T C_i / sigma'(u_i)) dW_i, whose density obeys
/// dp/dt = div(G^{-1}(p grad E + T grad p)) with stationary density exp(-E/T)/Z on the output box.
///
/// Simulated in the flat chart theta_i = sqrt(C_i) Theta(x_i) (<doc:StochasticNetwork>), where the
/// noise is additive: d theta = -grad_theta psi_theta dt + sqrt(2T) dW,
/// psi_theta = E - (T/2) sum log a_i, a_i = sigma'(u_i)/C_i, i.e. per unit
///
///     drift_i = -sqrt(a_i) dE/dx_i + (T/2) r(x_i) / sqrt(C_i sigma'(u_i)),   r = sigma''/sigma',
///
/// by Euler-Maruyama with reflection at the faces of the chart's box (Euler-Maruyama in u blows
/// up where sigma' vanishes). Particles are independent; they run in blocks of 64, block b drawing
/// its normals from the stream seeded by SplitMix64.derive(seed, b), so the result does not depend
/// on the number of threads.
public struct DiffusionMachine: Sendable {
    public let model: HopfieldModel
    public var schedule: AnnealingSchedule
    public var timeStep: Double

    public static let blockSize = 64

    public init(model: HopfieldModel, schedule: AnnealingSchedule, timeStep: Double = 1e-3) throws(HopfieldError) {
        try model.requireSymmetric()
        guard model.activation.isBounded else {
            throw .invalidParameter(name: "activation", reason: "the diffusion machine runs on a bounded output box (logistic, tanh, atan), got \(model.activation.kind.rawValue)")
        }
        try schedule.validate()
        guard timeStep > 0, timeStep.isFinite else { throw .invalidParameter(name: "time step", reason: "must be > 0, got \(timeStep)") }
        self.model = model
        self.schedule = schedule
        self.timeStep = timeStep
    }

    /// Ensemble statistics at the recorded times.
    public struct Run: Sendable {
        public let times: [Double]
        public let particles: Int
        /// Row-major (times x n): mean output and its standard error over particles.
        public let meanX: [Double]
        public let stderrX: [Double]
        public let meanEnergy: [Double]
        public let stderrEnergy: [Double]
        /// The outputs of every particle at the last time (particles x n).
        public let finalX: [Double]
        /// With `keepParticles`: the outputs of every particle at every recorded time (times x particles x n).
        public let recordedX: [Double]?
        public let seed: UInt64
    }

    /// Runs `particles` particles for `steps` steps, recording every `recordEvery` steps (and at
    /// the start). Particles start at x0, or with `spread` > 0 at theta(x0) + spread N(0, 1) in the
    /// flat chart (reflected into the box), drawn from their block's stream.
    public func run(x0: [Double], spread: Double = 0, particles: Int, steps: Int, recordEvery: Int, seed: UInt64, threads: Int? = nil,
                    keepParticles: Bool = false, progress: ProgressHandler? = nil) throws(HopfieldError) -> Run {
        guard spread >= 0, spread.isFinite else { throw .invalidParameter(name: "spread", reason: "must be >= 0, got \(spread)") }
        try model.requireOutputs(x0, "x0")
        guard particles >= 1 else { throw .invalidParameter(name: "particles", reason: "must be >= 1, got \(particles)") }
        guard steps >= 0 else { throw .invalidParameter(name: "steps", reason: "must be >= 0, got \(steps)") }
        guard recordEvery >= 1 else { throw .invalidParameter(name: "record every", reason: "must be >= 1, got \(recordEvery)") }
        let n = model.n
        let records = steps / recordEvery + 1
        let blocks = (particles + Self.blockSize - 1) / Self.blockSize
        // Per block and record, Welford's running mean and sum of squared deviations M2 of
        // x_1..x_n and E (width 2(n + 1)): one pass without the cancellation of sum x^2 - n mean^2,
        // which lost every digit of the standard error once the spread fell below ~1e-8 of the mean.
        let width = 2 * n + 2
        let sums = SharedResults(repeating: 0.0, count: blocks * records * width)
        let finalX = SharedResults(repeating: 0.0, count: particles * n)
        let recorded = SharedResults(repeating: 0.0, count: keepParticles ? records * particles * n : 0)
        let theta0 = try model.chart(x0)
        let box = (0..<n).map { i in
            (model.capacitances[i].squareRoot() * model.activation.chart(model.activation.range.lower),
             model.capacitances[i].squareRoot() * model.activation.chart(model.activation.range.upper))
        }
        let machine = self
        parallelTasks(count: blocks, threads: threads, progress: progress) { block in
            let first = block * Self.blockSize, count = min(Self.blockSize, particles - first)
            let stream = GaussianStream(seed: SplitMix64.derive(base: seed, index: UInt64(block)))
            let theta = UnsafeMutableBufferPointer<Double>.allocate(capacity: count * n)
            let x = UnsafeMutableBufferPointer<Double>.allocate(capacity: n), drift = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
            let normals = UnsafeMutableBufferPointer<Double>.allocate(capacity: count * n)
            defer { theta.deallocate(); x.deallocate(); drift.deallocate(); normals.deallocate() }
            for p in 0..<count {
                for i in 0..<n { theta[p * n + i] = Self.reflect(theta0[i] + (spread > 0 ? spread * stream.next() : 0), box[i].0, box[i].1) }
            }
            func record(_ r: Int) {
                let base = (block * records + r) * width
                var local = [Double](repeating: 0, count: width)
                func add(_ value: Double, _ k: Int, _ seen: Double) {
                    let delta = value - local[k]
                    local[k] += delta / seen
                    local[n + 1 + k] += delta * (value - local[k])
                }
                for p in 0..<count {
                    machine.outputs(theta: UnsafeBufferPointer(rebasing: theta[p * n ..< (p + 1) * n]), into: x)
                    let e = machine.model.unsafeEnergy(UnsafeBufferPointer(x))
                    if keepParticles { for i in 0..<n { recorded[(r * particles + first + p) * n + i] = x[i] } }
                    for i in 0..<n { add(x[i], i, Double(p + 1)) }
                    add(e, n, Double(p + 1))
                }
                for k in 0..<width { sums[base + k] = local[k] }
            }
            record(0)
            let h = machine.timeStep
            for step in 0..<steps {
                let temperature = machine.schedule.temperature(at: Double(step) * h)
                let noise = (2 * temperature * h).squareRoot()
                stream.fill(normals)
                for p in 0..<count {
                    let particle = UnsafeMutableBufferPointer(rebasing: theta[p * n ..< (p + 1) * n])
                    machine.drift(theta: UnsafeBufferPointer(particle), temperature: temperature, x: x, into: drift)
                    for i in 0..<n {
                        particle[i] = Self.reflect(particle[i] + h * drift[i] + noise * normals[p * n + i], box[i].0, box[i].1)
                    }
                }
                if (step + 1) % recordEvery == 0 { record((step + 1) / recordEvery) }
            }
            for p in 0..<count {
                machine.outputs(theta: UnsafeBufferPointer(rebasing: theta[p * n ..< (p + 1) * n]), into: x)
                for i in 0..<n { finalX[(first + p) * n + i] = x[i] }
            }
        }
        var meanX = [Double](repeating: 0, count: records * n), stderrX = meanX
        var meanEnergy = [Double](repeating: 0, count: records), stderrEnergy = meanEnergy
        let count = Double(particles)
        for r in 0..<records {
            // The blocks' (mean, M2) merged in block order (Chan, Golub & LeVeque 1979):
            // delta = mean_b - mean, mean += delta n_b/(n + n_b), M2 += M2_b + delta^2 n n_b/(n + n_b).
            var total = [Double](repeating: 0, count: width), seen = 0.0
            for b in 0..<blocks {
                let size = Double(min(Self.blockSize, particles - b * Self.blockSize)), merged = seen + size
                for k in 0...n {
                    let delta = sums[(b * records + r) * width + k] - total[k]
                    total[k] += delta * size / merged
                    total[n + 1 + k] += sums[(b * records + r) * width + n + 1 + k] + delta * delta * seen * size / merged
                }
                seen = merged
            }
            // s/sqrt(n) with s^2 = M2/(n - 1).
            func standardError(_ k: Int) -> Double { (total[n + 1 + k] / max(1, count - 1) / count).squareRoot() }
            for i in 0..<n {
                meanX[r * n + i] = total[i]
                stderrX[r * n + i] = standardError(i)
            }
            meanEnergy[r] = total[n]
            stderrEnergy[r] = standardError(n)
        }
        return Run(times: (0..<records).map { Double($0 * recordEvery) * timeStep }, particles: particles, meanX: meanX,
                   stderrX: stderrX, meanEnergy: meanEnergy, stderrEnergy: stderrEnergy, finalX: finalX.array,
                   recordedX: keepParticles ? recorded.array : nil, seed: seed)
    }

    /// x from the flat chart, one particle.
    @inline(__always)
    func outputs(theta: UnsafeBufferPointer<Double>, into x: UnsafeMutableBufferPointer<Double>) {
        for i in 0..<model.n { x[i] = model.activation.chartInverse(theta[i] / model.capacitances[i].squareRoot()) }
    }

    /// -grad_theta psi_theta at theta (one particle); `x` is scratch for the outputs.
    @inline(__always)
    func drift(theta: UnsafeBufferPointer<Double>, temperature: Double, x: UnsafeMutableBufferPointer<Double>,
               into drift: UnsafeMutableBufferPointer<Double>) {
        let n = model.n
        outputs(theta: theta, into: x)
        model.field(UnsafeBufferPointer(x), into: drift)
        for i in 0..<n {
            let slope = model.activation.slope(output: x[i]), c = model.capacitances[i]
            let gradient = model.activation.inverse(x[i]) / model.tau - drift[i]
            drift[i] = -(slope / c).squareRoot() * gradient
                + 0.5 * temperature * model.activation.curvatureRatio(output: x[i]) / (c * slope).squareRoot()
        }
    }

    /// Folds theta into [lo, hi] by mirror reflection at the faces, then keeps it 1e-7 of the
    /// width inside (where the chart's x, u and sigma' are still finite). An infinite chart (atan:
    /// the boundary is infinitely far in G) needs no reflection.
    @inline(__always)
    static func reflect(_ theta: Double, _ lo: Double, _ hi: Double) -> Double {
        guard lo.isFinite, hi.isFinite else { return theta }
        let width = hi - lo
        var y = (theta - lo).truncatingRemainder(dividingBy: 2 * width)
        if y < 0 { y += 2 * width }
        if y > width { y = 2 * width - y }
        let margin = 1e-7 * width
        return lo + min(max(y, margin), width - margin)
    }
}
