import Foundation

/// An activation written as a formula in x: the parsed tree, flattened to a tape in evaluation
/// order, evaluated in Taylor mode (``TaylorSeries``) so that phi...phi'''' are exact to rounding.
///
/// The language: numbers (`1`, `0.5`, `1e-3`), `x`, `pi`; `+ - * /`, `^` or `**` (right
/// associative, binding tighter than unary minus: -x^2 = -(x^2)); the functions `exp log sqrt
/// erf tanh sin cos abs sigmoid softplus expm1 log1p`, `max(a, b)`, `min(a, b)` and
/// `where(a > b, then, else)` with `>`, `>=`, `<`, `<=`. `abs`, `max`, `min` and `where` are the
/// switches: their switching function (the argument of abs, a - b for max, min and the
/// comparison) crossing 0 is where phi may have a kink.
public struct Formula: Sendable, Hashable, CustomStringConvertible {
    /// The text as written.
    public let text: String
    let tape: [Instruction]
    /// Tape positions of the switching functions, one per switch.
    let switchingFunctions: [Int]

    public var description: String { text }

    public static func == (a: Formula, b: Formula) -> Bool { a.text == b.text }
    public func hash(into hasher: inout Hasher) { hasher.combine(text) }

    enum Unary: String, CaseIterable, Sendable {
        case exp, log, sqrt, erf, tanh, sin, cos, sigmoid, softplus, expm1, log1p
    }

    enum Comparison: String, Sendable {
        case greater = ">", greaterOrEqual = ">=", less = "<", lessOrEqual = "<="
    }

    /// One step of the tape; operands are earlier tape positions.
    enum Instruction: Sendable {
        case variable
        case constant(Double)
        case add(Int, Int), subtract(Int, Int), multiply(Int, Int), divide(Int, Int)
        case negate(Int)
        case power(Int, Int)
        case constantPower(Int, Double)
        case unary(Unary, Int)
        /// abs(a): sign of the switching function a.
        case abs(Int)
        /// max/min of (a, b), switching on a - b (the tape position given).
        case max(Int, Int, difference: Int), min(Int, Int, difference: Int)
        /// where(lhs OP rhs, then, else), switching on lhs - rhs: `decide` evaluates the
        /// comparison (its value 1 or 0) and, evaluating lazily, jumps to the else branch when it
        /// fails; `skip` ends the then branch by jumping past the else branch; `select` reads the
        /// decision and takes the branch's value.
        case decide(Comparison, difference: Int, elseStart: Int)
        case skip(to: Int)
        case select(decision: Int, then: Int, else: Int)
    }

    /// phi...phi'''' at x. `side` = +1 or -1 takes every switch whose switching function is
    /// exactly 0 at x from that side (the one-sided limits at a kink); 0 decides by the value
    /// alone, as the comparisons read.
    public func derivatives(at x: Double, side: Double = 0) -> Activation.Derivatives {
        series(at: x, side: side).derivatives
    }

    /// The Taylor series of phi at x. The branch of `where` not taken is skipped,
    /// unless `switches` asks for the value of every switching function (then all are evaluated).
    func series(at x: Double, side: Double = 0, switches: ((Int, Double) -> Void)? = nil) -> TaylorSeries {
        evaluate(at: x, side: side, switches: switches)
    }

    /// (phi, phi') at x, in first-order forward mode.
    public func valueAndSlope(at x: Double) -> (Double, Double) {
        let d: DualNumber = evaluate(at: x, side: 0, switches: nil)
        return (d.value, d.slope)
    }

    private func evaluate<N: FormulaNumber>(at x: Double, side: Double, switches: ((Int, Double) -> Void)?) -> N {
        let lazy = switches == nil
        return withUnsafeTemporaryAllocation(of: N.self, capacity: tape.count) { values in
            let base = values.baseAddress!
            var position = 0
            while position < tape.count {
                let result: N
                var next = position + 1
                switch tape[position] {
                case .variable: result = N(variable: x)
                case .constant(let c): result = N(constant: c)
                case .add(let a, let b): result = values[a] + values[b]
                case .subtract(let a, let b): result = values[a] - values[b]
                case .multiply(let a, let b): result = values[a] * values[b]
                case .divide(let a, let b): result = values[a] / values[b]
                case .negate(let a): result = -values[a]
                case .power(let a, let b): result = (values[b] * values[a].log).exp
                case .constantPower(let a, let r): result = values[a].power(r)
                case .unary(let f, let a): result = Formula.apply(f, values[a])
                case .abs(let a):
                    result = Formula.sign(values[a], side) < 0 ? -values[a] : values[a]
                case .max(let a, let b, let d):
                    result = Formula.sign(values[d], side) >= 0 ? values[a] : values[b]
                case .min(let a, let b, let d):
                    result = Formula.sign(values[d], side) <= 0 ? values[a] : values[b]
                case .decide(let comparison, let d, let elseStart):
                    let s = Formula.sign(values[d], side)
                    let holds = switch comparison {
                    case .greater: s > 0
                    case .greaterOrEqual: s >= 0
                    case .less: s < 0
                    case .lessOrEqual: s <= 0
                    }
                    result = N(constant: holds ? 1 : 0)
                    if lazy && !holds { next = elseStart }
                case .skip(let target):
                    result = N(constant: 0)
                    // Reached lazily only when the condition held: the else branch is not needed.
                    if lazy { next = target }
                case .select(let decision, let then, let otherwise):
                    result = values[decision][0] == 1 ? values[then] : values[otherwise]
                }
                (base + position).initialize(to: result)
                position = next
            }
            if let switches {
                for (index, position) in switchingFunctions.enumerated() { switches(index, values[position][0]) }
            }
            return values[tape.count - 1]
        }
    }

    /// The sign of a switching function at x: its value's, or where that is exactly 0 and a side
    /// is asked for, that of its first nonzero Taylor coefficient seen from the side.
    private static func sign<N: FormulaNumber>(_ s: N, _ side: Double) -> Double {
        if s[0] != 0 || side == 0 { return s[0] > 0 ? 1 : s[0] < 0 ? -1 : 0 }
        var power = side
        for k in 1...N.order {
            if s[k] != 0 { return s[k] * power > 0 ? 1 : -1 }
            power *= side
        }
        return 0
    }

    private static func apply<N: FormulaNumber>(_ f: Unary, _ u: N) -> N {
        switch f {
        case .exp: u.exp
        case .log: u.log
        case .sqrt: u.squareRoot
        case .erf: u.erf
        case .tanh: u.tanh
        case .sin: u.sinAndCos.sin
        case .cos: u.sinAndCos.cos
        case .sigmoid: u.sigmoid
        case .softplus: u.softplus
        case .expm1: u.expm1
        case .log1p: u.log1p
        }
    }
}
