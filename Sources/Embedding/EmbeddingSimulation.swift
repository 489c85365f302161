import Foundation
import GSLKit
import MeanField

/// An ensemble of random networks carrying an ``InputManifold``: the manifold's points, tangents
/// and second derivatives go through each network exactly (one dgemm per layer for all of them),
/// and each layer's geometry is measured at every sample point and averaged over the points.
///
/// Network n places the manifold with its own random orthonormal frame (from the stream of
/// (seed', n), seed' = SplitMix64.derive(seed, 2^64 - 1)) or sends it through its own first
/// layer, and draws its weights from the stream of (seed, n), so the result is the same bits for
/// any number of threads.
public struct EmbeddingSimulation: Sendable {
    public var network: RandomNetwork
    public var manifold: InputManifold
    /// The placement length: q^1 of a unit-length point x (its expectation for
    /// ``Placement/throughFirstLayer``).
    public var length: Double
    public var networks: Int
    public var sampling: WeightSampling
    public var placement: Placement
    /// Index offsets s of the sample-point pairs (p, p + s) whose chord distances are measured
    /// (wrapping round on a closed curve).
    public var separations: [Int]

    /// How the manifold enters the network (<doc:Geometry>).
    public enum Placement: Sendable, Equatable {
        /// h^1 = sqrt(N q) U x in a random orthonormal frame U (N x D): the manifold itself, scaled,
        /// in layer-1 pre-activation space.
        case preactivations
        /// h^1 = W^1 (s x) + b^1, W^1_ij ~ N(0, sigma_w^2/D), s^2 = D (q - sigma_b^2)/sigma_w^2, so
        /// that E q^1 = q for unit x: the manifold as a signal in input space (q > sigma_b^2).
        case throughFirstLayer
    }

    /// Measured quantities, per layer averaged over the sample points.
    public enum Quantity: Int, CaseIterable, Sendable {
        /// q * (1/k) tr((g^1)^{-1} g^l): the metric relative to the input metric in units of q.
        case gBar
        /// (1/k) tr((g^1)^{-1} g^l) and lambda_max/lambda_min of (g^1)^{-1} g^l.
        case conformalFactor, anisotropy
        case rBar, iiBar, hBar
        /// Closed curves: N kappa^2 (any curve), L^G/(2 pi) and L^E/(2 pi sqrt N) (means over
        /// uniformly spread points), and the polygon through the sample points,
        /// sum_p |h_{p+1} - h_p| / (2 pi sqrt N), which falls below L^E once the curve folds
        /// between sample points.
        case kappa2Bar, lgOver2pi, leOver2piSqrtN, polygonOver2piSqrtN
        /// |h|^2/N.
        case qHat
        /// r^T g^l r for r = (g^1)^{-1} dq^1 normalised in g^1 (the direction in which q grows,
        /// measured at layer 1), the mean of the other relative eigenvalues (k >= 2), and
        /// radial/tangential - 1; averaged over the points where q is not constant
        /// (|dq^1|^2 > 4e-12 q^1 in g^1), undefined (NaN) where there are none.
        case radialStretch, tangentialStretch, radialDeviation
    }

    public init(network: RandomNetwork, manifold: InputManifold, length: Double, networks: Int,
                sampling: WeightSampling = .automatic, placement: Placement = .preactivations,
                separations: [Int] = []) throws(MeanFieldError) {
        guard length.isFinite, length > 0 else { throw .invalidParameter(name: "q", reason: "the placement length must be finite and > 0, got \(length)") }
        if case .kernel = sampling {
            throw .invalidParameter(name: "sampling", reason: "derivative columns need explicit weights: the kernel route draws "
                                    + "nearly dependent columns through a Cholesky factor, which loses their small differences")
        }
        if case .given(let weights) = sampling {
            let expected = placement == .throughFirstLayer ? [manifold.frameDimension] + network.widths : network.widths
            guard weights.widths == expected else {
                throw .invalidParameter(name: "weights", reason: "the layers' widths \(weights.widths) do not match the network and its placement, \(expected)")
            }
        }
        guard networks >= 2 else { throw .invalidParameter(name: "nets", reason: "must be >= 2 for a standard error, got \(networks)") }
        if placement == .preactivations && network.widths[0] < manifold.frameDimension {
            throw .invalidParameter(name: "k", reason: "the manifold spans \(manifold.frameDimension) directions, more than the width \(network.widths[0])")
        }
        if placement == .throughFirstLayer && !(network.sigmaW2 > 0 && length > network.sigmaB2) {
            throw .invalidParameter(name: "q", reason: "through the first layer the length must exceed sigma_b^2 = \(network.sigmaB2) "
                                    + "and sigma_w^2 must be > 0, got q = \(length), sigma_w^2 = \(network.sigmaW2)")
        }
        if manifold.dimension == 1 && manifold.points < 3 || manifold.points < manifold.dimension + 1 {
            throw .invalidParameter(name: "points", reason: "need at least \(Swift.max(3, manifold.dimension + 1)) sample points for the curvature, got \(manifold.points)")
        }
        for s in separations where s < 1 || s >= manifold.points {
            throw .invalidParameter(name: "separations", reason: "pair offsets must lie in 1..<\(manifold.points) (the sample points), got \(s)")
        }
        self.network = network
        self.manifold = manifold
        self.length = length
        self.networks = networks
        self.sampling = sampling
        self.placement = placement
        self.separations = separations
    }

