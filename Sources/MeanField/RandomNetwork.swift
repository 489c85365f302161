import Activations
import Foundation

/// A random fully connected network of finite widths, in the conventions of <doc:Conventions>:
/// h^l = W^l phi(h^{l-1}) + b^l for l = 2...L, W^l_ij ~ N(0, sigma_w^2 / N_{l-1}),
/// b^l_i ~ N(0, sigma_b^2) (variances, not standard deviations), with the layer-1
/// preactivations h^1 set by a ``NetworkInput``. Every network of an ensemble draws fresh
/// weights from its own stream; see ``simulate(input:trials:seed:sampling:threads:progress:)``.
public struct RandomNetwork: Sendable, Equatable {
    public let activation: Activation
    public let sigmaW2: Double
    public let sigmaB2: Double
    /// N_1...N_L.
    public let widths: [Int]

    public var depth: Int { widths.count }

    /// Widths above this are refused (a layer of one input would already hold 2^28 doubles).
    public static let maximumWidth = 1 << 28

    public init(activation: Activation, sigmaW2: Double, sigmaB2: Double, widths: [Int]) throws(MeanFieldError) {
        try requireFinite(sigmaW2, "sigma-w2")
        try requireFinite(sigmaB2, "sigma-b2")
        guard !widths.isEmpty, widths.count <= 100_000 else {
            throw .invalidParameter(name: "depth", reason: "must be between 1 and 100000, got \(widths.count)")
        }
        for width in widths where width < 1 || width > Self.maximumWidth {
            throw .invalidParameter(name: "width", reason: "must be between 1 and \(Self.maximumWidth), got \(width)")
        }
        self.activation = activation
        self.sigmaW2 = sigmaW2
        self.sigmaB2 = sigmaB2
        self.widths = widths
    }

    /// A network of `depth` layers of one width.
    public init(model: MeanFieldModel, width: Int, depth: Int) throws(MeanFieldError) {
        guard depth >= 1, depth <= 100_000 else {
            throw .invalidParameter(name: "depth", reason: "must be between 1 and 100000, got \(depth)")
        }
        try self.init(activation: model.activation, sigmaW2: model.sigmaW2, sigmaB2: model.sigmaB2,
                      widths: [Int](repeating: width, count: depth))
    }
}

