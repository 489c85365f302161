import Foundation
import GSLKit

/// A pointwise nonlinearity phi, as a value: one of the ten built-ins (with their closed forms
/// and hand-written derivatives), a named family with parameters (``ActivationFamily``:
/// `leaky_relu:0.1`, `elu:1`, `selu`, `mish`, `tanh:1.5`, ...) or any formula in x
/// (``Formula``: `x*erf(x)`, `where(x > 0, x, expm1(x))`), whose derivatives come from
/// Taylor-mode automatic differentiation.
///
/// Every quadrature, map, fixed point, critical line, phase diagram, finite-width recursion,
/// embedding and simulation takes an `Activation`. What they need of phi beyond its values is
/// declared here: its ``breakpoints`` (where a derivative jumps; at the ``kinks`` phi' jumps and
/// phi'' carries a Dirac delta, whose Gaussian moments are taken from the one-sided limits),
/// whether it is odd, how it grows (``Growth``), and where quadrature panels must be fine
/// (``quadratureProfile``). For a family or formula these are found once, when the value is made
/// (``CustomActivation``).
public struct Activation: Sendable, Hashable, CustomStringConvertible {
    /// The built-in activations, each with hand-written derivatives and, where known, closed forms.
    public enum Builtin: String, CaseIterable, Sendable {
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
    }

    @usableFromInline enum Storage: Sendable, Hashable {
        case builtin(Builtin)
        case custom(CustomActivation)
    }

    @usableFromInline let storage: Storage

    public init(_ builtin: Builtin) { storage = .builtin(builtin) }

    init(custom: CustomActivation) { storage = .custom(custom) }

    public static let linear = Activation(.linear)
    public static let relu = Activation(.relu)
    public static let erf = Activation(.erf)
    public static let tanh = Activation(.tanh)
    public static let sigmoid = Activation(.sigmoid)
    public static let hardTanh = Activation(.hardTanh)
    public static let softplus = Activation(.softplus)
    public static let swish = Activation(.swish)
    public static let gelu = Activation(.gelu)
    public static let sin = Activation(.sin)

    /// The ten built-ins.
    public static let builtins: [Activation] = Builtin.allCases.map(Activation.init)

    /// phi and its first four derivatives at one point.
    public struct Derivatives: Sendable, Equatable {
        public var d0, d1, d2, d3, d4: Double
        @inlinable public init(_ d0: Double, _ d1: Double, _ d2: Double, _ d3: Double, _ d4: Double) {
            (self.d0, self.d1, self.d2, self.d3, self.d4) = (d0, d1, d2, d3, d4)
        }
    }

    /// A point where phi or one of its derivatives up to the fourth jumps, with the one-sided
    /// limits of all five on either side.
    public struct Breakpoint: Sendable, Equatable {
        public var location: Double
        public var left: Derivatives
        public var right: Derivatives

        /// The jump of phi' (nonzero at a kink).
        public var slopeJump: Double { right.d1 - left.d1 }
    }

    /// How |phi(u)| grows as |u| -> infinity: it fixes the length map's asymptotic ratio and the
    /// quadrature's tail.
    public enum Growth: Sendable, Equatable {
        /// |phi| bounded (or growing slower than any power).
        case bounded
        /// phi(u) ~ right u as u -> +infinity and ~ left u as u -> -infinity.
        case linear(right: Double, left: Double)
        /// |phi| ~ |u|^degree, degree > 1.
        case polynomial(degree: Double)
    }

    /// The built-in this is, if it is one.
    public var builtin: Builtin? {
        if case .builtin(let b) = storage { return b }
        return nil
    }

    /// The named family this is, if it is one.
    public var family: ActivationFamily? {
        if case .custom(let c) = storage { return c.family }
        return nil
    }

    /// The formula a family or a formula activation is evaluated by.
    public var formula: Formula? {
        if case .custom(let c) = storage { return c.formula }
        return nil
    }

    /// The canonical spelling: the built-in's name, the family's `name:parameter`, or the formula.
    /// ``init(parsing:)`` reads it back to the same activation.
    public var name: String {
        switch storage {
        case .builtin(let b): b.rawValue
        case .custom(let c): c.name
        }
    }

    public var description: String { name }

