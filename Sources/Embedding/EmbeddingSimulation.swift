import Foundation
import GSLKit
import MeanField

/// An ensemble of random networks carrying an ``InputManifold``: the manifold's points, tangents
/// and second derivatives go through each network exactly (one dgemm per layer for all of them),
/// and each layer's geometry is measured at every sample point and averaged over the points.
///
/// Network n places the manifold with its own random orthonormal frame (from the stream of
/// (seed', n), seed' = SplitMix64.derive(seed, 2^64 - 1)) and draws its weights from the stream
/// of (seed, n), so the result is the same bits for any number of threads.
public struct EmbeddingSimulation: Sendable {
    public var network: RandomNetwork
    public var manifold: InputManifold
    /// The placement length q (q_hat^1 of unit-length points).
    public var length: Double
    public var networks: Int
    public var sampling: WeightSampling

    /// Measured quantities, per layer averaged over the sample points.
    public enum Quantity: Int, CaseIterable, Sendable {
        /// q * (1/k) tr((g^1)^{-1} g^l): the metric relative to the input metric in units of q.
        case gBar
        /// (1/k) tr((g^1)^{-1} g^l) and lambda_max/lambda_min of (g^1)^{-1} g^l.
        case conformalFactor, anisotropy
        case rBar, iiBar, hBar
        /// Curves: N kappa^2, L^G/(2 pi) and L^E/(2 pi sqrt N) (means over uniformly spread points).
        case kappa2Bar, lgOver2pi, leOver2piSqrtN
        /// |h|^2/N.
        case qHat
    }

    public init(network: RandomNetwork, manifold: InputManifold, length: Double, networks: Int,
                sampling: WeightSampling = .automatic) throws(MeanFieldError) {
        guard length.isFinite, length > 0 else { throw .invalidParameter(name: "q", reason: "the placement length must be finite and > 0, got \(length)") }
        if case .kernel = sampling {
            throw .invalidParameter(name: "sampling", reason: "derivative columns need explicit weights: the kernel route draws "
                                    + "nearly dependent columns through a Cholesky factor, which loses their small differences")
        }
        guard networks >= 2 else { throw .invalidParameter(name: "nets", reason: "must be >= 2 for a standard error, got \(networks)") }
        guard network.widths[0] >= manifold.frameDimension else {
            throw .invalidParameter(name: "k", reason: "the manifold spans \(manifold.frameDimension) directions, more than the width \(network.widths[0])")
        }
        if manifold.dimension == 1 && manifold.points < 3 || manifold.points < manifold.dimension + 1 {
            throw .invalidParameter(name: "points", reason: "need at least \(Swift.max(3, manifold.dimension + 1)) sample points for the curvature, got \(manifold.points)")
        }
        self.network = network
        self.manifold = manifold
        self.length = length
        self.networks = networks
        self.sampling = sampling
    }

    /// values[network][layer - 1][quantity].
    public struct Result: Sendable {
        public let networks: Int
        public let depth: Int
        let values: [Double]

        public func samples(_ quantity: Quantity, layer: Int) -> [Double] {
            (0..<networks).map { values[($0 * depth + layer - 1) * Quantity.allCases.count + quantity.rawValue] }
        }

        public func summary(_ quantity: Quantity, layer: Int) -> SampleSummary { SampleSummary(samples(quantity, layer: layer)) }
    }

    public func run(seed: UInt64, threads: Int? = nil, progress: ProgressHandler? = nil) throws(MeanFieldError) -> Result {
        let width = network.widths[0], d = manifold.frameDimension
        let template = try manifold.placed(width: width, length: length, frame: Self.frame(width: width, dimension: d, seed: 0))
        let bytes = Double(network.workspaceBytes(input: template, sampling: sampling))
        let budget = Double(ProcessInfo.processInfo.physicalMemory) / 2
        let workers = Double(Swift.min(threads ?? ProcessInfo.processInfo.activeProcessorCount, networks))
        if bytes * workers > budget {
            throw .invalidParameter(name: "points", reason: "\(manifold.points) points x \(manifold.columnsPerPoint) columns at width \(network.widths.max()!) "
                                    + "need \(bytes / 1_073_741_824) GiB per worker, over half the machine's memory")
        }
        let count = Quantity.allCases.count, depth = network.depth
        let storage = SharedResults<Double>(repeating: 0, count: networks * depth * count)
        let savedThreads = BLAS.threads
        BLAS.threads = 1
        defer { BLAS.threads = savedThreads }
        let simulation = self
        let frameSeed = SplitMix64.derive(base: seed, index: .max)
        parallelTasks(count: networks, threads: threads, progress: progress) { n in
            let frame = Self.frame(width: width, dimension: d, seed: SplitMix64.derive(base: frameSeed, index: UInt64(n)))
            let input = try! simulation.manifold.placed(width: width, length: simulation.length, frame: frame)
            var reference: [[Double]] = []
            simulation.network.forward(network: n, seed: seed, input: input, sampling: simulation.sampling, lengthsOnly: true) { layer, _, h in
                let measured = simulation.measure(h: h, width: simulation.network.widths[layer - 1], reference: &reference)
                for (q, value) in measured.enumerated() { storage[(n * depth + layer - 1) * count + q] = value }
            }
        }
        return Result(networks: networks, depth: depth, values: storage.array)
    }

