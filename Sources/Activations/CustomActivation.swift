import Foundation
import GSLKit

/// A family or formula activation with what the quadratures need of it, found once when it is
/// made: its breakpoints, oddness, growth, positive homogeneity and quadrature profile.
///
/// All of it is read off phi on a scan of the real line: x = 0, every multiple of 1/64 up to
/// |x| = 64 and the powers 2^7...2^40 (|u| up to 1e12, the nodes of q up to 1e22).
/// - Breakpoints: each switch's switching function (``Formula``) changing sign between scan
///   points is bisected to adjacent doubles; the one-sided limits there decide whether a
///   derivative jumps. A jump of phi itself is refused (chi_1 would be infinite). Two sign changes
///   between the same pair of scan points (closer than 1/64 near 0) cancel and go unseen.
/// - Finiteness: phi...phi'''' must be finite at every scan point (log(x) is not).
/// - Growth: the slope of log|phi| against log|x| between 2^39 and 2^40; linear tails keep
///   their slopes (difference quotients there); beyond |x|^16 is refused.
/// - Profile: fine panels where phi'' is not negligible against phi and x phi' (the zone
///   |x| <= H), their width the largest of 2, 1, 1/2, ... for which E_q[phi^2] and E_q[phi'^2] agree
///   with a rule of half the width and twice the order to 1e-13 at q = 1e-2, 1 and 10 (those of
///   them whose rules stay within the panel cap; at larger q the finer rule's own rounding, summed
///   over ten thousand nodes of an oscillating integrand, reaches 1e-14).
@usableFromInline final class CustomActivation: Sendable, Hashable {
    let name: String
    @usableFromInline let formula: Formula
    let family: ActivationFamily?
    let breakpoints: [Activation.Breakpoint]
    let isOdd: Bool
    let isPositivelyHomogeneous: Bool
    let growth: Activation.Growth
    let profile: QuadratureProfile

    @usableFromInline static func == (a: CustomActivation, b: CustomActivation) -> Bool { a.name == b.name }
    @usableFromInline func hash(into hasher: inout Hasher) { hasher.combine(name) }

    static let scan: [Double] = {
        var positive = (1...4096).map { Double($0) / 64 }
        positive += (7...40).map { Foundation.pow(2, Double($0)) }
        return positive.reversed().map { -$0 } + [0] + positive
    }()

    init(formula: Formula, family: ActivationFamily?) throws(InvalidParameter) {
        name = family?.spec ?? formula.text
        self.formula = formula
        self.family = family
        func fail(_ reason: String) -> InvalidParameter {
            InvalidParameter(name: "activation", reason: "'\(formula.text)': \(reason)")
        }

        // Values and switching functions on the scan.
        let scan = CustomActivation.scan
        var values: [Activation.Derivatives] = []
        values.reserveCapacity(scan.count)
        var switches = [[Double]](repeating: [], count: formula.switchingFunctions.count)
        for x in scan {
            values.append(formula.series(at: x, switches: { switches[$0].append($1) }).derivatives)
        }
        // The failure nearest 0 is the one to report (log(x) at 0, not at -1e12).
        for i in scan.indices.sorted(by: { Swift.abs(scan[$0]) < Swift.abs(scan[$1]) }) {
            let d = values[i], x = scan[i]
            for (order, value) in [d.d0, d.d1, d.d2, d.d3, d.d4].enumerated() where !value.isFinite {
                let what = order == 0 ? "phi" : "phi" + String(repeating: "'", count: order)
                let text = formula.text
                let hint = Swift.abs(x) > 700 && text.contains("exp(") && (text.contains("log(") || text.contains("/("))
                    ? " (exp overflows beyond 709: write softplus(x) for log(1 + exp(x)), sigmoid(x) for 1/(1 + exp(-x)))" : ""
                throw fail("\(what)(\(x)) = \(value) is not finite: Gaussian moments need phi and its first four derivatives finite on the whole real line\(hint)")
            }
        }

        // Breakpoints: sign changes (or exact zeros) of every switching function.
        var found: [Activation.Breakpoint] = []
        for index in formula.switchingFunctions.indices {
            let s = switches[index]
            for i in scan.indices {
                var bracket: (Double, Double)?
                if s[i] == 0 { bracket = (scan[i], scan[i]) }
                else if i + 1 < scan.count, s[i + 1] != 0, (s[i] < 0) != (s[i + 1] < 0) {
                    bracket = CustomActivation.bisect(formula, index, scan[i], scan[i + 1], negativeBelow: s[i] < 0)
                }
                guard let (lo, hi) = bracket else { continue }
                let left = formula.derivatives(at: lo, side: -1), right = formula.derivatives(at: hi, side: 1)
                let scale = 1 + Swift.max(Swift.abs(left.d0), Swift.abs(right.d0))
                if Swift.abs(left.d0 - right.d0) > 1e-12 * scale {
                    throw fail("phi jumps at x = \(lo) (from \(left.d0) to \(right.d0)): the mean-field maps need a continuous phi (chi_1 would be infinite)")
                }
                let jumps = zip([left.d1, left.d2, left.d3, left.d4], [right.d1, right.d2, right.d3, right.d4]).contains {
                    Swift.abs($0 - $1) > 1e-13 * (1 + Swift.abs($0) + Swift.abs($1))
                }
                guard jumps else { continue }
                let location = Swift.abs(s[i]) == 0 ? lo : (lo == hi ? lo : hi)
                if !found.contains(where: { $0.location == location }) {
                    found.append(.init(location: location, left: left, right: right))
                }
            }
        }
        breakpoints = found.sorted { $0.location < $1.location }

        let zero = formula.derivatives(at: 0)
        let positives = scan.indices.filter { scan[$0] > 0 }
        let tolerance = { (a: Double, b: Double) in Swift.abs(a - b) <= 8 * Double.ulpOfOne * Swift.max(Swift.abs(a), Swift.abs(b)) }
        let middle = scan.count / 2
        isOdd = zero.d0 == 0 && positives.allSatisfy { tolerance(-values[2 * middle - $0].d0, values[$0].d0) }

        // Growth from the far tails.
        let far = 0x1p40, near = 0x1p39
        var degree = -Double.infinity
        var slopes: [Double] = []
        for sign in [1.0, -1.0] {
            let a = formula.derivatives(at: sign * far).d0, b = formula.derivatives(at: sign * near).d0
            if a != 0 && b != 0 { degree = Swift.max(degree, Foundation.log2(Swift.abs(a / b))) }
            slopes.append((a - b) / (far - near) * sign)
        }
        if degree < 0.5 {
            growth = .bounded
        } else if Swift.abs(degree - 1) < 0.01 {
            growth = .linear(right: slopes[0], left: slopes[1])
        } else if degree <= 16 {
            growth = .polynomial(degree: degree)
        } else {
            throw fail("|phi| grows like |x|^\(degree) or faster: Gaussian moments of phi^4 would need more than the quadrature's tail")
        }

        let homogeneous = zero.d0 == 0 && positives.allSatisfy { i in
            let x = scan[i]
            return [2.0, 3.5].allSatisfy { a in
                tolerance(formula.derivatives(at: a * x).d0, a * values[i].d0)
                    && tolerance(formula.derivatives(at: -a * x).d0, a * formula.derivatives(at: -x).d0)
            }
        }
        isPositivelyHomogeneous = homogeneous && breakpoints.allSatisfy { $0.location == 0 }

        profile = CustomActivation.calibratedProfile(formula: formula, values: values, scan: scan,
                                                     breakpoints: breakpoints.map(\.location), growth: growth)
    }

