import Foundation
import GSLKit

/// Options of the composite Gauss-Legendre rule for Gaussian expectations.
///
/// E[g(m + s y)], y ~ N(0, 1), is integrated over |y| <= `tail` (at the default 9,
/// y^2 e^{-y^2/2} = 2e-16 relative for phi growing at most linearly) on panels at most
/// `gaussianPanel` wide in y, narrower (a ``QuadratureProfile/Zone``'s panel width in u, i.e.
/// width/s in y) inside the zones where phi is not polynomial, with the kinks as breakpoints, and
/// `order` Gauss-Legendre nodes a panel. On a panel of half-width h the n-point rule's error for
/// a function with a singularity at distance d from the real axis is about rho^{-2n},
/// rho = d/h + sqrt(1 + d^2/h^2): 16 points on panels of width 2 give 7e-18 for tanh (d = pi/2). Fixed Gauss-Hermite
/// rules are not used: their nodes cannot follow phi(sqrt(q) z) as it sharpens at large q
/// (<doc:Conventions>, "Closed forms and quadrature"). ``refined`` halves every panel, for the n-versus-2n check.
public struct QuadratureOptions: Sendable, Equatable {
    public var tail: Double
    public var gaussianPanel: Double
    /// Multiplies the activation's panel width (1 = default, 0.5 = twice as fine).
    public var featureScale: Double
    public var order: Int

    public init(tail: Double = 9, gaussianPanel: Double = 2.0, featureScale: Double = 1, order: Int = 16) {
        self.tail = tail
        self.gaussianPanel = gaussianPanel
        self.featureScale = featureScale
        self.order = order
    }

    public static let standard = QuadratureOptions()

    /// Every panel halved and twice the Gauss-Legendre order: an independent, much finer rule.
    public var refined: QuadratureOptions {
        QuadratureOptions(tail: tail + 3, gaussianPanel: gaussianPanel / 2, featureScale: featureScale / 2,
                          order: 32)
    }

    /// Supported orders: 16 and 32.
    package var table: GaussLegendre { order == 32 ? .order32 : .order16 }
}

/// A composite quadrature rule for one Gaussian: nodes u_i and weights w_i with
/// E[g(u)] ~ sum_i w_i g(u_i), u ~ N(mean, sd^2). Buffers are reused between builds.
package struct GaussianRule {
    package private(set) var nodes: [Double] = []
    package private(set) var weights: [Double] = []
    /// The standard-normal coordinate y_i = (u_i - mean)/sd of each node (for Hermite projections).
    package private(set) var standardNodes: [Double] = []
    private var cuts: [Double] = []
    private var panelCounts: [Int] = []
    private var cachedCuts: [Double] = []
    private var cachedCounts: [Int] = []
    private var cachedOrder = 0

    package var count: Int { nodes.count }

    /// The most panels one rule has (65536 nodes at order 16).
    package static let maxPanels = 4096
    /// True when the last build needed more than ``maxPanels`` panels and got wider ones: its
    /// result has not the rule's accuracy.
    package private(set) var isTruncated = false

    package init() {
        nodes.reserveCapacity(512)
        weights.reserveCapacity(512)
        standardNodes.reserveCapacity(512)
    }

    /// Builds the rule for N(mean, sd^2) under `profile`; sd = 0 gives the point mass at mean.
    /// `maxStandardPanel`, if given, caps every panel's width in y (for oscillating integrands).
    package mutating func build(mean: Double, sd: Double, profile: QuadratureProfile,
                        options: QuadratureOptions, maxStandardPanel: Double = .infinity) {
        guard sd > 0 else {
            isTruncated = false
            nodes.removeAll(keepingCapacity: true)
            weights.removeAll(keepingCapacity: true)
            standardNodes.removeAll(keepingCapacity: true)
            cachedCuts.removeAll()
            nodes.append(mean)
            weights.append(1)
            standardNodes.append(0)
            return
        }
        let tail = options.tail + profile.extraTail
        cuts.removeAll(keepingCapacity: true)
        cuts.append(-tail)
        cuts.append(tail)
        for zone in profile.zones where zone.halfWidth.isFinite {
            let lower = (zone.center - zone.halfWidth - mean) / sd, upper = (zone.center + zone.halfWidth - mean) / sd
            if lower > -tail && lower < tail { cuts.append(lower) }
            if upper > -tail && upper < tail { cuts.append(upper) }
        }
        for kink in profile.kinks {
            let y = (kink - mean) / sd
            if y > -tail && y < tail { cuts.append(y) }
        }
        cuts.sort()
        let coarse = Swift.min(options.gaussianPanel, maxStandardPanel)
        // The layout in y is the cuts and the panel count of each interval; when it is the one
        // built last (common along a Newton iteration), only the u-nodes change.
        panelCounts.removeAll(keepingCapacity: true)
        var wanted = 0.0
        for k in 0..<(cuts.count - 1) {
            let a = cuts[k], b = cuts[k + 1]
            let middle = mean + sd * 0.5 * (a + b)
            var width = coarse
            for zone in profile.zones where Swift.abs(middle - zone.center) < zone.halfWidth {
                width = Swift.min(width, zone.panelWidth * options.featureScale / sd)
            }
            let count = b > a ? ((b - a) / width - 1e-9).rounded(.down) + 1 : 0
            wanted += count
            panelCounts.append(Int(Swift.min(Double(GaussianRule.maxPanels), count)))
        }
        // A zone's panels are fixed in u, so their number grows with sd: beyond maxPanels (an
        // oscillating or polynomial phi at a huge variance) the panels widen and the rule is
        // marked truncated, which the integrator reports instead of running out of memory.
        isTruncated = wanted > Double(GaussianRule.maxPanels)
        if isTruncated {
            let total = panelCounts.reduce(0, +)
            for k in panelCounts.indices where panelCounts[k] > 0 {
                panelCounts[k] = Swift.max(1, panelCounts[k] * GaussianRule.maxPanels / total)
            }
        }
        let order = options.order
        if cuts != cachedCuts || panelCounts != cachedCounts || order != cachedOrder {
            // Element copies, not buffer sharing: a shared buffer would be copied (allocated)
            // by the next in-place mutation of `cuts`.
            cachedCuts.removeAll(keepingCapacity: true)
            cachedCuts.append(contentsOf: cuts)
            cachedCounts.removeAll(keepingCapacity: true)
            cachedCounts.append(contentsOf: panelCounts)
            cachedOrder = order
            standardNodes.removeAll(keepingCapacity: true)
            weights.removeAll(keepingCapacity: true)
            let table = options.table
            let normal = 0.3989422804014327  // 1/sqrt(2 pi)
            for k in 0..<(cuts.count - 1) where panelCounts[k] > 0 {
                let a = cuts[k]
                let h = (cuts[k + 1] - a) / Double(panelCounts[k])
                let half = 0.5 * h
                for p in 0..<panelCounts[k] {
                    let center = a + (Double(p) + 0.5) * h
                    for j in 0..<table.count {
                        let y = center + half * table.nodes[j]
                        standardNodes.append(y)
                        weights.append(half * table.weights[j] * normal * Foundation.exp(-0.5 * y * y))
                    }
                }
            }
        }
        nodes.removeAll(keepingCapacity: true)
        for y in standardNodes { nodes.append(mean + sd * y) }
    }
}
