import Activations
import Foundation
import GSLKit

/// The order-to-chaos boundary of finite networks: the growth of infinitesimal perturbations
/// measured on ensembles over a (sigma_w^2, sigma_b^2) grid, for several widths, beside the
/// mean-field chi_1.
///
/// Each network is fed one input of length q1 and a tangent vector (``NetworkInput``). After
/// `burnIn` layers, which bring q_hat to its finite-width stationary law, every layer l gives
/// the one-layer growth g_l = |J_l v|^2 / |v|^2 = sigma_w^2 (1/N) sum_i phi'(h_i)^2 z_i^2-like.
/// Per point and width: chi1Hat = E[g] (mean over networks of each network's mean over the
/// measured layers; its mean-field limit is chi_1 = sigma_w^2 E[phi'^2] at q*) and the Lyapunov
/// exponent lambda = E[ln g] per layer. At finite N, ln E[g] > E[ln g]: perturbations decay
/// (lambda < 0) a little beyond chi_1 = 1, so the finite-N boundary lambda = 0 sits at larger
/// sigma_w^2 than the mean-field line and approaches it as N grows.
public struct FiniteWidthBoundary: Sendable {
    public var activation: Activation
    public var sigmaW2: GridAxis
    public var sigmaB2: GridAxis
    public var widths: [Int]
    public var networks: Int
    public var depth: Int
    public var burnIn: Int
    public var q1: Double
    public var sampling: WeightSampling

    public struct Point: Sendable, Equatable {
        public var sigmaW2: Double
        public var sigmaB2: Double
        public var width: Int
        public var chi1Hat: Double
        public var chi1Stderr: Double
        public var lyapunov: Double
        public var lyapunovStderr: Double
        /// chi_1 at the mean-field q* reached from q1; nil without a fixed point.
        public var chi1MeanField: Double?
    }

    public init(activation: Activation, sigmaW2: GridAxis, sigmaB2: GridAxis, widths: [Int], networks: Int,
                depth: Int, burnIn: Int, q1: Double = 1, sampling: WeightSampling = .kernel) throws(MeanFieldError) {
        guard !widths.isEmpty, widths.allSatisfy({ $0 >= 1 && $0 <= 1 << 24 }) else {
            throw .invalidParameter(name: "widths", reason: "need one or more widths between 1 and \(1 << 24)")
        }
        guard Set(widths).count == widths.count else {
            throw .invalidParameter(name: "widths", reason: "lists a width twice (\(widths.map(String.init).joined(separator: ","))): each width is one column of results")
        }
        guard networks >= 2 else { throw .invalidParameter(name: "nets", reason: "must be >= 2 for a standard error, got \(networks)") }
        guard networks <= 1_000_000 else {
            throw .invalidParameter(name: "nets", reason: "must be <= 1000000 per point and width (more runs for days; shard the grid instead), got \(networks)")
        }
        guard burnIn >= 0, depth > burnIn + 1, depth <= 100_000 else {
            throw .invalidParameter(name: "depth", reason: "must exceed burn-in + 1 (\(burnIn + 1)) and be <= 100000, got \(depth)")
        }
        guard sigmaW2.lower >= 0, sigmaB2.lower >= 0 else {
            throw .invalidParameter(name: sigmaW2.lower < 0 ? "sigma-w2" : "sigma-b2", reason: "variances must be >= 0")
        }
        guard q1.isFinite, q1 > 0 else { throw .invalidParameter(name: "q1", reason: "must be finite and > 0, got \(q1)") }
        let tasks = Double(sigmaW2.count) * Double(sigmaB2.count) * Double(widths.count)
        guard tasks <= Double(PhaseDiagram.maximumPoints) else {
            throw .invalidParameter(name: "sigma-w2", reason: "the grid times the widths has \(Int(tasks)) tasks, over \(PhaseDiagram.maximumPoints)")
        }
        (self.activation, self.sigmaW2, self.sigmaB2, self.widths) = (activation, sigmaW2, sigmaB2, widths)
        (self.networks, self.depth, self.burnIn, self.q1, self.sampling) = (networks, depth, burnIn, q1, sampling)
    }

    /// Tasks in order sigma_b^2-major, then sigma_w^2, then width.
    public var count: Int { sigmaB2.count * sigmaW2.count * widths.count }

    /// Solves the given tasks (all by default) in parallel, in the order given; task k's networks
    /// use seeds derived from (seed, k), so a task's result is the same bits for any number of
    /// threads and any split of the tasks into shards.
    public func solve(tasks: [Int]? = nil, seed: UInt64, threads: Int? = nil, progress: ProgressHandler? = nil) throws(MeanFieldError) -> [Point] {
        let taskList = tasks ?? Array(0..<count)
        if let bad = taskList.first(where: { $0 < 0 || $0 >= count }) {
            throw .invalidParameter(name: "tasks", reason: "task \(bad) is outside 0..<\(count)")
        }
        let input = try NetworkInput(kernel: [q1, 0, 0, 1], batch: 2, tangentOf: [nil, 0])
        let widest = try RandomNetwork(activation: activation, sigmaW2: 0, sigmaB2: 0, widths: [widths.max()!, widths.max()!])
        let workers = Swift.max(1, Swift.min(threads ?? ProcessInfo.processInfo.activeProcessorCount, taskList.count))
        let bytes = widest.workspaceBytes(input: input, sampling: sampling) * Double(workers)
        if let refusal = MemoryBudget.refusal(bytes: bytes, for: "\(workers) workers' buffers at width \(widths.max()!)") {
            throw .invalidParameter(name: "widths", reason: refusal)
        }
        let results = SharedResults<Point?>(repeating: nil, count: taskList.count)
        let boundary = self
        parallelTasks(count: taskList.count, threads: threads, progress: progress) { k in
            let task = taskList[k]
            results[k] = boundary.point(task: task, seed: SplitMix64.derive(base: seed, index: UInt64(task)), input: input)
        }
        return results.array.map { $0! }
    }

    private func point(task: Int, seed: UInt64, input: NetworkInput) -> Point {
        let width = widths[task % widths.count]
        let w = sigmaW2[(task / widths.count) % sigmaW2.count]
        let b = sigmaB2[task / (widths.count * sigmaW2.count)]
        let network = try! RandomNetwork(activation: activation, sigmaW2: w, sigmaB2: b,
                                         widths: [Int](repeating: width, count: depth))
        var growth: [Double] = [], logGrowth: [Double] = []
        for k in 0..<networks {
            var sum = 0.0, logSum = 0.0
            network.forward(network: k, seed: seed, input: input, sampling: sampling) { layer, gram, _ in
                guard layer > burnIn + 1 else { return }
                sum += gram[3]
                logSum += Foundation.log(gram[3])
            }
            let measured = Double(depth - burnIn - 1)
            growth.append(sum / measured)
            logGrowth.append(logSum / measured)
        }
        let chi1 = SampleSummary(growth), lyapunov = SampleSummary(logGrowth)
        var meanField: Double?
        if let model = try? MeanFieldModel(activation: activation, sigmaW2: w, sigmaB2: b) {
            let integrator = GaussianIntegrator(activation: activation)
            if let qStar = try? model.qStar(from: q1, using: integrator) { meanField = model.chi1(at: qStar, using: integrator) }
        }
        return Point(sigmaW2: w, sigmaB2: b, width: width, chi1Hat: chi1.mean, chi1Stderr: chi1.stderrMean,
                     lyapunov: lyapunov.mean, lyapunovStderr: lyapunov.stderrMean, chi1MeanField: meanField)
    }
}
