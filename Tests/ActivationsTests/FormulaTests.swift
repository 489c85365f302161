import Activations
import Foundation
import GSLKit
import Testing

/// Formulas: Taylor-mode derivatives against the built-ins' hand-written ones and against finite
/// differences, the parser's errors, and what the analysis finds (kinks, oddness, growth).
@Suite struct FormulaTests {
    /// Each built-in written as a formula.
    static let asFormulas: [(Activation, String)] = [
        (.linear, "x"), (.relu, "max(x, 0)"), (.erf, "erf(x)"), (.tanh, "tanh(x)"), (.sigmoid, "sigmoid(x)"),
        (.hardTanh, "min(max(x, -1), 1)"), (.softplus, "softplus(x)"), (.swish, "x*sigmoid(x)"),
        (.gelu, "x*(1 + erf(x/sqrt(2)))/2"), (.sin, "sin(x)"),
    ]

    @Test(arguments: asFormulas.indices)
    func taylorModeEqualsTheBuiltInsDerivatives(index: Int) throws {
        let (builtin, text) = FormulaTests.asFormulas[index]
        let formula = try Formula(parsing: text)
        for u in stride(from: -12.0, through: 12.0, by: 0.173) {
            let a = builtin.derivatives(u), b = formula.derivatives(at: u)
            for (x, y) in zip([a.d0, a.d1, a.d2, a.d3, a.d4], [b.d0, b.d1, b.d2, b.d3, b.d4]) {
                // Different but exact expressions: a few ulp of the largest derivative's size.
                #expect(abs(x - y) <= 1e-14 * max(1, abs(u)) * max(1, abs(x)), "\(text) at \(u): \(x) vs \(y)")
            }
        }
    }

    static let composites = ["x*erf(x)", "tanh(1.5*x)", "x*tanh(softplus(x))", "log1p(x^2)", "sqrt(1 + x^2)",
                             "exp(-x^2/2)*cos(2*x)", "(x^3 - x)/(1 + x^2)", "sigmoid(x)^2", "expm1(x/4) - x**2",
                             "2^x / (1 + 2^x)"]

    /// Each derivative against a central difference of the one below it (h = 1e-5: error
    /// h^2 |f'''|/6 plus eps |f|/h, below 2e-8 on these).
    @Test(arguments: composites)
    func taylorModeMatchesFiniteDifferences(text: String) throws {
        let formula = try Formula(parsing: text)
        let h = 1e-5
        for u in stride(from: -5.0, through: 5.0, by: 0.31) {
            let d = formula.derivatives(at: u), plus = formula.derivatives(at: u + h), minus = formula.derivatives(at: u - h)
            for (value, upper, lower) in [(d.d1, plus.d0, minus.d0), (d.d2, plus.d1, minus.d1),
                                          (d.d3, plus.d2, minus.d2), (d.d4, plus.d3, minus.d3)] {
                #expect(abs((upper - lower) / (2 * h) - value) < 2e-8 * max(1, abs(value)), "\(text) at \(u)")
            }
        }
    }

    /// Non-integer powers by their recurrence against the closed derivatives of u^r.
    @Test func nonIntegerPowerAgainstItsClosedForm() {
        for r in [0.5, 1.5, -0.7, 2.25] {
            for x in [0.3, 1.0, 4.0] {
                let d = TaylorSeries(variable: x).power(r).derivatives
                let expected = [pow(x, r), r * pow(x, r - 1), r * (r - 1) * pow(x, r - 2),
                                r * (r - 1) * (r - 2) * pow(x, r - 3), r * (r - 1) * (r - 2) * (r - 3) * pow(x, r - 4)]
                for (got, want) in zip([d.d0, d.d1, d.d2, d.d3, d.d4], expected) {
                    #expect(abs(got - want) <= 1e-14 * max(1, abs(want)), "x^\(r) at \(x)")
                }
            }
        }
    }

    @Test func precedenceAndSpellings() throws {
        let cases: [(String, (Double) -> Double)] = [
            ("-x^2", { -$0 * $0 }), ("2^-1*x", { 0.5 * $0 }), ("x ** 2 + 1", { $0 * $0 + 1 }),
            ("1 - 2 - x", { -1 - $0 }), ("x / 2 / 4", { $0 / 8 }), ("2^3^x", { pow(2, pow(3, $0)) }),
            ("1.5e-1*x + .5", { 0.15 * $0 + 0.5 }), ("pi*x", { Double.pi * $0 }), ("+x", { $0 }),
            ("where(x <= 1, x, 1)", { min($0, 1) }), ("where(x >= -1, x, -1)", { max($0, -1) }),
            ("where(2*x < 1, 0, x)", { 2 * $0 < 1 ? 0 : $0 }), ("abs(x - 1)", { abs($0 - 1) }),
        ]
        for (text, f) in cases {
            let formula = try Formula(parsing: text)
            for x in [-1.7, -0.3, 0.4, 1.3] {
                #expect(abs(formula.derivatives(at: x).d0 - f(x)) <= 1e-15 * max(1, abs(f(x))), "\(text) at \(x)")
            }
        }
    }

