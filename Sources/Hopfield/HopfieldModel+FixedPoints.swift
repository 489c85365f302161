import Foundation
import GSLKit

/// An equilibrium of the flow: -u/tau + W sigma(u) + I = 0.
public struct HopfieldFixedPoint: Sendable {
    public let u: [Double]
    public let x: [Double]
    public let energy: Double
    /// Eigenvalues of Hess_x E, ascending: all positive = a stable equilibrium (a minimum of E).
    public let hessianEigenvalues: [Double]
    public var stable: Bool { hessianEigenvalues.first.map { $0 > 0 } ?? false }
    /// The number of negative Hessian eigenvalues (0 minimum, 1 saddle of index one, ...).
    public var index: Int { hessianEigenvalues.filter { $0 < 0 }.count }
}

extension HopfieldModel {
    /// All fixed points found by damped Newton from many starts (small n), deduplicated, in
    /// ``canonicalOrder(_:_:)``.
    ///
    /// A fixed point has u = tau (W x + I), so starts are u = tau (W x + I) over a grid of outputs
    /// x in the box (bounded activations) plus `randomStarts` uniform draws (SplitMix64 from
    /// `seed`); for an unbounded range the x are drawn from [-R, R] with R = 1 + tau (|W| + |I|).
    /// Newton on F(u) = -u/tau + W sigma(u) + I with the exact Jacobian and halving line search on
    /// |F|^2, converged when |F|_inf <= 1e-13 (1 + |u|_inf / tau). Points closer than 1e-7 (1 + |u|)
    /// are one. Needs a symmetric W (stability is read from Hess_x E).
    public func fixedPoints(gridPerUnit: Int? = nil, randomStarts: Int = 200, seed: UInt64 = 1) throws(HopfieldError) -> [HopfieldFixedPoint] {
        try requireSymmetric()
        guard randomStarts >= 0, randomStarts <= 10_000_000 else {
            throw .invalidParameter(name: "starts", reason: "must lie in 0...10000000 (each is a Newton solve), got \(randomStarts)")
        }
        let perUnit = gridPerUnit ?? [64, 24, 12][safe: n - 1] ?? max(2, Int(Foundation.pow(4096, 1 / Double(n))))
        guard perUnit >= 1, Double(perUnit).power(n) <= 1e6 else {
            throw .invalidParameter(name: "grid", reason: "\(perUnit)^\(n) starts is too many; fixed points by enumeration are for small n")
        }
        var starts: [[Double]] = []
        let (lo, hi) = activation.isBounded ? activation.range : (-1 - tau * (weights.map(abs).max()! + inputs.map(abs).max()!),
                                                                   1 + tau * (weights.map(abs).max()! + inputs.map(abs).max()!))
        let total = Int(Double(perUnit).power(n))
        for k in 0..<total {
            var rest = k
            var x = [Double](repeating: 0, count: n)
            for i in 0..<n {
                x[i] = lo + (hi - lo) * (Double(rest % perUnit) + 0.5) / Double(perUnit)
                rest /= perUnit
            }
            starts.append(x)
        }
        var generator = SplitMix64(seed: seed)
        for _ in 0..<randomStarts {
            starts.append((0..<n).map { _ in lo + (hi - lo) * generator.nextDouble() })
        }
        var found: [[Double]] = []
        for x in starts {
            var u = [Double](repeating: 0, count: n)
            x.withUnsafeBufferPointer { x in u.withUnsafeMutableBufferPointer { field(x, into: $0) } }
            for i in 0..<n { u[i] *= tau }
            guard let root = newton(from: u) else { continue }
            let duplicate = found.contains { other in
                zip(other, root).allSatisfy { abs($0 - $1) <= 1e-7 * (1 + abs($1)) }
            }
            if !duplicate { found.append(root) }
        }
        if found.isEmpty && activation.isBounded {
            // sigma maps the box into itself, so a fixed point exists (Brouwer): say it was missed.
            throw .failed("no fixed point found from \(starts.count) Newton starts, though one exists for a bounded activation; raise --starts")
        }
        var points: [HopfieldFixedPoint] = []
        for u in found {
            points.append(try fixedPoint(at: u))
        }
        return points.sorted(by: Self.canonicalOrder)
    }