/// What a network is fed: a batch of B columns whose layer-1 preactivations h^1 (N_1 x B) are
/// drawn either from their exact law given the input kernel, or by a first weight layer applied
/// to explicit signals. Each column has a ``ColumnRole``: states are carried through phi,
/// derivative columns through the linearised layers (no bias), so that a manifold's tangents and
/// second derivatives are propagated exactly alongside its points, by the same dgemm.
public struct NetworkInput: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        /// Rows of h^1 i.i.d. N(0, K), K the B x B kernel (row-major), i.e. W^1 x + b^1 for any
        /// signals with sigma_w^2 x_a . x_b / N_0 + sigma_b^2 = K_ab.
        case kernel([Double])
        /// h^1 = W^1 x + b^1 for the signals x (N_0 x B row-major: column a is input a),
        /// W^1_ij ~ N(0, sigma_w^2 / N_0).
        case signals([Double], dimension: Int)
        /// h^1 given (N_1 x B row-major): the input manifold placed in layer-1 pre-activation
        /// space, layer 1 draws nothing.
        case preactivations([Double])
    }

    /// How a column is carried from layer l to l + 1 (the same W^{l+1} multiplies every column).
    public enum ColumnRole: Sendable, Equatable {
        /// h' = W phi(h) + b.
        case state
        /// The derivative v of state s along a direction: v' = W (phi'(h_s) * v).
        case tangent(of: Int)
        /// The second derivative a along tangents t1, t2 of state s:
        /// a' = W (phi'(h_s) * a + phi''(h_s) * v_t1 * v_t2).
        case secondDerivative(of: Int, _ first: Int, _ second: Int)
    }

    public let source: Source
    public let batch: Int
    public let roles: [ColumnRole]
    /// Rescale tangent columns to q_hat = 1 after each layer (growth rates of perturbations).
    public let renormalizesTangents: Bool

    /// N_0 when the source is signals sent through a first layer of weights.
    public var signalDimension: Int? {
        if case .signals(_, let dimension) = source { return dimension }
        return nil
    }

    /// For each column: nil for a state, the state's column for a tangent (renormalised).
    public init(kernel: [Double], batch: Int, tangentOf: [Int?]? = nil) throws(MeanFieldError) {
        try self.init(kernel: kernel, batch: batch, roles: Self.roles(tangentOf, batch: batch), renormalizingTangents: true)
    }

    public init(kernel: [Double], batch: Int, roles: [ColumnRole], renormalizingTangents: Bool) throws(MeanFieldError) {
        guard batch >= 1, batch <= 1 << 16 else { throw .invalidParameter(name: "batch", reason: "must be between 1 and 65536, got \(batch)") }
        guard kernel.count == batch * batch else {
            throw .invalidParameter(name: "kernel", reason: "needs \(batch) x \(batch) entries, got \(kernel.count)")
        }
        for i in 0..<batch {
            guard kernel[i * batch + i].isFinite, kernel[i * batch + i] >= 0 else {
                throw .invalidParameter(name: "kernel", reason: "diagonal entry \(i) must be a finite variance >= 0")
            }
            for j in 0..<i where !kernel[i * batch + j].isFinite || kernel[i * batch + j] != kernel[j * batch + i] {
                throw .invalidParameter(name: "kernel", reason: "must be finite and symmetric (entries \(i),\(j))")
            }
        }
        let diagonal = (0..<batch).allSatisfy { i in (0..<batch).allSatisfy { j in i == j || kernel[i * batch + j] == 0 } }
        guard diagonal || choleskyFactor(kernel, size: batch) != nil else {
            throw .invalidParameter(name: "kernel", reason: "is not positive semidefinite (|c| > 1?)")
        }
        try self.init(source: .kernel(kernel), batch: batch, roles: roles, renormalizing: renormalizingTangents)
    }

    public init(signals: [Double], dimension: Int, batch: Int, tangentOf: [Int?]? = nil) throws(MeanFieldError) {
        try self.init(signals: signals, dimension: dimension, batch: batch, roles: Self.roles(tangentOf, batch: batch),
                      renormalizingTangents: true)
    }

    public init(signals: [Double], dimension: Int, batch: Int, roles: [ColumnRole], renormalizingTangents: Bool) throws(MeanFieldError) {
        guard batch >= 1, batch <= 1 << 16 else { throw .invalidParameter(name: "batch", reason: "must be between 1 and 65536, got \(batch)") }
        guard dimension >= 1, signals.count == dimension * batch else {
            throw .invalidParameter(name: "signals", reason: "need dimension x batch = \(dimension) x \(batch) entries, got \(signals.count)")
        }
        guard signals.allSatisfy(\.isFinite) else { throw .invalidParameter(name: "signals", reason: "must be finite") }
        try self.init(source: .signals(signals, dimension: dimension), batch: batch, roles: roles, renormalizing: renormalizingTangents)
    }

    /// h^1 given directly: `preactivations` is N_1 x B row-major (N_1 must be the first width).
    public init(preactivations: [Double], batch: Int, roles: [ColumnRole], renormalizingTangents: Bool = false) throws(MeanFieldError) {
        guard batch >= 1, batch <= 1 << 16, preactivations.count % batch == 0 else {
            throw .invalidParameter(name: "batch", reason: "must be between 1 and 65536 and divide the \(preactivations.count) values")
        }
        guard preactivations.allSatisfy(\.isFinite) else { throw .invalidParameter(name: "preactivations", reason: "must be finite") }
        try self.init(source: .preactivations(preactivations), batch: batch, roles: roles, renormalizing: renormalizingTangents)
    }

    private init(source: Source, batch: Int, roles: [ColumnRole], renormalizing: Bool) throws(MeanFieldError) {
        guard roles.count == batch else {
            throw .invalidParameter(name: "roles", reason: "need one role per column (\(batch)), got \(roles.count)")
        }
        func isState(_ c: Int) -> Bool { c >= 0 && c < batch && roles[c] == .state }
        func isTangent(_ c: Int, of s: Int) -> Bool { c >= 0 && c < batch && roles[c] == .tangent(of: s) }
        for role in roles {
            switch role {
            case .state: continue
            case .tangent(let s) where isState(s): continue
            case .secondDerivative(let s, let a, let b) where isState(s) && isTangent(a, of: s) && isTangent(b, of: s): continue
            default: throw .invalidParameter(name: "roles", reason: "\(role) must refer to a state column and its tangents")
            }
        }
        self.source = source
        self.batch = batch
        self.roles = roles
        self.renormalizesTangents = renormalizing
    }

    private static func roles(_ tangentOf: [Int?]?, batch: Int) -> [ColumnRole] {
        (tangentOf ?? [Int?](repeating: nil, count: batch)).map { $0.map { .tangent(of: $0) } ?? .state }
    }

    /// Two inputs with lengths q11, q22 and correlation c at layer 1.
    public static func pair(q11: Double, q22: Double, c: Double) throws(MeanFieldError) -> NetworkInput {
        guard q11.isFinite, q22.isFinite, q11 > 0, q22 > 0 else {
            throw .invalidParameter(name: "q1", reason: "the layer-1 lengths must be finite and > 0, got \(q11), \(q22)")
        }
        guard c.isFinite, Swift.abs(c) <= 1 else { throw .invalidParameter(name: "c1", reason: "a correlation must lie in [-1, 1], got \(c)") }
        let ab = c * (q11 * q22).squareRoot()
        return try NetworkInput(kernel: [q11, ab, ab, q22], batch: 2)
    }

    /// B mutually uncorrelated inputs of length q1 at layer 1.
    public static func orthogonal(q1: Double, batch: Int) throws(MeanFieldError) -> NetworkInput {
        guard q1.isFinite, q1 > 0 else { throw .invalidParameter(name: "q1", reason: "the layer-1 length must be finite and > 0, got \(q1)") }
        guard batch >= 1, batch <= 4096 else { throw .invalidParameter(name: "batch", reason: "must be between 1 and 4096, got \(batch)") }
        var kernel = [Double](repeating: 0, count: batch * batch)
        for a in 0..<batch { kernel[a * batch + a] = q1 }
        return try NetworkInput(kernel: kernel, batch: batch)
    }
}

