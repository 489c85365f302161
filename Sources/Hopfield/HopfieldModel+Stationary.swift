import Foundation
import GSLKit

/// Statistics of the Gibbs density p(x) = exp(-E(x)/T)/Z on the output box.
public struct StationaryStatistics: Sendable {
    public let mean: [Double]
    /// Row-major n x n covariance.
    public let covariance: [Double]
    public let meanEnergy: Double
    public let logZ: Double
    /// |log Z(h) - log Z(h/2)| of the last refinement.
    public let estimatedError: Double
    public let nodesPerUnit: Int
    /// 0 when the whole box was integrated; otherwise the number of windows around the minima of
    /// E the density was integrated on (low temperatures, ``HopfieldModel/stationary(temperature:tolerance:maxLevel:)``).
    public let windows: Int
}

extension HopfieldModel {
    /// Moments of exp(-E/T) over the box, for n <= 3 and bounded activations (the box is the
    /// output range), by one of two nested rules chosen from the minima of E (``fixedPoints``)
    /// and their Gibbs widths s_i = sqrt(T (Hess_x E)^{-1}_ii):
    ///
    /// - **the box**, a tensor tanh-sinh rule (Takahasi & Mori; endpoint singularities of phi such
    ///   as x log x cost nothing), x = c + r tanh(pi/2 sinh t), t = k h, halving h, when its nodes
    ///   resolve every minimum (spacing <= s_i/1.5 by the finest level, except along coordinates
    ///   where a face lies within 3 s_i and sets the density's scale); a level counts as
    ///   converged only once they do, since nested nodes far apart from a narrow peak all see the
    ///   same single node and agree however wrong they are;
    /// - **windows** around the minima otherwise (low temperature), each integrated in the offset
    ///   d from its minimum x* with E(x* + d) - E(x*) = -d.Wd/2 + sum_i D(x*_i, d_i)/tau (the
    ///   gradient vanishes at x*; D the Bregman divergence of phi, ``HopfieldActivation/dualDivergence(_:_:)``,
    ///   accurate for |d| down to 1e-150): so T down to 1e-300 keeps full accuracy, where E(x)
    ///   itself would drown exp(-E/T) in its rounding. See ``gibbsWindows(temperature:minima:)``.
    ///
    /// Either stops when log Z changes by less than `tolerance` times max(1, |log Z + E_min/T|)
    /// (the error of Z relative, not of the -E_min/T that dominates log Z at low T), or fails naming the temperature after `maxLevel` halvings of the box (default
    /// 9, 7, 4 for n = 1, 2, 3) or 8, 6, 4 of the windows.
    public func stationary(temperature t: Double, tolerance: Double = 1e-10, maxLevel: Int? = nil) throws(HopfieldError) -> StationaryStatistics {
        try requireSymmetric()
        guard t > 0, t.isFinite else { throw .invalidParameter(name: "temperature", reason: "must be > 0, got \(t)") }
        guard n <= 3 else { throw .invalidParameter(name: "n", reason: "stationary statistics by quadrature are for n <= 3 units, got \(n)") }
        guard activation.isBounded else {
            throw .invalidParameter(name: "activation", reason: "\(activation.kind.rawValue) has an unbounded output range; quadrature on the box needs logistic, tanh or atan")
        }
        let maxLevel = maxLevel ?? [9, 7, 4][n - 1]
        let minima = try fixedPoints().filter(\.stable)
        // Two successive levels are compared, so the one before the last must resolve already.
        let resolvedLevel = try boxResolutionLevel(temperature: t, minima: minima)
        if resolvedLevel < maxLevel {
            return try refine(maxLevel: maxLevel, firstAcceptable: max(3, resolvedLevel + 1), tolerance: tolerance, temperature: t) { level in
                boxMoments(temperature: t, step: Foundation.scalbn(0.5, -level))
            }
        }
        return try stationaryOnWindows(temperature: t, minima: minima, tolerance: tolerance)
    }

    /// The window rule alone (the low-temperature route of ``stationary(temperature:tolerance:maxLevel:)``).
    func stationaryOnWindows(temperature t: Double, minima: [HopfieldFixedPoint], tolerance: Double = 1e-10) throws(HopfieldError) -> StationaryStatistics {
        let windows = try gibbsWindows(temperature: t, minima: minima)
        return try refine(maxLevel: [8, 6, 4][n - 1], firstAcceptable: 1, tolerance: tolerance, temperature: t) { (level) throws(HopfieldError) in
            try windowMoments(windows, temperature: t, level: level)
        }
    }

