import Foundation

/// A pointwise nonlinearity phi with its derivatives phi', phi'', phi''', phi''''.
///
/// For the kinked activations (``relu``, ``hardTanh``) phi'' is a sum of Dirac deltas: the
/// pointwise value returned here is its regular part (zero), and every Gaussian moment that
/// involves the deltas is taken from a closed form (``Activation/closedFormLength(q:)``).
public enum Activation: String, CaseIterable, Sendable, Codable {
    case linear
    case relu
    case erf
    case tanh
    case sigmoid
    case hardTanh = "hardtanh"
    case softplus
    case swish
    case gelu
    case sin

    /// phi and its first four derivatives at one point.
    public struct Derivatives: Sendable, Equatable {
        public var d0, d1, d2, d3, d4: Double
        @inlinable public init(_ d0: Double, _ d1: Double, _ d2: Double, _ d3: Double, _ d4: Double) {
            (self.d0, self.d1, self.d2, self.d3, self.d4) = (d0, d1, d2, d3, d4)
        }
    }

    /// Parses a command-line name; accepts a few common aliases.
    public init?(name: String) {
        switch name.lowercased() {
        case "logistic", "sigmoid": self = .sigmoid
        case "hard-tanh", "hardtanh", "hard_tanh": self = .hardTanh
        case "silu", "swish": self = .swish
        case "identity", "linear": self = .linear
        default:
            guard let value = Activation(rawValue: name.lowercased()) else { return nil }
            self = value
        }
    }

    /// phi(-u) = -phi(u).
    public var isOdd: Bool {
        switch self {
        case .linear, .erf, .tanh, .hardTanh, .sin: true
        case .relu, .sigmoid, .softplus, .swish, .gelu: false
        }
    }

    /// lim E_q[phi^2] / q as q -> infinity, (c_+^2 + c_-^2) / 2 for phi(u) ~ c_+- u as u -> +-infinity:
    /// 1 for linear, 1/2 for relu, softplus, swish and gelu, 0 for the bounded activations.
    /// sigma_w^2 times it is the length map's asymptotic ratio V(q)/q.
    public var lengthGrowth: Double {
        switch self {
        case .linear: 1
        case .relu, .softplus, .swish, .gelu: 0.5
        case .erf, .tanh, .sigmoid, .hardTanh, .sin: 0
        }
    }

    /// phi(a u) = a phi(u) for a > 0, so that E_q[phi^2] = q E_1[phi^2] exactly (linear, relu).
    public var isPositivelyHomogeneous: Bool { self == .linear || self == .relu }

    /// Points where phi' jumps; phi'' carries a Dirac delta there.
    public var kinks: [Double] {
        switch self {
        case .relu: [0]
        case .hardTanh: [-1, 1]
        default: []
        }
    }

    /// Evaluates phi and its first four derivatives at `u`, each without cancellation
    /// (formulas in Activation+Kernels.swift).
    public func derivatives(_ u: Double) -> Derivatives {
        withKernel(Evaluate(u: u))
    }
}
