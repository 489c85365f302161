import Foundation
import GSLKit

/// The named activation families with parameters, written `name` or `name:parameter` on the
/// command line. Each is evaluated by its formula (``formulaText``) in Taylor mode; those with
/// known Gaussian moments also answer in closed form (MeanField's `Activation+ClosedForms.swift`).
///
/// | spelling | phi(x) | closed form |
/// |---|---|---|
/// | `leaky_relu:a` (a = 0.01) | x for x > 0, a x otherwise | yes (arc-cosine kernel) |
/// | `elu:a` (a = 1) | x for x > 0, a (e^x - 1) otherwise | no |
/// | `selu` | lambda elu_alpha(x), Klambauer et al. 2017 | no |
/// | `mish` | x tanh(softplus(x)) | no |
/// | `tanh:g` | tanh(g x) | no (tanh:1 is the built-in tanh) |
/// | `erf:g` | erf(g x) | yes (erf:1 is the built-in erf) |
/// | `gaussian` | e^{-x^2/2} | yes |
/// | `cos` | cos x | yes |
/// | `abs` | abs x | yes (leaky relu with a = -1) |
/// | `monomial:k` (k = 1...8) | x^k | lengths |
/// | `rbf:g` (g = 1) | sqrt(2) sin(sqrt(2g) x + pi/4): E[phi phi] = e^{-g abs(u1 - u2)^2}, neural-tangents' `Rbf` | yes |
public enum ActivationFamily: Sendable, Hashable {
    case leakyRelu(slope: Double)
    case elu(alpha: Double)
    case selu
    case mish
    case tanh(gain: Double)
    case erf(gain: Double)
    case gaussian
    case cos
    case abs
    case monomial(degree: Int)
    case rbf(gamma: Double)

    /// SELU's constants (Klambauer et al. 2017, eq. 14), as in PyTorch and JAX.
    public static let seluLambda = 1.0507009873554804934193349852946
    public static let seluAlpha = 1.6732632423543772848170429916717

    /// The family names, as written on the command line.
    public static let names = ["leaky_relu", "elu", "selu", "mish", "tanh", "erf", "gaussian", "cos", "abs",
                               "monomial", "rbf"]

    /// Reads `name` or `name:parameter`; nil when `text` names no family (it may be a formula);
    /// throws when it names one with a missing or invalid parameter.
    public init?(parsing text: String) throws(InvalidParameter) {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let name = parts[0].lowercased().replacingOccurrences(of: "-", with: "_")
        guard ActivationFamily.names.contains(name) || name == "leakyrelu" else { return nil }
        var parameter: Double?
        if parts.count == 2 {
            guard let value = Double(parts[1]), value.isFinite else {
                throw InvalidParameter(name: "activation", reason: "'\(text)': the parameter of \(name) must be a finite number, got '\(parts[1])'")
            }
            parameter = value
        }
        func none() throws(InvalidParameter) {
            if parameter != nil { throw InvalidParameter(name: "activation", reason: "'\(text)': \(name) takes no parameter") }
        }
        switch name {
        case "leaky_relu", "leakyrelu": self = .leakyRelu(slope: parameter ?? 0.01)
        case "elu": self = .elu(alpha: parameter ?? 1)
        case "selu": try none(); self = .selu
        case "mish": try none(); self = .mish
        case "tanh":
            guard let parameter else { return nil }
            self = .tanh(gain: parameter)
        case "erf":
            guard let parameter else { return nil }
            self = .erf(gain: parameter)
        case "gaussian": try none(); self = .gaussian
        case "cos": try none(); self = .cos
        case "abs": try none(); self = .abs
        case "monomial":
            guard let parameter, parameter == parameter.rounded(), parameter >= 1, parameter <= 8 else {
                throw InvalidParameter(name: "activation", reason: "'\(text)': monomial:K needs a whole degree K from 1 to 8")
            }
            self = .monomial(degree: Int(parameter))
        default:
            let gamma = parameter ?? 1
            guard gamma > 0 else {
                throw InvalidParameter(name: "activation", reason: "'\(text)': the rbf scale must be > 0, got \(gamma)")
            }
            self = .rbf(gamma: gamma)
        }
        if case .tanh(let g) = self, g == 0 { throw InvalidParameter(name: "activation", reason: "'\(text)': the gain must be nonzero") }
        if case .erf(let g) = self, g == 0 { throw InvalidParameter(name: "activation", reason: "'\(text)': the gain must be nonzero") }
    }

    /// The canonical spelling, read back by ``init(parsing:)``.
    public var spec: String {
        switch self {
        case .leakyRelu(let a): "leaky_relu:\(a)"
        case .elu(let a): "elu:\(a)"
        case .selu: "selu"
        case .mish: "mish"
        case .tanh(let g): "tanh:\(g)"
        case .erf(let g): "erf:\(g)"
        case .gaussian: "gaussian"
        case .cos: "cos"
        case .abs: "abs"
        case .monomial(let k): "monomial:\(k)"
        case .rbf(let g): "rbf:\(g)"
        }
    }

    /// The formula that evaluates the family.
    public var formulaText: String {
        switch self {
        case .leakyRelu(let a): "where(x > 0, x, \(a)*x)"
        case .elu(let a): "where(x > 0, x, \(a)*expm1(x))"
        case .selu: "\(ActivationFamily.seluLambda)*where(x > 0, x, \(ActivationFamily.seluAlpha)*expm1(x))"
        case .mish: "x*tanh(softplus(x))"
        case .tanh(let g): "tanh(\(g)*x)"
        case .erf(let g): "erf(\(g)*x)"
        case .gaussian: "exp(-x^2/2)"
        case .cos: "cos(x)"
        case .abs: "abs(x)"
        case .monomial(let k): "x^\(k)"
        case .rbf(let g): "\(2.0.squareRoot())*sin(\((2 * g).squareRoot())*x + \(Double.pi / 4))"
        }
    }

    /// The activation: the built-in for tanh:1 and erf:1, otherwise the family's formula.
    public var activation: Activation {
        get throws(InvalidParameter) {
            if case .tanh(1) = self { return .tanh }
            if case .erf(1) = self { return .erf }
            return Activation(custom: try CustomActivation(formula: Formula(parsing: formulaText), family: self))
        }
    }
}