    /// Nested refinement of `moments` (level l halves the spacing of level l - 1) until log Z
    /// settles. Each level gives log Z = logSum - shift/T + a constant; the change is taken part by part,
    /// (logSum' - logSum) - (shift' - shift)/T, so that at low T it is not lost in the rounding of
    /// the -E_min/T that dominates log Z, and is judged against max(1, |logSum|): Z's own error.
    private func refine(maxLevel: Int, firstAcceptable: Int, tolerance: Double, temperature t: Double,
                        _ moments: (Int) throws(HopfieldError) -> GibbsLevel) throws(HopfieldError) -> StationaryStatistics {
        var previous: GibbsLevel?
        for level in 0...maxLevel {
            let current = try moments(level)
            if let previous {
                let change = abs((current.logSum - previous.logSum) - (current.shift - previous.shift) / t)
                let s = current.statistics
                let refined = StationaryStatistics(mean: s.mean, covariance: s.covariance, meanEnergy: s.meanEnergy, logZ: s.logZ,
                                                   estimatedError: change, nodesPerUnit: s.nodesPerUnit, windows: s.windows)
                if change <= tolerance * max(1, abs(current.logSum)) && level >= firstAcceptable { return refined }
                if level == maxLevel {
                    throw .failed("the Gibbs quadrature did not converge: log Z changed by \(change) at \(s.nodesPerUnit) nodes per unit (temperature \(t))")
                }
            }
            previous = current
        }
        throw .failed("unreachable")
    }

    /// The first box level whose tanh-sinh spacing near every minimum is at most s_i/1.5 (the
    /// trapezoidal error on a Gaussian of width s at spacing Delta is 2 exp(-2 pi^2 s^2/Delta^2)).
    /// Spacing at x is h r (pi/2) cosh(t) (1 - xi^2) with xi = (x - c)/r = tanh(pi/2 sinh t).
    private func boxResolutionLevel(temperature t: Double, minima: [HopfieldFixedPoint]) throws(HopfieldError) -> Int {
        let (lo, hi) = activation.range
        let r = (hi - lo) / 2
        var level = 0
        for minimum in minima {
            let widths = try gibbsWidths(temperature: t, at: minimum)
            for (x, s) in zip(minimum.x, widths) {
                // A face within 3 s of the minimum cuts its Gaussian: the density is then set by
                // the face (saturated units, 1 - x = 5e-22), whose tanh-sinh nodes crowd
                // geometrically there and resolve it.
                guard min(x - lo, hi - x) > 3 * s else { continue }
                let q = 0.5 * log((x - lo) / (hi - x))
                let spacingPerStep = r * Double.pi / 2 * cosh(asinh(2 * q / Double.pi)) * ((hi - x) * (x - lo) / (r * r))
                let needed = log2(0.5 * spacingPerStep * 1.5 / s)
                guard needed.isFinite else { return .max }
                level = max(level, Int(needed.rounded(.up)))
            }
        }
        return level
    }

    /// s_i = sqrt(T G_ii), G = (Hess_x E)^{-1} at a minimum: the marginal standard deviations of
    /// the Gibbs density's Gaussian (Laplace) approximation there.
    func gibbsWidths(temperature t: Double, at minimum: HopfieldFixedPoint) throws(HopfieldError) -> [Double] {
        let hessian = try energyHessian(state: minimum.u)
        return try (0..<n).map { (i) throws(HopfieldError) in
            var unit = [Double](repeating: 0, count: n)
            unit[i] = 1
            let column: [Double]
            do { column = try DenseLinearAlgebra.solve(hessian, unit, n: n) } catch { throw .failed("\(error)") }
            return (t * column[i]).squareRoot()
        }
    }

