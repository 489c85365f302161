import Foundation
import MeanField

/// A k-dimensional manifold of inputs sampled at P points, described in a small frame space R^D:
/// coordinates x(xi), first derivatives d_a x and second derivatives d_a d_b x (a <= b) at each
/// sample point xi_p. ``placed(width:length:frame:)`` maps it into layer-1 pre-activation space,
/// h^1(xi) = sqrt(N q) sum_j x_j(xi) u_j with u_0..u_{D-1} orthonormal in R^N, so that a unit
/// vector x has q_hat^1 = |h^1|^2/N = q (<doc:Geometry>: the great k-sphere at radius sqrt(N q*)).
public struct InputManifold: Sendable, Equatable {
    /// The built-in shapes, all in closed form.
    public enum Shape: Sendable, Equatable {
        /// The great k-sphere (k = 1: Poole's circle, sampled uniformly over the whole circle;
        /// k = 2, 3: a patch with polar angles in [pi/4, 3pi/4] and the azimuth over [0, 2pi)),
        /// in hyperspherical coordinates, D = k + 1.
        case greatSphere(k: Int)
        /// x = (cos xi, r sin xi): q varies along the curve (D = 2).
        case ellipse(ratio: Double)
        /// x = (cos xi, sin xi, h cos(n xi), h sin(n xi)) / sqrt(1 + h^2): constant length, not a
        /// great circle (D = 4).
        case helix(height: Double, turns: Int)
        /// x = (1, xi_0, xi_1) / scale over xi in [-w, w]^2: a flat patch (D = 3).
        case planePatch(halfWidth: Double)
        /// Data: P given points of R^D joined in order into a closed or open polyline, at
        /// xi_p = 2 pi p/P (closed) or p/(P - 1) (open). Tangents and second derivatives come from
        /// finite differences at the input only (central, second order; one-sided second order at
        /// the ends of an open line); every layer after it is propagated exactly. See
        /// ``init(polyline:dimension:closed:)``.
        case polyline(closed: Bool)
    }

    public let shape: Shape
    /// k, the manifold's dimension.
    public let dimension: Int
    /// D, the frame dimension.
    public let frameDimension: Int
    /// P, the number of sample points.
    public let points: Int
    /// xi_p, P x k row-major.
    public let parameters: [Double]
    /// For each point, m = 1 + k + k(k+1)/2 vectors of R^D: x, d_1 x..d_k x, d_a d_b x (a <= b,
    /// row order); P x m x D row-major.
    public let local: [Double]
    /// True when the points sample a closed curve uniformly (integrals over xi are 2 pi x means).
    public let isClosedCurve: Bool

    /// Columns per point in a network batch: the point, its k tangents, its k(k+1)/2 second derivatives.
    public var columnsPerPoint: Int { 1 + dimension + dimension * (dimension + 1) / 2 }

    /// The largest ellipse ratio (and the inverse of the smallest), helix height, plane half-width
    /// and data coordinate: beyond 1e8 the point's length varies along the manifold by more than
    /// double precision resolves (1e16), the helix and the patch are their limits to rounding,
    /// and the curvature's products of squared lengths (1e8^8 = 1e64 here) approach double's range,
    /// which the unit normalisation sqrt(1 + h^2) leaves past 1e154.
    public static let shapeParameterLimit = 1e8

    public init(shape: Shape, points: Int) throws(MeanFieldError) {
        guard points >= 1, points <= 1 << 16 else {
            throw .invalidParameter(name: "points", reason: "must be between 1 and 65536, got \(points)")
        }
        let dimension: Int, frameDimension: Int, isClosedCurve: Bool
        switch shape {
        case .greatSphere(let k):
            guard (1...3).contains(k) else { throw .invalidParameter(name: "k", reason: "great spheres have k = 1, 2 or 3, got \(k)") }
            (dimension, frameDimension, isClosedCurve) = (k, k + 1, k == 1)
        case .ellipse(let ratio):
            let range = (1 / Self.shapeParameterLimit)...Self.shapeParameterLimit
            guard range.contains(ratio) else {
                throw .invalidParameter(name: "ratio", reason: "must lie in [1e-8, 1e8] (q along the curve varies by ratio^2), got \(ratio)")
            }
            (dimension, frameDimension, isClosedCurve) = (1, 2, true)
        case .helix(let height, let turns):
            guard (0...Self.shapeParameterLimit).contains(height), turns >= 1, turns <= 1000 else {
                throw .invalidParameter(name: "helix", reason: "height must lie in [0, 1e8] and turns in 1...1000, got height \(height), turns \(turns)")
            }
            (dimension, frameDimension, isClosedCurve) = (1, 4, true)
        case .planePatch(let halfWidth):
            guard halfWidth > 0, halfWidth <= Self.shapeParameterLimit else {
                throw .invalidParameter(name: "half-width", reason: "must lie in (0, 1e8], got \(halfWidth)")
            }
            (dimension, frameDimension, isClosedCurve) = (2, 3, false)
        case .polyline:
            throw .invalidParameter(name: "shape", reason: "a polyline is built from its data points: use init(polyline:dimension:closed:)")
        }
        var parameters = [Double](), local = [Double]()
        for p in 0..<points {
            let xi = Self.samplePoint(p, of: points, shape: shape)
            parameters += xi
            local += Self.coordinates(shape: shape, at: xi, k: dimension)
        }
        self.init(shape: shape, dimension: dimension, frameDimension: frameDimension, points: points,
                  parameters: parameters, local: local, isClosedCurve: isClosedCurve)
    }

