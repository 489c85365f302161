import Foundation
import GSLKit

/// A box around one or more minima of E on which the low-temperature Gibbs density lives, in
/// offsets d from its centre (the lowest minimum in it).
struct GibbsWindow {
    var centre: [Double]
    var centreEnergy: Double
    var lower: [Double], upper: [Double]
    /// The Gibbs widths s_i the trapezoidal spacing is scaled by.
    var scale: [Double]
    /// How far apart two minima's energies may be and still be equal: the rounding of E at the
    /// centre (16 ulp of the sum of its terms' magnitudes). Below it the difference is not known
    /// in double precision, and dividing it by T = 1e-20 would hand all the mass to whichever
    /// of two symmetric minima rounded lower.
    var energyRounding: Double
    /// Coordinates where the window was cut by a face of the box (integrated by tanh-sinh, whose
    /// nodes crowd the cut; elsewhere the density is negligible at both ends and the trapezoidal
    /// rule converges geometrically).
    var cut: [Bool]
}

extension HopfieldModel {
    /// E(x* + d) - E(x*) = -d.Wd/2 + sum_i D(x*_i, d_i)/tau at a minimum x* (where grad E = 0 to
    /// the 1e-13 of ``fixedPoints``; its term is left out so that rounding of the gradient is not
    /// divided by T).
    func energyRise(at centre: [Double], offset d: [Double]) -> Double {
        var rise = 0.0
        for i in 0..<n {
            var wd = 0.0
            for j in 0..<n { wd += weights[i * n + j] * d[j] }
            rise += activation.dualDivergence(centre[i], d[i]) / tau - 0.5 * d[i] * wd
        }
        return rise
    }

    /// Windows x* + [-10 s_i, 10 s_i] around every minimum, widened (doubling) along a
    /// coordinate until exp(-(E - E(x*))/T) <= e^{-40} at both edges (so that shoulders beyond
    /// the Laplace width are kept), cut at the faces of the box, and merged where they overlap.
    func gibbsWindows(temperature t: Double, minima: [HopfieldFixedPoint]) throws(HopfieldError) -> [GibbsWindow] {
        let (lo, hi) = activation.range
        var windows: [GibbsWindow] = []
        for minimum in minima {
            let x = minimum.x
            if let i = x.firstIndex(where: { !activation.contains($0) }) {
                throw .failed("at temperature \(t) the Gibbs density is narrower than the box quadrature resolves, and a minimum of E lies within rounding of a face (unit \(i + 1), x = \(x[i])), where no window around it can be represented")
            }
            let scale = try gibbsWidths(temperature: t, at: minimum)
            if let i = scale.firstIndex(where: { !($0 >= Double.leastNormalMagnitude && $0.isFinite) }) {
                throw .failed("at temperature \(t) the Gibbs density around a minimum of E is \(scale[i]) wide along unit \(i + 1), below what double precision represents; raise the temperature")
            }
            var lower = scale.map { -10 * $0 }, upper = scale.map { 10 * $0 }
            for i in 0..<n {
                func edgeIsNegligible(_ d: Double) -> Bool {
                    guard x[i] + d > lo, x[i] + d < hi else { return true }
                    var offset = [Double](repeating: 0, count: n)
                    offset[i] = d
                    return energyRise(at: x, offset: offset) >= 40 * t
                }
                var doublings = 0
                while !edgeIsNegligible(lower[i]) && doublings < 60 { lower[i] *= 2; doublings += 1 }
                doublings = 0
                while !edgeIsNegligible(upper[i]) && doublings < 60 { upper[i] *= 2; doublings += 1 }
            }
            let cut = (0..<n).map { lower[$0] <= lo - x[$0] || upper[$0] >= hi - x[$0] }
            for i in 0..<n {
                lower[i] = max(lower[i], lo - x[i])
                upper[i] = min(upper[i], hi - x[i])
            }
            windows.append(GibbsWindow(centre: x, centreEnergy: minimum.energy, lower: lower, upper: upper, scale: scale,
                                       energyRounding: 16 * energy(state: minimum.u).magnitude.ulp, cut: cut))
        }
        return merged(windows)
    }