    /// The fixed point at the root u, its energy and Hess_x E evaluated from u, not from the
    /// rounded outputs: a saturated unit (logistic at u = 49) has x = 1 - 5e-22, which rounds
    /// onto the face of the box where phi(x) and 1/sigma'(x) lose it; phi(sigma(u)) and sigma'(u)
    /// keep it (``HopfieldActivation/dual(state:)``).
    private func fixedPoint(at u: [Double]) throws(HopfieldError) -> HopfieldFixedPoint {
        let x = outputs(u)
        let hessian = try energyHessian(state: u)
        let eigenvalues: [Double]
        do { eigenvalues = try DenseLinearAlgebra.symmetricEigenvalues(hessian, n: n) } catch { throw .failed("\(error)") }
        return HopfieldFixedPoint(u: u, x: x, energy: energy(state: u).value, hessianEigenvalues: eigenvalues)
    }

    /// E at x = sigma(u) with phi(x) from the state (``HopfieldActivation/dual(state:)``), and the
    /// sum of its terms' magnitudes (what its rounding scales with).
    func energy(state u: [Double]) -> (value: Double, magnitude: Double) {
        let x = outputs(u)
        var energy = 0.0, magnitude = 0.0
        for i in 0..<n {
            var wx = 0.0, absWx = 0.0
            for j in 0..<n {
                wx += weights[i * n + j] * x[j]
                absWx += abs(weights[i * n + j] * x[j])
            }
            let dual = activation.dual(state: u[i]) / tau
            energy += dual - x[i] * (0.5 * wx + inputs[i])
            magnitude += abs(dual) + abs(x[i]) * (0.5 * absWx + abs(inputs[i]))
        }
        return (energy, magnitude)
    }

    /// Hess_x E = -W + diag(1/(tau sigma'(u_i))) with sigma' from the state u; refused where a
    /// unit saturates so far that sigma'(u) underflows.
    func energyHessian(state u: [Double]) throws(HopfieldError) -> [Double] {
        var hessian = weights.map { -$0 }
        for i in 0..<n {
            let slope = activation.slope(u[i])
            guard slope > 0, (1 / (tau * slope)).isFinite else {
                throw .failed("a fixed point has unit \(i + 1) saturated beyond double precision (u = \(u[i]), sigma'(u) = \(slope)): its Hessian 1/(tau sigma') cannot be represented; scale W and I down")
            }
            hessian[i * n + i] += 1 / (tau * slope)
        }
        return hessian
    }

    /// The order fixed points are listed in: by their outputs x, coordinate by coordinate,
    /// compared on a grid of 1e-6 (coarser than any rounding, finer than the 1e-7 (1 + |u|)
    /// that tells two points apart), exactly only where they share a grid cell. Energies would
    /// not do: symmetric networks have minima of equal energy whose order then flips with the
    /// last bits of the CPU's kernels.
    static func canonicalOrder(_ a: HopfieldFixedPoint, _ b: HopfieldFixedPoint) -> Bool {
        for (p, q) in zip(a.x, b.x) {
            let (cellP, cellQ) = ((p * 1e6).rounded(), (q * 1e6).rounded())
            if cellP != cellQ { return cellP < cellQ }
        }
        return a.x.lexicographicallyPrecedes(b.x)
    }

    /// Damped Newton on F(u) = C du/dt; nil if it does not converge in 100 iterations.
    private func newton(from start: [Double]) -> [Double]? {
        var u = start
        func residual(_ u: [Double]) -> [Double] { zip(velocity(u), capacitances).map { $0 * $1 } }
        var f = residual(u)
        var norm2 = f.reduce(0) { $0 + $1 * $1 }
        for _ in 0..<100 {
            let scale = 1 + u.reduce(0) { max($0, abs($1)) } / tau
            if f.reduce(0, { max($0, abs($1)) }) <= 1e-13 * scale { return u }
            var jacobian = self.jacobian(u)
            for i in 0..<n { for j in 0..<n { jacobian[i * n + j] *= capacitances[i] } }
            guard let step = try? DenseLinearAlgebra.solve(jacobian, f.map { -$0 }, n: n) else { return nil }
            var t = 1.0
            var accepted = false
            while t > 1e-10 {
                let trial = zip(u, step).map { $0 + t * $1 }
                let g = residual(trial)
                let trialNorm2 = g.reduce(0) { $0 + $1 * $1 }
                if trialNorm2.isFinite && trialNorm2 < (1 - 1e-4 * t) * norm2 || trialNorm2 == 0 {
                    u = trial
                    f = g
                    norm2 = trialNorm2
                    accepted = true
                    break
                }
                t *= 0.5
            }
            guard accepted else {
                // No decrease at machine precision: accept if already at the floor.
                return f.reduce(0, { max($0, abs($1)) }) <= 1e-11 * scale ? u : nil
            }
        }
        return nil
    }
}

private extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}

private extension Double {
    func power(_ k: Int) -> Double { (0..<k).reduce(1) { r, _ in r * self } }
}