    private init(shape: Shape, dimension: Int, frameDimension: Int, points: Int, parameters: [Double], local: [Double], isClosedCurve: Bool) {
        (self.shape, self.dimension, self.frameDimension, self.points) = (shape, dimension, frameDimension, points)
        (self.parameters, self.local, self.isClosedCurve) = (parameters, local, isClosedCurve)
    }

    /// A curve through data: `data` holds P points of R^D (P x D row-major), in order.
    /// Differences of step Delta in xi: inside, v = (x_{p+1} - x_{p-1})/(2 Delta) and
    /// a = (x_{p+1} - 2 x_p + x_{p-1})/Delta^2 (wrapping round when closed); at the ends of an open
    /// line, v = -/+(3 x_0 - 4 x_1 + x_2)/(2 Delta) and a = (2 x_0 - 5 x_1 + 4 x_2 - x_3)/Delta^2.
    public init(polyline data: [Double], dimension d: Int, closed: Bool) throws(MeanFieldError) {
        guard d >= 1, d <= 1 << 20 else { throw .invalidParameter(name: "data", reason: "the points' dimension must be between 1 and 2^20, got \(d)") }
        guard data.count % d == 0 else {
            throw .invalidParameter(name: "data", reason: "\(data.count) values are not a whole number of \(d)-dimensional points")
        }
        let count = data.count / d, needed = closed ? 3 : 4
        guard count >= needed, count <= 1 << 16 else {
            throw .invalidParameter(name: "points", reason: "a \(closed ? "closed" : "open") polyline needs between \(needed) and 65536 points for its curvature, got \(count)")
        }
        if let bad = data.firstIndex(where: { !$0.isFinite }) {
            throw .invalidParameter(name: "data", reason: "value \(bad % d) of point \(bad / d) is not finite")
        }
        // The point's squared length and the curvature's products of squares must stay inside double's range.
        if let bad = data.firstIndex(where: { abs($0) > Self.shapeParameterLimit }) {
            throw .invalidParameter(name: "data", reason: "value \(bad % d) of point \(bad / d) is \(data[bad]): coordinates must lie within +-1e8 (rescale the data)")
        }
        let step = closed ? 2 * Double.pi / Double(count) : 1 / Double(count - 1)
        func value(_ p: Int, _ j: Int) -> Double { data[((p % count + count) % count) * d + j] }
        func combine(_ terms: [(Double, Int)], over scale: Double) -> [Double] {
            (0..<d).map { j in terms.reduce(0) { $0 + $1.0 * value($1.1, j) } / scale }
        }
        var parameters = [Double](), local = [Double]()
        for p in 0..<count {
            let (tangent, second): ([Double], [Double])
            if closed || (p > 0 && p < count - 1) {
                tangent = combine([(1, p + 1), (-1, p - 1)], over: 2 * step)
                second = combine([(1, p + 1), (-2, p), (1, p - 1)], over: step * step)
            } else {
                let s = p == 0 ? 1 : -1
                tangent = combine([(-3, p), (4, p + s), (-1, p + 2 * s)], over: 2 * step * Double(s))
                second = combine([(2, p), (-5, p + s), (4, p + 2 * s), (-1, p + 3 * s)], over: step * step)
            }
            guard tangent.contains(where: { $0 != 0 }) else {
                throw .invalidParameter(name: "data", reason: "the curve has no tangent at point \(p): its neighbours coincide")
            }
            parameters.append(Double(p) * step)
            local += (0..<d).map { value(p, $0) } + tangent + second
        }
        self.init(shape: .polyline(closed: closed), dimension: 1, frameDimension: d, points: count,
                  parameters: parameters, local: local, isClosedCurve: closed)
    }

    /// Sample point p of P: uniform on the circle for curves, a Kronecker lattice (additive
    /// recurrence with the generalised golden ratio) over the patch otherwise.
    static func samplePoint(_ p: Int, of count: Int, shape: Shape) -> [Double] {
        switch shape {
        case .greatSphere(1), .ellipse, .helix:
            return [2 * Double.pi * Double(p) / Double(count)]
        case .greatSphere(let k):
            let alphas = [0.7548776662466927, 0.5698402909980532, 0.4301597090019468]
            return (0..<k).map { i in
                let u = (0.5 + Double(p) * alphas[i]).truncatingRemainder(dividingBy: 1)
                return i == k - 1 ? 2 * Double.pi * u : Double.pi / 4 + Double.pi / 2 * u
            }
        case .planePatch(let w):
            let alphas = [0.7548776662466927, 0.5698402909980532]
            return alphas.map { -w + 2 * w * (0.5 + Double(p) * $0).truncatingRemainder(dividingBy: 1) }
        case .polyline:
            preconditionFailure("polylines are sampled at their data points")
        }
    }

