import Foundation

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
}

extension HopfieldModel {
    /// Moments of exp(-E/T) over the box by a tensor tanh-sinh rule (Takahasi & Mori; endpoint
    /// singularities of phi such as x log x cost nothing): x = c + r tanh(pi/2 sinh t), t = k h,
    /// halving h until log Z changes by less than `tolerance` (relative) or `maxLevel` halvings.
    /// Sums are shifted by the smallest energy on the nodes, so low temperatures do not overflow.
    /// For n <= 3 and bounded activations (the box is the output range).
    public func stationary(temperature t: Double, tolerance: Double = 1e-10, maxLevel: Int? = nil) throws(HopfieldError) -> StationaryStatistics {
        try requireSymmetric()
        guard t > 0, t.isFinite else { throw .invalid(parameter: "temperature", reason: "must be > 0, got \(t)") }
        guard n <= 3 else { throw .invalid(parameter: "n", reason: "stationary statistics by quadrature are for n <= 3 units, got \(n)") }
        guard activation.isBounded else {
            throw .invalid(parameter: "activation", reason: "\(activation.kind.rawValue) has an unbounded output range; quadrature on the box needs logistic, tanh or atan")
        }
        let maxLevel = maxLevel ?? [9, 7, 4][n - 1]
        var previous: StationaryStatistics?
        var h = 0.5
        for level in 0...maxLevel {
            let current = gibbsMoments(temperature: t, step: h)
            if let previous {
                let change = abs(current.logZ - previous.logZ)
                let refined = StationaryStatistics(mean: current.mean, covariance: current.covariance, meanEnergy: current.meanEnergy,
                                                   logZ: current.logZ, estimatedError: change, nodesPerUnit: current.nodesPerUnit)
                if change <= tolerance * max(1, abs(current.logZ)) && level >= 3 { return refined }
                if level == maxLevel {
                    throw .failed("the Gibbs quadrature did not converge: log Z changed by \(change) at \(current.nodesPerUnit) nodes per unit (temperature \(t) may be too low)")
                }
            }
            previous = current
            h /= 2
        }
        throw .failed("unreachable")
    }

    /// Tanh-sinh nodes and weights on the output interval with step h.
    private func tanhSinhRule(step h: Double) -> (nodes: [Double], weights: [Double]) {
        let (lo, hi) = activation.range
        let c = (lo + hi) / 2, r = (hi - lo) / 2
        var nodes: [Double] = [], weights: [Double] = []
        var k = 0
        while true {
            let s = Double(k) * h
            let q = Double.pi / 2 * sinh(s)
            // 1 - tanh(q) = 2/(1 + e^{2q}), kept exact near the ends.
            let complement = 2 / (1 + exp(2 * q))
            let w = h * Double.pi / 2 * cosh(s) / (cosh(q) * cosh(q)) * r
            if w < 1e-300 || complement * r == 0 { break }
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

    private func gibbsMoments(temperature t: Double, step h: Double) -> StationaryStatistics {
        let (nodes, weights) = tanhSinhRule(step: h)
        let m = nodes.count
        let total = Int(pow(Double(m), Double(n)))
        var energies = [Double](repeating: 0, count: total)
        var point = [Double](repeating: 0, count: n)
        var lowest = Double.infinity
        for k in 0..<total {
            var rest = k
            for i in 0..<n { point[i] = nodes[rest % m]; rest /= m }
            let e = point.withUnsafeBufferPointer { unsafeEnergy($0) }
            energies[k] = e
            lowest = min(lowest, e)
        }
        var z = 0.0, energySum = 0.0
        var first = [Double](repeating: 0, count: n), second = [Double](repeating: 0, count: n * n)
        for k in 0..<total {
            var rest = k, w = exp(-(energies[k] - lowest) / t)
            for i in 0..<n { let index = rest % m; point[i] = nodes[index]; w *= weights[index]; rest /= m }
            guard w > 0 else { continue }  // also where E = +infinity on a face (atan)
            z += w
            energySum += w * energies[k]
            for i in 0..<n {
                first[i] += w * point[i]
                for j in 0..<n { second[i * n + j] += w * point[i] * point[j] }
            }
        }
        let mean = first.map { $0 / z }
        var covariance = second.map { $0 / z }
        for i in 0..<n { for j in 0..<n { covariance[i * n + j] -= mean[i] * mean[j] } }
        return StationaryStatistics(mean: mean, covariance: covariance, meanEnergy: energySum / z,
                                    logZ: log(z) - lowest / t, estimatedError: .infinity, nodesPerUnit: m)
    }
}