    /// q^1 = alpha |x|^2 + beta for a point x, g^1 = alpha dx.dx, dq^1 = 2 alpha x.dx.
    var inputScale: (alpha: Double, beta: Double) {
        placement == .preactivations ? (length, 0) : (length - network.sigmaB2, network.sigmaB2)
    }

    /// Network n's input: the manifold in its own frame, or its scaled signals.
    func input(network n: Int, frameSeed: UInt64) throws(MeanFieldError) -> NetworkInput {
        switch placement {
        case .preactivations:
            let width = network.widths[0]
            let frame = Self.frame(width: width, dimension: manifold.frameDimension, seed: SplitMix64.derive(base: frameSeed, index: UInt64(n)))
            return try manifold.placed(width: width, length: length, frame: frame)
        case .throughFirstLayer:
            return try manifold.throughFirstLayer(scale: (Double(manifold.frameDimension) * inputScale.alpha / network.sigmaW2).squareRoot())
        }
    }

    /// values[network][layer - 1][quantity, then chord per separation].
    public struct Result: Sendable {
        public let networks: Int
        public let depth: Int
        public let separations: [Int]
        /// [network][layer][quantity, then chords] (what a shard writes, one row per network).
        public let values: [Double]

        /// Values of one network.
        public var valuesPerNetwork: Int { depth * stride }

        /// Reassembles a result from ``values`` (e.g. merged shards).
        public init(networks: Int, depth: Int, separations: [Int], values: [Double]) throws(MeanFieldError) {
            guard networks >= 0, values.count == networks * depth * (Quantity.allCases.count + separations.count) else {
                throw .invalidParameter(name: "values", reason: "\(values.count) values do not fill \(networks) networks x \(depth) layers")
            }
            (self.networks, self.depth, self.separations, self.values) = (networks, depth, separations, values)
        }

        var stride: Int { Quantity.allCases.count + separations.count }

        public func samples(_ quantity: Quantity, layer: Int) -> [Double] {
            (0..<networks).map { values[($0 * depth + layer - 1) * stride + quantity.rawValue] }
        }

        public func summary(_ quantity: Quantity, layer: Int) -> SampleSummary { SampleSummary(samples(quantity, layer: layer)) }

        /// |h_p - h_{p+s}|^2 / N averaged over p, for separations[index].
        public func chordSummary(_ index: Int, layer: Int) -> SampleSummary {
            SampleSummary((0..<networks).map { values[($0 * depth + layer - 1) * stride + Quantity.allCases.count + index] })
        }
    }