    /// Each malformed formula names what was expected and the column where it was not found.
    @Test(arguments: [
        ("tanhh(x)", "unknown name 'tanhh'", 1), ("x +* 2", "found '*'", 4), ("max(x 0)", "','", 7),
        ("(x + 1", "')'", 7), ("2*x)", "unexpected ')'", 4), ("3", "does not depend on x", 1),
        ("where(x, 1, 0)", "comparison", 8), ("x @ 2", "unexpected '@'", 3), ("1.2.3*x", "'1.2.3' is not a number", 1),
        ("", "at the end", 1),
    ])
    func malformedFormulasSayWhereAndWhy(text: String, message: String, column: Int) {
        do {
            _ = try Formula(parsing: text)
            Issue.record("'\(text)' parsed")
        } catch {
            #expect(error.name == "activation")
            #expect(error.reason.contains(message), "\(error.reason)")
            #expect(error.reason.hasSuffix("at column \(column)"), "\(error.reason)")
        }
    }

    @Test func kinksAndBreakpointsAreFound() throws {
        #expect(try Activation(parsing: "max(x, 0.1*x)").kinks == [0])
        #expect(try Activation(parsing: "abs(x - 1)").kinks == [1])
        #expect(try Activation(parsing: "min(max(x, -1), 1)").kinks == [-1, 1])
        #expect(try Activation(parsing: "max(x, 0.5*x + 1/3)").kinks.map { abs($0 - 2.0 / 3) < 1e-15 } == [true])
        #expect(try Activation(parsing: "tanh(x)").breakpoints.isEmpty)
        // elu with alpha = 1: phi' is continuous at 0 but phi'' jumps (a breakpoint, not a kink).
        let elu = try Activation(parsing: "elu:1")
        #expect(elu.kinks.isEmpty)
        #expect(elu.breakpoints.map(\.location) == [0])
        #expect(elu.breakpoints[0].left.d2 == 1 && elu.breakpoints[0].right.d2 == 0)
        let elu2 = try Activation(parsing: "elu:2")
        #expect(elu2.kinks == [0])
        #expect(elu2.breakpoints[0].slopeJump == -1)
    }

    @Test func oddnessGrowthAndHomogeneity() throws {
        #expect(try Activation(parsing: "tanh(1.5*x)").isOdd)
        #expect(try Activation(parsing: "x^3").isOdd)
        #expect(try !Activation(parsing: "mish").isOdd)
        #expect(try Activation(parsing: "leaky_relu:0.1").growth == .linear(right: 1, left: 0.1))
        #expect(try Activation(parsing: "abs").lengthGrowth == 1)
        #expect(try Activation(parsing: "elu:1").growth == .linear(right: 1, left: 0))
        #expect(try Activation(parsing: "tanh(1.5*x)").growth == .bounded)
        #expect(try Activation(parsing: "gaussian").growth == .bounded)
        #expect(try Activation(parsing: "monomial:3").growth == .polynomial(degree: 3))
        #expect(try Activation(parsing: "leaky_relu:0.1").isPositivelyHomogeneous)
        #expect(try Activation(parsing: "abs(x)").isPositivelyHomogeneous)
        #expect(try !Activation(parsing: "elu:1").isPositivelyHomogeneous)
        #expect(try !Activation(parsing: "max(x, 0.1*x + 1)").isPositivelyHomogeneous)
    }

    @Test(arguments: [
        ("log(x)", "not finite"), ("sqrt(abs(x))", "not finite"), ("where(x > 0, 1, 0)", "phi jumps at x = 0"),
        ("log(1 + exp(x))", "softplus(x)"), ("exp(x^2)", "not finite"), ("x^17*1", "grows like"),
        ("1/x", "not finite"),
    ])
    func activationsTheMapsCannotTakeAreRefused(text: String, message: String) {
        do {
            _ = try Activation(parsing: text)
            Issue.record("'\(text)' accepted")
        } catch {
            #expect(error.name == "activation")
            #expect(error.reason.contains(message), "\(error.reason)")
        }
    }

    @Test func familiesReadBackTheirSpelling() throws {
        for text in ["leaky_relu:0.1", "elu:1.0", "selu", "mish", "tanh:1.5", "erf:0.5", "gaussian", "cos", "abs",
                     "monomial:3", "rbf:2.0"] {
            let activation = try Activation(parsing: text)
            #expect(activation.name == text)
            #expect(try Activation(parsing: activation.name) == activation)
            #expect(activation.family != nil)
        }
        #expect(try Activation(parsing: "tanh:1") == .tanh)
        #expect(try Activation(parsing: "erf:1") == .erf)
        #expect(try Activation(parsing: "leaky-relu") == Activation(parsing: "leaky_relu:0.01"))
        #expect(try Activation(parsing: "x*erf(x)").fileName == "x_erf_x_")
        for bad in ["monomial:2.5", "monomial", "selu:3", "rbf:-1", "tanh:0", "leaky_relu:abc"] {
            #expect(throws: InvalidParameter.self, "\(bad)") { try Activation(parsing: bad) }
        }
    }

    /// SELU's constants make E[selu(z)] = 0 and E[selu(z)^2] = 1 for z ~ N(0, 1) (Klambauer et
    /// al. 2017): checked here in closed form, E[selu(z)] = lambda (n(0) + alpha (e^{1/2} Phi(-1) - 1/2))
    /// with E[e^z 1{z<0}] = e^{1/2} Phi(-1), against the formula evaluated at a few points.
    @Test func seluHasItsConstants() throws {
        let selu = try Activation(parsing: "selu")
        let lambda = ActivationFamily.seluLambda, alpha = ActivationFamily.seluAlpha
        #expect(selu.derivatives(2).d0 == lambda * 2)
        #expect(abs(selu.derivatives(-1).d0 - lambda * alpha * expm1(-1)) < 1e-15)
        let mean = lambda * (0.3989422804014327 + alpha * (exp(0.5) * 0.5 * erfc(1 / 2.0.squareRoot()) - 0.5))
        #expect(abs(mean) < 1e-15)
    }
}