    /// Overlapping windows joined into their bounding box, centred on the lower minimum.
    private func merged(_ windows: [GibbsWindow]) -> [GibbsWindow] {
        var windows = windows
        var joined = true
        while joined {
            joined = false
            search: for a in windows.indices {
                for b in windows.indices where b > a {
                    let (p, q) = (windows[a], windows[b])
                    let overlap = (0..<n).allSatisfy { i in
                        p.centre[i] + p.lower[i] <= q.centre[i] + q.upper[i] && q.centre[i] + q.lower[i] <= p.centre[i] + p.upper[i]
                    }
                    guard overlap else { continue }
                    var base = p.centreEnergy <= q.centreEnergy ? p : q
                    for i in 0..<n {
                        let low = min(p.centre[i] + p.lower[i], q.centre[i] + q.lower[i])
                        let high = max(p.centre[i] + p.upper[i], q.centre[i] + q.upper[i])
                        base.lower[i] = min(base.lower[i], low - base.centre[i])
                        base.upper[i] = max(base.upper[i], high - base.centre[i])
                        base.scale[i] = min(p.scale[i], q.scale[i])
                        base.cut[i] = p.cut[i] || q.cut[i]
                    }
                    base.energyRounding = max(p.energyRounding, q.energyRounding)
                    windows[a] = base
                    windows.remove(at: b)
                    joined = true
                    break search
                }
            }
        }
        return windows
    }

    /// One window's sums over its tensor rule (nodes y = d/s per coordinate), with
    /// E(x* + d) - E(x*) = sum_i D_i(y_i) - d.Wd/2, the separable D_i = D(x*_i, s_i y_i)/tau
    /// tabulated per coordinate. Parallel over the last coordinate's nodes, each its own sums,
    /// added in index order: the same bits on any number of threads.
    private func windowSums(_ window: GibbsWindow, rules: [[Double]], weights: [[Double]], base: Double, temperature t: Double) -> GibbsSums {
        let divergences = (0..<n).map { i in rules[i].map { activation.dualDivergence(window.centre[i], $0 * window.scale[i]) / tau } }
        let scaledWeights = (0..<n * n).map { k in self.weights[k] * window.scale[k / n] * window.scale[k % n] }
        let inner = rules.dropLast().reduce(1) { $0 * $1.count }
        let outer = rules[n - 1].count
        let partial = SharedResults(repeating: GibbsSums(n: n), count: outer)
        parallelTasks(count: outer) { last in
            var sums = GibbsSums(n: n)
            var y = [Double](repeating: 0, count: n), index = [Int](repeating: 0, count: n)
            index[n - 1] = last
            y[n - 1] = rules[n - 1][last]
            for k in 0..<inner {
                var rest = k, w = weights[n - 1][last], rise = divergences[n - 1][last]
                for i in 0..<(n - 1) {
                    index[i] = rest % rules[i].count
                    rest /= rules[i].count
                    y[i] = rules[i][index[i]]
                    w *= weights[i][index[i]]
                    rise += divergences[i][index[i]]
                }
                for i in 0..<n {
                    var wy = 0.0
                    for j in 0..<n { wy += scaledWeights[i * n + j] * y[j] }
                    rise -= 0.5 * y[i] * wy
                }
                let energy = base + rise
                sums.add(point: y, weight: exp(-energy / t) * w, energy: energy)
            }
            partial[last] = sums
        }
        var total = GibbsSums(n: n)
        for last in 0..<outer { total.merge(partial[last]) }
        return total
    }