    /// Runs the ensemble, or only the networks `members` (a shard's share, in the order given;
    /// each the same bits as in the whole run).
    public func run(seed: UInt64, threads: Int? = nil, members: [Int]? = nil, progress: ProgressHandler? = nil) throws(MeanFieldError) -> Result {
        let total = self.networks
        if let bad = members?.first(where: { $0 < 0 || $0 >= total }) {
            throw .invalidParameter(name: "members", reason: "network \(bad) is outside 0..<\(total)")
        }
        let networks = members?.count ?? total
        try preflight(networks: networks, threads: threads)
        let frameSeed = SplitMix64.derive(base: seed, index: .max)
        let stride = Quantity.allCases.count + separations.count, depth = network.depth
        let storage = SharedResults<Double>(repeating: 0, count: networks * depth * stride)
        let failures = SharedResults<MeanFieldError?>(repeating: nil, count: networks)
        let simulation = self
        parallelTasks(count: networks, threads: threads, progress: progress) { n in
            let member = members?[n] ?? n
            let input: NetworkInput
            do throws(MeanFieldError) { input = try simulation.input(network: member, frameSeed: frameSeed) } catch {
                failures[n] = error
                return
            }
            var reference: [PointReference] = []
            simulation.network.forward(network: member, seed: seed, input: input, sampling: simulation.sampling, lengthsOnly: true) { layer, _, h in
                let measured = simulation.measure(h: h, width: simulation.network.widths[layer - 1], reference: &reference)
                for (q, value) in measured.enumerated() { storage[(n * depth + layer - 1) * stride + q] = value }
            }
        }
        // A network whose input could not be placed (its error, in network order) fails the run.
        if let failure = failures.array.lazy.compactMap({ $0 }).first { throw failure }
        return try Result(networks: networks, depth: depth, separations: separations, values: storage.array)
    }