    /// x, d_a x, d_a d_b x at xi, flattened (m x D).
    static func coordinates(shape: Shape, at xi: [Double], k: Int) -> [Double] {
        switch shape {
        case .greatSphere:
            return hyperspherical(xi)
        case .ellipse(let r):
            let (c, s) = (cos(xi[0]), sin(xi[0]))
            return [c, r * s, -s, r * c, -c, -r * s]
        case .helix(let h, let n):
            let m = Double(n), norm = 1 / (1 + h * h).squareRoot()
            let (c, s, cn, sn) = (cos(xi[0]), sin(xi[0]), cos(m * xi[0]), sin(m * xi[0]))
            return [c, s, h * cn, h * sn, -s, c, -h * m * sn, h * m * cn, -c, -s, -h * m * m * cn, -h * m * m * sn].map { $0 * norm }
        case .planePatch(let w):
            let norm = 1 / (1 + w * w).squareRoot()
            return [1, xi[0], xi[1], 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0].map { $0 * norm }
        case .polyline:
            preconditionFailure("polylines have no closed form")
        }
    }

    /// Hyperspherical coordinates of the unit k-sphere in R^{k+1}: x_j = (prod_{i<j} sin xi_i) cos xi_j
    /// for j < k and x_k = prod_{i<k} sin xi_i; each x_j is a product of one factor per angle, so its
    /// derivatives follow by differentiating the factors.
    static func hyperspherical(_ xi: [Double]) -> [Double] {
        let k = xi.count
        // factors[j][i]: 0 absent, 1 sin, 2 cos.
        let factors: [[Int]] = (0...k).map { j in (0..<k).map { i in i < j ? 1 : (i == j && j < k ? 2 : 0) } }
        func value(_ j: Int, _ order: [Int: Int]) -> Double {
            var product = 1.0
            for i in 0..<k {
                let n = order[i] ?? 0
                switch factors[j][i] {
                case 0: if n > 0 { return 0 }
                case 1: product *= [sin(xi[i]), cos(xi[i]), -sin(xi[i])][n]
                default: product *= [cos(xi[i]), -sin(xi[i]), -cos(xi[i])][n]
                }
            }
            return product
        }
        var out = (0...k).map { value($0, [:]) }
        for a in 0..<k { out += (0...k).map { value($0, [a: 1]) } }
        for a in 0..<k {
            for b in a..<k { out += (0...k).map { value($0, a == b ? [a: 2] : [a: 1, b: 1]) } }
        }
        return out
    }

    /// The network input for this manifold at width N and length q: h^1 = sqrt(N q) U C, U the
    /// N x D frame (orthonormal columns), C the D x (P m) local coordinates; column roles mark each
    /// point's tangents and second derivatives.
    public func placed(width: Int, length q: Double, frame: [Double]) throws(MeanFieldError) -> NetworkInput {
        let d = frameDimension, batch = points * columnsPerPoint
        guard width >= d else {
            throw .invalidParameter(name: "k", reason: "a \(dimension)-dimensional manifold spans \(d) directions, more than the width \(width)")
        }
        precondition(frame.count == width * d)
        let scale = (Double(width) * q).squareRoot()
        var h = [Double](repeating: 0, count: width * batch)
        for i in 0..<width {
            for column in 0..<batch {
                var sum = 0.0
                for j in 0..<d { sum += frame[i * d + j] * local[column * d + j] }
                h[i * batch + column] = scale * sum
            }
        }
        return try NetworkInput(preactivations: h, batch: batch, roles: columnRoles)
    }

    /// The network input that sends the manifold through a random first layer,
    /// h^1 = W^1 (s x) + b^1 with W^1_ij ~ N(0, sigma_w^2 / D): the signals are the scaled local
    /// coordinates s C (D x P m), derivative columns get no bias.
    public func throughFirstLayer(scale s: Double) throws(MeanFieldError) -> NetworkInput {
        let d = frameDimension, batch = points * columnsPerPoint
        var signals = [Double](repeating: 0, count: d * batch)
        for column in 0..<batch {
            for j in 0..<d { signals[j * batch + column] = s * local[column * d + j] }
        }
        return try NetworkInput(signals: signals, dimension: d, batch: batch, roles: columnRoles, renormalizingTangents: false)
    }

    /// Each point's column, then its tangents and second derivatives.
    var columnRoles: [NetworkInput.ColumnRole] {
        var roles: [NetworkInput.ColumnRole] = []
        for p in 0..<points {
            let base = p * columnsPerPoint
            roles.append(.state)
            for _ in 0..<dimension { roles.append(.tangent(of: base)) }
            for a in 0..<dimension {
                for b in a..<dimension { roles.append(.secondDerivative(of: base, base + 1 + a, base + 1 + b)) }
            }
        }
        return roles
    }
}