    /// Adjacent doubles (lo, hi) bracketing the sign change of switching function `index`.
    private static func bisect(_ formula: Formula, _ index: Int, _ a: Double, _ b: Double,
                               negativeBelow: Bool) -> (Double, Double) {
        var lo = a, hi = b
        for _ in 0..<200 {
            let mid = 0.5 * (lo + hi)
            guard mid > lo, mid < hi else { break }
            var s = 0.0
            _ = formula.series(at: mid, switches: { if $0 == index { s = $1 } })
            if s == 0 { return (mid, mid) }
            if (s < 0) == negativeBelow { lo = mid } else { hi = mid }
        }
        return (lo, hi)
    }

    private static func calibratedProfile(formula: Formula, values: [Activation.Derivatives], scan: [Double],
                                          breakpoints: [Double], growth: Activation.Growth) -> QuadratureProfile {
        // The zone: beyond H, phi'' is below 1e-16 of phi, x phi' and phi's size near 0.
        let size = zip(scan, values).filter { Swift.abs($0.0) <= 1 }.map { Swift.abs($0.1.d0) + Swift.abs($0.1.d1) }.max() ?? 1
        var halfWidth = 0.0
        for (x, d) in zip(scan, values) {
            let featured = Swift.abs(d.d2) * (1 + x * x) > 1e-16 * (Swift.abs(d.d0) + Swift.abs(x * d.d1) + size)
            if featured { halfWidth = Swift.max(halfWidth, Swift.abs(x) + 1) }
        }
        if halfWidth > 4096 { halfWidth = .infinity }
        var extraTail = 0.0
        if case .polynomial(let degree) = growth {
            // The tail where y^{4 degree} e^{-y^2/2} / E[y^{4 degree}] is as small as y^4 e^{-y^2/2} / 3 at y = 9.
            let m = 2 * degree
            let logMoment = lgamma(2 * m + 1) - m * Foundation.log(2.0) - lgamma(m + 1)
            let target = 4 * Foundation.log(9.0) - 40.5 - Foundation.log(3.0)
            var y = 9.0
            while 2 * m * Foundation.log(y) - 0.5 * y * y - logMoment > target { y += 0.5 }
            extraTail = y - 9
        }
        func profile(_ width: Double) -> QuadratureProfile {
            var p = QuadratureProfile(halfWidth: halfWidth, panelWidth: width, kinks: breakpoints)
            p.extraTail = extraTail
            return p
        }
        guard halfWidth > 0 else { return profile(.infinity) }
        var coarse = GaussianRule(), fine = GaussianRule()
        func moments(_ rule: GaussianRule) -> (Double, Double) {
            var phi2 = 0.0, dphi2 = 0.0
            for i in 0..<rule.count {
                let d = formula.derivatives(at: rule.nodes[i])
                phi2 += rule.weights[i] * d.d0 * d.d0
                dphi2 += rule.weights[i] * d.d1 * d.d1
            }
            return (phi2, dphi2)
        }
        var width = 2.0
        for _ in 0..<7 {
            let agrees = [1e-2, 1, 10].allSatisfy { q in
                coarse.build(mean: 0, sd: q.squareRoot(), profile: profile(width), options: .standard)
                fine.build(mean: 0, sd: q.squareRoot(), profile: profile(width / 2), options: QuadratureOptions.standard.refined)
                // A variance whose rules hit the panel cap says nothing about the width.
                if coarse.isTruncated || fine.isTruncated { return true }
                let (a, b) = (moments(coarse), moments(fine))
                return Swift.abs(a.0 - b.0) <= 1e-13 * Swift.abs(b.0) + 1e-300 && Swift.abs(a.1 - b.1) <= 1e-13 * Swift.abs(b.1) + 1e-300
            }
            if agrees { break }
            width /= 2
        }
        return profile(width)
    }
}