    /// Tanh-sinh nodes and weights on [lo, hi] with step h, down to weights of `cutoff` (the box
    /// keeps nodes to 1e-300 of its faces, where phi is singular; windows stop at 1e-20 of their
    /// length).
    func tanhSinhRule(lower lo: Double, upper hi: Double, step h: Double, cutoff: Double = 1e-300) -> (nodes: [Double], weights: [Double]) {
        let c = (lo + hi) / 2, r = (hi - lo) / 2
        var nodes: [Double] = [], weights: [Double] = []
        var k = 0
        while true {
            let s = Double(k) * h
            let q = Double.pi / 2 * sinh(s)
            // 1 - tanh(q) = 2/(1 + e^{2q}), kept exact near the ends.
            let complement = 2 / (1 + exp(2 * q))
            let w = h * Double.pi / 2 * cosh(s) / (cosh(q) * cosh(q)) * r
            if w < cutoff || complement * r == 0 { break }
            if k == 0 {
                nodes.append(c); weights.append(w)
            } else {
                nodes.append(hi - r * complement); weights.append(w)
                nodes.append(lo + r * complement); weights.append(w)
            }
            k += 1
        }
        return (nodes, weights)
    }

    /// The box rule at step h; its shift is the smallest node energy the weights were scaled by.
    private func boxMoments(temperature t: Double, step h: Double) -> GibbsLevel {
        let (lo, hi) = activation.range
        let (nodes, weights) = tanhSinhRule(lower: lo, upper: hi, step: h)
        let rules = [[Double]](repeating: nodes, count: n), ruleWeights = [[Double]](repeating: weights, count: n)
        var energies: [Double] = []
        var lowest = Double.infinity
        forEachNode(rules, ruleWeights) { point, _ in
            let e = point.withUnsafeBufferPointer { unsafeEnergy($0) }
            energies.append(e)
            lowest = min(lowest, e)
        }
        var sums = GibbsSums(n: n)
        var k = 0
        forEachNode(rules, ruleWeights) { point, weight in
            sums.add(point: point, weight: exp(-(energies[k] - lowest) / t) * weight, energy: energies[k])
            k += 1
        }
        let (mean, covariance, meanEnergy, logSum) = sums.moments(origin: [Double](repeating: 0, count: n))
        return GibbsLevel(statistics: StationaryStatistics(mean: mean, covariance: covariance, meanEnergy: meanEnergy, logZ: logSum - lowest / t,
                                                           estimatedError: .infinity, nodesPerUnit: nodes.count, windows: 0),
                          logSum: logSum, shift: lowest)
    }

    /// Calls `body` with every node of the tensor rule (coordinate 0 fastest) and its weight.
    func forEachNode(_ nodes: [[Double]], _ weights: [[Double]], _ body: ([Double], Double) -> Void) {
        let total = nodes.reduce(1) { $0 * $1.count }
        var point = [Double](repeating: 0, count: n)
        for k in 0..<total {
            var rest = k, w = 1.0
            for i in 0..<n {
                let index = rest % nodes[i].count
                point[i] = nodes[i][index]
                w *= weights[i][index]
                rest /= nodes[i].count
            }
            body(point, w)
        }
    }
}

/// One level of a nested Gibbs rule: its statistics, with log Z = logSum - shift/T (plus, for
/// windows, a constant of the rule: the log of their unit) kept in parts.
struct GibbsLevel {
    var statistics: StationaryStatistics
    var logSum: Double
    var shift: Double
}

/// Weighted sums of a Gibbs quadrature: Z, E, first and second moments of the points.
struct GibbsSums: Sendable {
    var z = 0.0, energy = 0.0
    var first: [Double], second: [Double]
    let n: Int

    init(n: Int) {
        self.n = n
        first = [Double](repeating: 0, count: n)
        second = [Double](repeating: 0, count: n * n)
    }

    mutating func add(point: [Double], weight w: Double, energy e: Double) {
        guard w > 0 else { return }  // also where E = +infinity on a face (atan)
        z += w
        energy += w * e
        for i in 0..<n {
            first[i] += w * point[i]
            for j in 0..<n { second[i * n + j] += w * point[i] * point[j] }
        }
    }

    mutating func merge(_ other: GibbsSums) {
        z += other.z
        energy += other.energy
        for i in first.indices { first[i] += other.first[i] }
        for i in second.indices { second[i] += other.second[i] }
    }

    /// Mean (origin + the points' mean), covariance, mean energy and log Z of the sums.
    func moments(origin: [Double]) -> (mean: [Double], covariance: [Double], energy: Double, logZ: Double) {
        let offset = first.map { $0 / z }
        var covariance = second.map { $0 / z }
        for i in 0..<n { for j in 0..<n { covariance[i * n + j] -= offset[i] * offset[j] } }
        return (zip(origin, offset).map { $0 + $1 }, covariance, energy / z, log(z))
    }
}