    /// The windows' moments at `level`: per coordinate a trapezoidal rule of spacing s_i 2^-level
    /// (where the window is cut, tanh-sinh rules of step 2^-(level+1) on either side of the minimum), combined as a mixture with
    /// weights Z_w = exp(-(E_w - E_min)/T) Int exp(-(E(x_w + d) - E_w)/T) dd. Sums run in the
    /// scaled offsets d_i/s_i with weights divided by s_i, so that widths of 1e-150 neither
    /// underflow the weights nor the second moments; the shift is E_min.
    func windowMoments(_ windows: [GibbsWindow], temperature t: Double, level: Int) throws(HopfieldError) -> GibbsLevel {
        let lowest = windows.map(\.centreEnergy).min()!
        var parts: [(logZ: Double, mean: [Double], covariance: [Double], energy: Double, centre: [Double])] = []
        var nodesPerUnit = 0
        for window in windows {
            var rules: [[Double]] = [], ruleWeights: [[Double]] = []
            for i in 0..<n {
                let s = window.scale[i]
                let spacing = Foundation.scalbn(1.0, -level)
                // A merged window may span many widths of its narrowest minimum: tanh-sinh then,
                // whose node count does not grow with the span.
                let trapezoidNodes = (window.upper[i] - window.lower[i]) / s / spacing
                if window.cut[i] || !(trapezoidNodes <= 100_000) {
                    // Split at the minimum, so that both the peak and the face get the rule's crowded ends.
                    let step = Foundation.scalbn(0.5, -level)
                    let (a, b) = (window.lower[i] / s, window.upper[i] / s)
                    let below = tanhSinhRule(lower: a, upper: 0, step: step, cutoff: -1e-20 * a)
                    let above = tanhSinhRule(lower: 0, upper: b, step: step, cutoff: 1e-20 * b)
                    rules.append(below.nodes + above.nodes); ruleWeights.append(below.weights + above.weights)
                } else {
                    let first = Int((window.lower[i] / s / spacing).rounded(.up)), last = Int((window.upper[i] / s / spacing).rounded(.down))
                    rules.append((first...last).map { Double($0) * spacing })
                    ruleWeights.append([Double](repeating: spacing, count: last - first + 1))
                }
                nodesPerUnit = max(nodesPerUnit, rules[i].count)
            }
            let difference = window.centreEnergy - lowest
            let base = difference <= window.energyRounding ? 0 : difference
            let sums = windowSums(window, rules: rules, weights: ruleWeights, base: base, temperature: t)
            guard sums.z > 0 else { continue }
            let (scaledMean, scaledCovariance, energy, logSum) = sums.moments(origin: [Double](repeating: 0, count: n))
            let s = window.scale
            parts.append((logSum + s.reduce(0) { $0 + log($1) }, (0..<n).map { scaledMean[$0] * s[$0] },
                          (0..<n * n).map { scaledCovariance[$0] * s[$0 / n] * s[$0 % n] }, energy, window.centre))
        }
        // The mixture, in offsets from the heaviest window's centre so that tiny widths survive.
        guard let heaviest = parts.max(by: { $0.logZ < $1.logZ }) else {
            throw .failed("at temperature \(t) exp(-E/T) underflows on every node of the windows around the minima of E")
        }
        let reference = heaviest.centre
        let relative = parts.map { exp($0.logZ - heaviest.logZ) }
        let total = relative.reduce(0, +)
        var meanOffset = [Double](repeating: 0, count: n), meanEnergy = 0.0
        var offsets: [[Double]] = []
        for (part, weight) in zip(parts, relative) {
            let offset = (0..<n).map { part.centre[$0] - reference[$0] + part.mean[$0] }
            for i in 0..<n { meanOffset[i] += weight / total * offset[i] }
            meanEnergy += weight / total * part.energy
            offsets.append(offset)
        }
        var covariance = [Double](repeating: 0, count: n * n)
        for ((part, weight), offset) in zip(zip(parts, relative), offsets) {
            for i in 0..<n {
                for j in 0..<n {
                    covariance[i * n + j] += weight / total * (part.covariance[i * n + j] + (offset[i] - meanOffset[i]) * (offset[j] - meanOffset[j]))
                }
            }
        }
        let mean = (0..<n).map { reference[$0] + meanOffset[$0] }
        // Judged without log prod s_i of the first window (-690 at T = 1e-300): a unit, not Z's
        // size; the same window at every level, so that it cancels in the change.
        let unit = windows[0].scale.reduce(0) { $0 + log($1) }
        let logSum = heaviest.logZ + log(total) - unit
        return GibbsLevel(statistics: StationaryStatistics(mean: mean, covariance: covariance, meanEnergy: lowest + meanEnergy,
                                                           logZ: logSum + unit - lowest / t, estimatedError: .infinity,
                                                           nodesPerUnit: nodesPerUnit, windows: windows.count),
                          logSum: logSum, shift: lowest)
    }
}
