import Foundation
import GSLKit

extension Formula {
    /// Parses `text` (the language of ``Formula``) by recursive descent straight to the tape.
    /// A malformed formula throws ``InvalidParameter`` naming `activation`, what was expected and
    /// the column (1-based) where it was not found.
    public init(parsing text: String) throws(InvalidParameter) {
        var parser = Parser(text: text)
        do throws(FormulaSyntaxError) {
            _ = try parser.expression()
            parser.skipSpaces()
            if parser.index < parser.characters.count {
                throw parser.failure("unexpected '\(parser.characters[parser.index])'")
            }
            guard parser.usesVariable else { throw parser.failure("the formula does not depend on x", column: 1) }
        } catch {
            throw InvalidParameter(name: "activation", reason: "'\(text)': \(error.message) at column \(error.column)")
        }
        self.text = text
        self.tape = parser.tape
        self.switchingFunctions = parser.switchingFunctions
    }
}

struct FormulaSyntaxError: Error {
    var message: String
    var column: Int
}

/// Recursive descent over the grammar
///   expression := sum;  sum := product (('+' | '-') product)*;
///   product := unary (('*' | '/') unary)*;  unary := ('-' | '+') unary | power;
///   power := primary (('^' | '**') unary)?;
///   primary := number | 'x' | 'pi' | name '(' arguments ')' | '(' sum ')',
/// emitting each node onto the tape after its operands.
private struct Parser {
    let characters: [Character]
    var index = 0
    var tape: [Formula.Instruction] = []
    var switchingFunctions: [Int] = []
    var usesVariable = false

    init(text: String) { characters = Array(text) }

    static let functions = ["exp", "log", "sqrt", "erf", "tanh", "sin", "cos", "abs", "sigmoid", "softplus",
                            "expm1", "log1p", "max", "min", "where"]

    func failure(_ message: String, column: Int? = nil) -> FormulaSyntaxError {
        FormulaSyntaxError(message: message, column: column ?? (index + 1))
    }

    mutating func emit(_ instruction: Formula.Instruction) -> Int {
        tape.append(instruction)
        return tape.count - 1
    }

    mutating func skipSpaces() {
        while index < characters.count, characters[index].isWhitespace { index += 1 }
    }

    mutating func take(_ token: String) -> Bool {
        skipSpaces()
        let chars = Array(token)
        guard index + chars.count <= characters.count, Array(characters[index..<(index + chars.count)]) == chars else {
            return false
        }
        index += chars.count
        return true
    }

    mutating func expect(_ token: String, _ what: String) throws(FormulaSyntaxError) {
        guard take(token) else {
            throw failure(index < characters.count ? "expected \(what), found '\(characters[index])'" : "expected \(what) at the end")
        }
    }

    mutating func expression() throws(FormulaSyntaxError) -> Int { try sum() }

    mutating func sum() throws(FormulaSyntaxError) -> Int {
        var left = try product()
        while true {
            if take("+") { let right = try product(); left = emit(.add(left, right)) }
            else if take("-") { let right = try product(); left = emit(.subtract(left, right)) }
            else { return left }
        }
    }

    mutating func product() throws(FormulaSyntaxError) -> Int {
        var left = try unary()
        while true {
            if take("*") { let right = try unary(); left = emit(.multiply(left, right)) }
            else if take("/") { let right = try unary(); left = emit(.divide(left, right)) }
            else { return left }
        }
    }

    mutating func unary() throws(FormulaSyntaxError) -> Int {
        if take("-") { let operand = try unary(); return emit(.negate(operand)) }
        if take("+") { return try unary() }
        return try power()
    }

    mutating func power() throws(FormulaSyntaxError) -> Int {
        let base = try primary()
        guard take("^") || take("**") else { return base }
        let exponent = try unary()
        if case .constant(let r) = tape[exponent] { return emit(.constantPower(base, r)) }
        if case .negate(let inner) = tape[exponent], case .constant(let r) = tape[inner] {
            return emit(.constantPower(base, -r))
        }
        return emit(.power(base, exponent))
    }

    mutating func primary() throws(FormulaSyntaxError) -> Int {
        skipSpaces()
        guard index < characters.count else { throw failure("expected a number, x, a function or '(' at the end") }
        let start = index
        let character = characters[index]
        if character.isNumber || character == "." {
            return emit(.constant(try number()))
        }
        if take("(") {
            let inner = try sum()
            try expect(")", "')'")
            return inner
        }
        guard character.isLetter else { throw failure("expected a number, x, a function or '(', found '\(character)'") }
        while index < characters.count, characters[index].isLetter || characters[index].isNumber || characters[index] == "_" {
            index += 1
        }
        let name = String(characters[start..<index]).lowercased()
        switch name {
        case "x":
            usesVariable = true
            return emit(.variable)
        case "pi": return emit(.constant(Double.pi))
        default: break
        }
        guard Parser.functions.contains(name) else {
            throw failure("unknown name '\(name)' (the variable is x; functions: \(Parser.functions.joined(separator: " ")))",
                          column: start + 1)
        }
        try expect("(", "'(' after \(name)")
        let result: Int
        switch name {
        case "abs":
            let a = try sum()
            switchingFunctions.append(a)
            result = emit(.abs(a))
        case "max", "min":
            let a = try sum()
            try expect(",", "',' between the two arguments of \(name)")
            let b = try sum()
            let difference = emit(.subtract(a, b))
            switchingFunctions.append(difference)
            result = emit(name == "max" ? .max(a, b, difference: difference) : .min(a, b, difference: difference))
        case "where":
            let lhs = try sum()
            skipSpaces()
            let comparison: Formula.Comparison
            if take(">=") { comparison = .greaterOrEqual }
            else if take("<=") { comparison = .lessOrEqual }
            else if take(">") { comparison = .greater }
            else if take("<") { comparison = .less }
            else { throw failure("expected a comparison (>, >=, <, <=) in the condition of where") }
            let rhs = try sum()
            let difference = emit(.subtract(lhs, rhs))
            switchingFunctions.append(difference)
            try expect(",", "',' after the condition of where")
            let decision = emit(.decide(comparison, difference: difference, elseStart: -1))
            let then = try sum()
            let skip = emit(.skip(to: -1))
            try expect(",", "',' between the two values of where")
            tape[decision] = .decide(comparison, difference: difference, elseStart: tape.count)
            let otherwise = try sum()
            tape[skip] = .skip(to: tape.count)
            result = emit(.select(decision: decision, then: then, else: otherwise))
        default:
            let a = try sum()
            result = emit(.unary(Formula.Unary(rawValue: name)!, a))
        }
        try expect(")", "')' closing \(name)(")
        return result
    }

    /// digits [. digits] [(e|E) [+|-] digits]
    mutating func number() throws(FormulaSyntaxError) -> Double {
        let start = index
        while index < characters.count, characters[index].isNumber || characters[index] == "." { index += 1 }
        if index < characters.count, characters[index] == "e" || characters[index] == "E" {
            var look = index + 1
            if look < characters.count, characters[look] == "+" || characters[look] == "-" { look += 1 }
            if look < characters.count, characters[look].isNumber {
                index = look
                while index < characters.count, characters[index].isNumber { index += 1 }
            }
        }
        let text = String(characters[start..<index])
        guard let value = Double(text), value.isFinite else {
            throw failure("'\(text)' is not a number", column: start + 1)
        }
        return value
    }
}
