/// Where an activation needs fine quadrature panels.
///
/// Every activation here is smooth (analytic in a strip |Im u| < d) except at its kinks, and
/// away from |u| <= H it equals a polynomial to below 1e-17 relative (tanh and erf saturate, the
/// logistic family tends to 0 or u). Inside that zone the quadrature panels may be at most
/// Delta wide in u (Delta set by d); outside, the Gaussian alone sets the panel width. Smoothed
/// kinks (in two-dimensional integrals) add zones of their own.
public struct QuadratureProfile: Sendable, Equatable {
    /// An interval |u - center| <= halfWidth where panels may be at most panelWidth wide in u.
    public struct Zone: Sendable, Equatable {
        public var center: Double
        public var halfWidth: Double
        public var panelWidth: Double

        public init(center: Double, halfWidth: Double, panelWidth: Double) {
            (self.center, self.halfWidth, self.panelWidth) = (center, halfWidth, panelWidth)
        }
    }

    /// Zones of fine panels (infinite halfWidth: everywhere).
    public var zones: [Zone]
    /// Points of non-smoothness, always panel boundaries.
    public var kinks: [Double]
    /// Added to the rule's tail in y, for phi growing faster than linearly (|phi|^4 ~ |u|^{4 degree}).
    public var extraTail: Double = 0

    public init(halfWidth: Double, panelWidth: Double, kinks: [Double]) {
        zones = halfWidth > 0 ? [Zone(center: 0, halfWidth: halfWidth, panelWidth: panelWidth)] : []
        self.kinks = kinks
    }
}

extension Activation {
    /// The built-ins' profiles from their analytic strips; a family's or formula's calibrated
    /// when it was made (``CustomActivation``).
    public var quadratureProfile: QuadratureProfile {
        switch storage {
        case .builtin(let builtin): builtin.quadratureProfile
        case .custom(let custom): custom.profile
        }
    }
}

extension Activation.Builtin {
    var quadratureProfile: QuadratureProfile {
        switch self {
        // Polynomial pieces: the Gaussian alone sets the panels; kinks are breakpoints.
        case .linear: QuadratureProfile(halfWidth: 0, panelWidth: .infinity, kinks: [])
        case .relu: QuadratureProfile(halfWidth: 0, panelWidth: .infinity, kinks: [0])
        case .hardTanh: QuadratureProfile(halfWidth: 0, panelWidth: .infinity, kinks: [-1, 1])
        // tanh: poles at +-i pi/2, |tanh u - sign u| < 2e^{-2|u|}.
        case .tanh: QuadratureProfile(halfWidth: 21, panelWidth: 2.0, kinks: [])
        // erf: entire, |erf u - sign u| < e^{-u^2}.
        case .erf: QuadratureProfile(halfWidth: 7, panelWidth: 1.5, kinks: [])
        // logistic family: poles/branch points at +-i pi, deviations ~ |u| e^{-|u|}.
        case .sigmoid, .softplus: QuadratureProfile(halfWidth: 42, panelWidth: 3.0, kinks: [])
        case .swish: QuadratureProfile(halfWidth: 46, panelWidth: 3.0, kinks: [])
        // gelu: entire, deviation ~ u e^{-u^2/2}.
        case .gelu: QuadratureProfile(halfWidth: 10, panelWidth: 1.5, kinks: [])
        // sin: oscillates everywhere.
        case .sin: QuadratureProfile(halfWidth: .infinity, panelWidth: 2.0, kinks: [])
        }
    }
}