    /// The name with every character other than letters, digits, '.', '_' and '-' replaced by
    /// '_', for file names (`tanh`, `leaky_relu_0.1`, `x_erf_x_`).
    public var fileName: String {
        String(name.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" ? $0 : "_" })
    }

    /// Reads an activation: a built-in's name or alias (`logistic`, `silu`, `hard-tanh`,
    /// `identity`), a family (`leaky_relu:0.1`, see ``ActivationFamily``) or a formula in x.
    /// Throws ``InvalidParameter`` naming `activation` with the reason (for a formula, the column).
    public init(parsing text: String) throws(InvalidParameter) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let builtin = Activation.builtin(named: trimmed) {
            self.init(builtin)
        } else if let family = try ActivationFamily(parsing: trimmed) {
            self = try family.activation
        } else if !trimmed.isEmpty, trimmed.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }), trimmed.lowercased() != "x" {
            throw InvalidParameter(name: "activation", reason: "unknown activation '\(trimmed)': the built-ins are \(Builtin.allCases.map(\.rawValue).joined(separator: ", ")); the families \(ActivationFamily.names.joined(separator: ", ")) (name:parameter); or write a formula in x")
        } else {
            try self.init(formula: Formula(parsing: trimmed))
        }
    }

    /// An activation given by a formula; throws when phi is not finite on the real line, jumps,
    /// or grows faster than |x|^16.
    public init(formula: Formula) throws(InvalidParameter) {
        self.init(custom: try CustomActivation(formula: formula, family: nil))
    }

    private static func builtin(named name: String) -> Builtin? {
        switch name.lowercased() {
        case "logistic", "sigmoid": .sigmoid
        case "hard-tanh", "hardtanh", "hard_tanh": .hardTanh
        case "silu", "swish": .swish
        case "identity", "linear": .linear
        default: Builtin(rawValue: name.lowercased())
        }
    }

    /// phi(-u) = -phi(u).
    public var isOdd: Bool {
        switch storage {
        case .builtin(let b):
            switch b {
            case .linear, .erf, .tanh, .hardTanh, .sin: true
            case .relu, .sigmoid, .softplus, .swish, .gelu: false
            }
        case .custom(let c): c.isOdd
        }
    }

    public var growth: Growth {
        switch storage {
        case .builtin(let b):
            switch b {
            case .linear: .linear(right: 1, left: 1)
            case .relu, .softplus, .swish, .gelu: .linear(right: 1, left: 0)
            case .erf, .tanh, .sigmoid, .hardTanh, .sin: .bounded
            }
        case .custom(let c): c.growth
        }
    }

    /// lim E_q[phi^2] / q as q -> infinity, (c_+^2 + c_-^2) / 2 for phi(u) ~ c_+- u as u -> +-infinity:
    /// 1 for linear, 1/2 for relu, softplus, swish and gelu, 0 for the bounded activations,
    /// infinity for polynomial growth. sigma_w^2 times it is the length map's asymptotic ratio V(q)/q.
    public var lengthGrowth: Double {
        switch growth {
        case .bounded: 0
        case .linear(let right, let left): 0.5 * (right * right + left * left)
        case .polynomial: .infinity
        }
    }

    /// phi(a u) = a phi(u) for a > 0, so that E_q[phi^2] = q E_1[phi^2] exactly (linear, relu,
    /// leaky relu, abs).
    public var isPositivelyHomogeneous: Bool {
        switch storage {
        case .builtin(let b): b == .linear || b == .relu
        case .custom(let c): c.isPositivelyHomogeneous
        }
    }

    /// Where phi or a derivative up to the fourth jumps: the quadrature's panel boundaries.
    public var breakpoints: [Breakpoint] {
        switch storage {
        case .builtin(.relu):
            [Breakpoint(location: 0, left: .init(0, 0, 0, 0, 0), right: .init(0, 1, 0, 0, 0))]
        case .builtin(.hardTanh):
            [Breakpoint(location: -1, left: .init(-1, 0, 0, 0, 0), right: .init(-1, 1, 0, 0, 0)),
             Breakpoint(location: 1, left: .init(1, 1, 0, 0, 0), right: .init(1, 0, 0, 0, 0))]
        case .builtin: []
        case .custom(let c): c.breakpoints
        }
    }

    /// Points where phi' jumps; phi'' carries a Dirac delta there.
    public var kinks: [Double] { breakpoints.filter { $0.slopeJump != 0 }.map(\.location) }

    /// Evaluates phi and its first four derivatives at `u`, each without cancellation
    /// (formulas in Activation+Kernels.swift; Taylor mode for families and formulas).
    public func derivatives(_ u: Double) -> Derivatives {
        withKernel(Evaluate(u: u))
    }

    /// (phi(u), phi'(u)) alone: cheaper for a formula (Taylor mode at degree 1).
    public func valueAndSlope(_ u: Double) -> (Double, Double) {
        withKernel(EvaluateValueAndSlope(u: u))
    }
}