    /// A random N x D frame with orthonormal columns: Gaussian columns, Gram-Schmidt twice.
    static func frame(width n: Int, dimension d: Int, seed: UInt64) -> [Double] {
        let stream = GaussianStream(seed: seed)
        var columns = (0..<d).map { _ in (0..<n).map { _ in stream.next() } }
        for j in 0..<d {
            for _ in 0..<2 {
                for i in 0..<j {
                    let dot = zip(columns[i], columns[j]).reduce(0) { $0 + $1.0 * $1.1 }
                    for r in 0..<n { columns[j][r] -= dot * columns[i][r] }
                }
            }
            let norm = columns[j].reduce(0) { $0 + $1 * $1 }.squareRoot()
            columns[j] = columns[j].map { $0 / norm }
        }
        return (0..<(n * d)).map { columns[$0 % d][$0 / d] }
    }

    /// The layer's quantities averaged over the sample points; `reference` keeps each point's
    /// layer-1 metric.
    func measure(h: UnsafeBufferPointer<Double>, width: Int, reference: inout [[Double]]) -> [Double] {
        let k = manifold.dimension, m = manifold.columnsPerPoint, batch = manifold.points * m
        var gram = [Double](repeating: 0, count: manifold.points * m * m)
        for i in 0..<width {
            let row = i * batch
            for p in 0..<manifold.points {
                let base = row + p * m, out = p * m * m
                for r in 0..<m {
                    let x = h[base + r]
                    for s in r..<m { gram[out + r * m + s] += x * h[base + s] }
                }
            }
        }
        let n = Double(width)
        var sums = [Double](repeating: 0, count: Quantity.allCases.count)
        let firstLayer = reference.isEmpty
        for p in 0..<manifold.points {
            for r in 0..<m { for s in 0..<r { gram[p * m * m + r * m + s] = gram[p * m * m + s * m + r] } }
            let geometry = gram.withUnsafeBufferPointer { PointGeometry(gram: UnsafeBufferPointer(rebasing: $0[(p * m * m)..<((p + 1) * m * m)]), k: k) }
            if firstLayer { reference.append(geometry.metric) }
            let ratios = relativeEigenvalues(geometry.metric, to: reference[p], size: k)
            let conformal = ratios.reduce(0, +) / Double(k)
            sums[Quantity.gBar.rawValue] += length * conformal
            sums[Quantity.conformalFactor.rawValue] += conformal
            sums[Quantity.anisotropy.rawValue] += ratios.max()! / ratios.min()!
            sums[Quantity.rBar.rawValue] += n * geometry.scalarCurvature
            sums[Quantity.iiBar.rawValue] += n * geometry.secondFundamentalForm
            sums[Quantity.hBar.rawValue] += n * geometry.meanCurvature
            sums[Quantity.qHat.rawValue] += gram[p * m * m] / n
            if k == 1 {
                let g = geometry.metric[0]
                sums[Quantity.kappa2Bar.rawValue] += n * geometry.secondFundamentalForm
                sums[Quantity.lgOver2pi.rawValue] += (geometry.secondFundamentalForm * g).squareRoot()
                sums[Quantity.leOver2piSqrtN.rawValue] += (g / n).squareRoot()
            }
        }
        let isCurve = k == 1
        return sums.enumerated().map { q, sum in
            let quantity = Quantity(rawValue: q)!
            if !isCurve && [.kappa2Bar, .lgOver2pi, .leOver2piSqrtN].contains(quantity) { return .nan }
            return sum / Double(manifold.points)
        }
    }
}
