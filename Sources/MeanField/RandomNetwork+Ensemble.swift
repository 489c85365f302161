import Foundation
import GSLKit

/// The Gram matrices q_hat^l_ab = h^l_a . h^l_b / N_l of every network of an ensemble, every
/// layer and every pair a <= b of the batch (or only the lengths q_hat^l_aa).
public struct EnsembleGrams: Sendable {
    public let trials: Int
    public let depth: Int
    public let batch: Int
    public let seed: UInt64
    /// Only q_hat_aa was kept.
    public let lengthsOnly: Bool
    /// [trial][layer][pair], pairs (a, b) with a <= b in row order, or a alone.
    let storage: [Double]

    /// Every stored entry, [trial][layer][pair] (what a shard writes, one row per trial).
    public var values: [Double] { storage }

    /// Values of one trial: depth x pairs.
    public var valuesPerTrial: Int { depth * Self.pairs(batch: batch, lengthsOnly: lengthsOnly) }

    init(trials: Int, depth: Int, batch: Int, seed: UInt64, lengthsOnly: Bool, storage: [Double]) {
        (self.trials, self.depth, self.batch, self.seed, self.lengthsOnly, self.storage) = (trials, depth, batch, seed, lengthsOnly, storage)
    }

    /// Reassembles an ensemble from ``values`` (e.g. merged shards).
    public init(trials: Int, depth: Int, batch: Int, seed: UInt64, lengthsOnly: Bool, values: [Double]) throws(MeanFieldError) {
        guard trials >= 1, depth >= 1, batch >= 1, values.count == trials * depth * Self.pairs(batch: batch, lengthsOnly: lengthsOnly) else {
            throw .invalidParameter(name: "values", reason: "\(values.count) values do not fill \(trials) trials x \(depth) layers")
        }
        self.init(trials: trials, depth: depth, batch: batch, seed: seed, lengthsOnly: lengthsOnly, storage: values)
    }

    static func pairs(batch: Int, lengthsOnly: Bool) -> Int { lengthsOnly ? batch : batch * (batch + 1) / 2 }

    @inline(__always)
    static func pairIndex(_ a: Int, _ b: Int, batch: Int, lengthsOnly: Bool) -> Int {
        if lengthsOnly { return a }
        let (i, j) = a <= b ? (a, b) : (b, a)
        return i * batch - i * (i - 1) / 2 + (j - i)
    }

    /// q_hat^layer_ab of one network (layer 1-based). With ``lengthsOnly``, a must equal b.
    public func gram(trial: Int, layer: Int, _ a: Int, _ b: Int) -> Double {
        precondition(!lengthsOnly || a == b, "only the lengths were kept")
        return storage[(trial * depth + layer - 1) * Self.pairs(batch: batch, lengthsOnly: lengthsOnly)
                       + Self.pairIndex(a, b, batch: batch, lengthsOnly: lengthsOnly)]
    }

    /// q_hat^layer_aa over the trials.
    public func lengths(layer: Int, input a: Int) -> [Double] {
        (0..<trials).map { gram(trial: $0, layer: layer, a, a) }
    }

    /// c_hat^layer_ab = q_hat_ab / sqrt(q_hat_aa q_hat_bb) over the trials (nan where a length is 0).
    public func correlations(layer: Int, _ a: Int, _ b: Int) -> [Double] {
        (0..<trials).map { t in
            gram(trial: t, layer: layer, a, b) / (gram(trial: t, layer: layer, a, a) * gram(trial: t, layer: layer, b, b)).squareRoot()
        }
    }
}

extension RandomNetwork {
    /// Runs `trials` independent networks on `input` and keeps every layer's Gram matrix.
    ///
    /// Networks run in parallel on `threads` workers (default: all cores) with OpenBLAS pinned
    /// to one thread; network t always draws from the stream of (seed, t), so the result is the
    /// same bits for any number of threads. Refuses runs whose buffers would not fit in half
    /// of the machine's memory, naming the parameter that makes them large.
    /// With `lengthsOnly`, keeps q_hat_aa alone (O(N B) per layer instead of O(N B^2) for the Gram).
    /// `members` picks which of the networks 0..<trials to run (a shard's share), kept in the
    /// order given; each is the same bits as in the whole ensemble.
    public func simulate(input: NetworkInput, trials: Int, seed: UInt64, sampling: WeightSampling = .automatic,
                         lengthsOnly: Bool = false, threads: Int? = nil, members: [Int]? = nil,
                         progress: ProgressHandler? = nil) throws(MeanFieldError) -> EnsembleGrams {
        guard trials >= 1 else { throw .invalidParameter(name: "trials", reason: "must be >= 1, got \(trials)") }
        guard trials <= 10_000_000 else {
            throw .invalidParameter(name: "trials", reason: "must be <= 10000000 in one run (shard larger ensembles), got \(trials)")
        }
        if let bad = members?.first(where: { $0 < 0 || $0 >= trials }) {
            throw .invalidParameter(name: "members", reason: "network \(bad) is outside 0..<\(trials)")
        }
        let trials = members?.count ?? trials
        if case .preactivations(let values) = input.source, values.count != widths[0] * input.batch {
            throw .invalidParameter(name: "preactivations", reason: "must be N_1 x B = \(widths[0]) x \(input.batch) values, got \(values.count)")
        }
        if case .streamed(let rows?) = sampling, rows < 64 || rows % 64 != 0 {
            throw .invalidParameter(name: "rows-per-block", reason: "must be a positive multiple of 64, got \(rows)")
        }
        let workers = Swift.max(1, Swift.min(threads ?? ProcessInfo.processInfo.activeProcessorCount, trials))
        let pairs = EnsembleGrams.pairs(batch: input.batch, lengthsOnly: lengthsOnly)
        let kept = MemoryBudget.bytes(trials, depth, pairs)
        if let refusal = MemoryBudget.refusal(bytes: kept, for: "\(trials) networks x \(depth) layers x \(pairs) Gram entries") {
            throw .invalidParameter(name: "trials", reason: refusal)
        }
        let workspace = workspaceBytes(input: input, sampling: sampling)
        if let refusal = MemoryBudget.refusal(bytes: workspace * Double(workers) + kept,
                                              for: "\(workers) workers' buffers at width \(widths.max()!) with a batch of \(input.batch)") {
            throw .invalidParameter(name: "width", reason: refusal)
        }
        let results = trials * depth * pairs
        let storage = SharedResults<Double>(repeating: 0, count: results)
        let network = self
        parallelTasks(count: trials, threads: workers, progress: progress) { trial in
            network.forward(network: members?[trial] ?? trial, seed: seed, input: input, sampling: sampling, lengthsOnly: lengthsOnly) { layer, gram, _ in
                let base = (trial * network.depth + layer - 1) * pairs
                var k = 0
                for a in 0..<input.batch {
                    for b in a..<(lengthsOnly ? a + 1 : input.batch) {
                        storage[base + k] = gram[a * input.batch + b]
                        k += 1
                    }
                }
            }
        }
        return EnsembleGrams(trials: trials, depth: depth, batch: input.batch, seed: seed, lengthsOnly: lengthsOnly,
                             storage: storage.array)
    }
}