/// Where a layer's weights come from. Same seed, same bits for ``streamed(rowsPerBlock:)`` and
/// ``full``; ``kernel`` samples the same law by another route; ``given(_:)`` draws nothing.
public enum WeightSampling: Sendable, Equatable {
    /// W^l generated and multiplied (dgemm) in blocks of rows, never held whole: memory
    /// O(N x B + block). Blocks are multiples of 64 rows (default: about 2 MiB and at least B
    /// rows, to amortise the packing of the layer input), so that OpenBLAS
    /// reduces every output row in the same order as for the whole matrix.
    case streamed(rowsPerBlock: Int? = nil)
    /// W^l generated whole, then one dgemm: the reference for ``streamed(rowsPerBlock:)``.
    case full
    /// No weights: given layer l, the rows of h^{l+1} are i.i.d. N(0, G) with
    /// G = sigma_w^2 A^T A / N_l + sigma_b^2 (state columns), A = the layer's input (N_l x B),
    /// which is exactly the law of W^{l+1} A + b^{l+1}. O(N B^2) per layer instead of O(N^2 B).
    case kernel
    /// No randomness in the weights: the ``GivenWeights`` (checked against the network and input
    /// by ``GivenWeights/validate(for:input:)``).
    case given(GivenWeights)

    public static let automatic = WeightSampling.streamed()
}

/// Lower-triangular L with L L^T = K for a positive semidefinite K (size x size, row-major);
/// columns of a (numerically) singular K get zeros. nil if K is not positive semidefinite
/// (checked only when `verify`: a Gram matrix A^T A is semidefinite by construction).
func choleskyFactor(_ kernel: [Double], size: Int, verify: Bool = true) -> [Double]? {
    var factor = [Double](repeating: 0, count: size * size)
    let scale = (0..<size).map { kernel[$0 * size + $0] }.max() ?? 0
    let floor = 1e-13 * scale
    for j in 0..<size {
        var diagonal = kernel[j * size + j]
        for k in 0..<j { diagonal -= factor[j * size + k] * factor[j * size + k] }
        guard diagonal > floor else { continue }
        let root = diagonal.squareRoot()
        factor[j * size + j] = root
        for i in (j + 1)..<size {
            var sum = kernel[i * size + j]
            for k in 0..<j { sum -= factor[i * size + k] * factor[j * size + k] }
            factor[i * size + j] = sum / root
        }
    }
    // A dropped column must not have left a residual elsewhere.
    guard verify else { return factor }
    for i in 0..<size {
        for j in 0...i {
            var sum = 0.0
            for k in 0...j { sum += factor[i * size + k] * factor[j * size + k] }
            if Swift.abs(sum - kernel[i * size + j]) > 1e-9 * Swift.max(scale, .leastNormalMagnitude) { return nil }
        }
    }
    return factor
}