    /// Refuses, before anything is allocated, a run whose results or per-worker buffers (the
    /// network's workspace, the placed input N x P m, the frame N x D) exceed ``MemoryBudget``.
    func preflight(networks: Int, threads: Int?) throws(MeanFieldError) {
        let stride = Quantity.allCases.count + separations.count
        let kept = MemoryBudget.bytes(networks, network.depth, stride)
        if let refusal = MemoryBudget.refusal(bytes: kept, for: "\(networks) networks x \(network.depth) layers x \(stride) quantities") {
            throw .invalidParameter(name: "nets", reason: refusal)
        }
        let batch = manifold.points * manifold.columnsPerPoint, width = network.widths[0]
        let signals = placement == .throughFirstLayer ? manifold.frameDimension : nil
        let input = placement == .preactivations ? MemoryBudget.bytes(width, batch) + 2 * MemoryBudget.bytes(width, manifold.frameDimension)
            : MemoryBudget.bytes(manifold.frameDimension, batch)
        let workers = Double(Swift.max(1, Swift.min(threads ?? ProcessInfo.processInfo.activeProcessorCount, networks)))
        let perWorker = network.workspaceBytes(batch: batch, signalDimension: signals, sampling: sampling) + input
        if let refusal = MemoryBudget.refusal(bytes: perWorker * workers + kept,
                                              for: "\(Int(workers)) workers' buffers at width \(network.widths.max()!) with \(manifold.points) points x \(manifold.columnsPerPoint) columns") {
            throw .invalidParameter(name: "width", reason: refusal)
        }
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

    /// A point's layer-1 metric and, where q varies, the unit radial direction r (r^T g^1 r = 1).
    struct PointReference {
        var metric: [Double]
        var radial: [Double]?
    }

    /// The layer's quantities averaged over the sample points, then the chords; `reference`
    /// keeps each point's layer-1 metric and radial direction.
    func measure(h: UnsafeBufferPointer<Double>, width: Int, reference: inout [PointReference]) -> [Double] {
        let k = manifold.dimension, m = manifold.columnsPerPoint, points = manifold.points, batch = points * m
        var gram = [Double](repeating: 0, count: points * m * m)
        for i in 0..<width {
            let row = i * batch
            for p in 0..<points {
                let base = row + p * m, out = p * m * m
                for r in 0..<m {
                    let x = h[base + r]
                    for s in r..<m { gram[out + r * m + s] += x * h[base + s] }
                }
            }
        }
        let n = Double(width)
        var sums = [Double](repeating: 0, count: Quantity.allCases.count)
        var radialPoints = 0
        let firstLayer = reference.isEmpty
        for p in 0..<points {
            let local = p * m * m
            for r in 0..<m { for s in 0..<r { gram[local + r * m + s] = gram[local + s * m + r] } }
            let geometry = gram.withUnsafeBufferPointer { PointGeometry(gram: UnsafeBufferPointer(rebasing: $0[local..<(local + m * m)]), k: k) }
            if firstLayer {
                let gradient = (0..<k).map { 2 * gram[local + 1 + $0] / n }
                reference.append(PointReference(metric: geometry.metric,
                                                radial: radialDirection(metric: geometry.metric, gradient: gradient, q: gram[local] / n)))
            }
            let ratios = relativeEigenvalues(geometry.metric, to: reference[p].metric, size: k)
            let conformal = ratios.reduce(0, +) / Double(k)
            sums[Quantity.gBar.rawValue] += length * conformal
            sums[Quantity.conformalFactor.rawValue] += conformal
            sums[Quantity.anisotropy.rawValue] += ratios.max()! / ratios.min()!
            sums[Quantity.rBar.rawValue] += n * geometry.scalarCurvature
            sums[Quantity.iiBar.rawValue] += n * geometry.secondFundamentalForm
            sums[Quantity.hBar.rawValue] += n * geometry.meanCurvature
            sums[Quantity.qHat.rawValue] += gram[local] / n
            if let r = reference[p].radial {
                var radial = 0.0
                for a in 0..<k { for b in 0..<k { radial += r[a] * geometry.metric[a * k + b] * r[b] } }
                radialPoints += 1
                sums[Quantity.radialStretch.rawValue] += radial
                if k > 1 {
                    let tangential = (Double(k) * conformal - radial) / Double(k - 1)
                    sums[Quantity.tangentialStretch.rawValue] += tangential
                    sums[Quantity.radialDeviation.rawValue] += radial / tangential - 1
                }
            }
            if k == 1 {
                let g = geometry.metric[0]
                sums[Quantity.kappa2Bar.rawValue] += n * geometry.secondFundamentalForm
                sums[Quantity.lgOver2pi.rawValue] += (geometry.secondFundamentalForm * g).squareRoot()
                sums[Quantity.leOver2piSqrtN.rawValue] += (g / n).squareRoot()
            }
        }
        if manifold.isClosedCurve {
            let distances = squaredChords(h: h, width: width, separation: 1)
            sums[Quantity.polygonOver2piSqrtN.rawValue] = distances.reduce(0) { $0 + $1.squareRoot() } / (2 * Double.pi)
        }
        let undefined: Set<Quantity> = Set((k == 1 ? [] : [.kappa2Bar]) + (manifold.isClosedCurve ? [] : [.lgOver2pi, .leOver2piSqrtN, .polygonOver2piSqrtN])
            + (radialPoints == 0 ? [.radialStretch] : []) + (radialPoints == 0 || k == 1 ? [.tangentialStretch, .radialDeviation] : []))
        var out = sums.enumerated().map { q, sum in
            let quantity = Quantity(rawValue: q)!
            if undefined.contains(quantity) { return Double.nan }
            switch quantity {
            case .radialStretch, .tangentialStretch, .radialDeviation: return sum / Double(radialPoints)
            case .polygonOver2piSqrtN: return sum
            default: return sum / Double(points)
            }
        }
        for s in separations {
            let distances = squaredChords(h: h, width: width, separation: s)
            out.append(distances.reduce(0, +) / Double(distances.count))
        }
        return out
    }

    /// |h_p - h_{p+s}|^2 / N for the pairs at offset s (wrapping round on a closed curve).
    func squaredChords(h: UnsafeBufferPointer<Double>, width: Int, separation s: Int) -> [Double] {
        let m = manifold.columnsPerPoint, points = manifold.points, batch = points * m
        let pairs = manifold.isClosedCurve ? points : points - s
        var sums = [Double](repeating: 0, count: pairs)
        for i in 0..<width {
            let row = i * batch
            for p in 0..<pairs {
                let d = h[row + p * m] - h[row + (p + s) % points * m]
                sums[p] += d * d
            }
        }
        return sums.map { $0 / Double(width) }
    }
}

/// The unit radial direction r = (g)^{-1} dq / |dq|_g of a point with metric g, length q and
/// gradient dq of q, or nil where q is (numerically) constant: |dq|^2_g <= 4e-12 q.
func radialDirection(metric: [Double], gradient: [Double], q: Double) -> [Double]? {
    let k = gradient.count
    let inverse = invertSymmetric(metric, size: k)
    let raised = (0..<k).map { a in (0..<k).reduce(0) { $0 + inverse[a * k + $1] * gradient[$1] } }
    let norm2 = zip(raised, gradient).reduce(0) { $0 + $1.0 * $1.1 }
    guard norm2 > 4e-12 * q else { return nil }
    return raised.map { $0 / norm2.squareRoot() }
}
