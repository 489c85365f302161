import Foundation
import Activations
import GSLKit
import Testing

/// Each derivative formula against a central finite difference of the one below it.
@Suite struct ActivationTests {
    static let smooth: [Activation] = [.linear, .erf, .tanh, .sigmoid, .softplus, .swish, .gelu, .sin]

    @Test(arguments: smooth)
    func derivativesMatchFiniteDifferences(activation: Activation) {
        let h = 1e-5
        for u in stride(from: -6.0, through: 6.0, by: 0.37) {
            let d = activation.derivatives(u)
            let plus = activation.derivatives(u + h), minus = activation.derivatives(u - h)
            // Central difference error ~ h^2 |f'''|/6 plus rounding ~ eps |f| / h.
            for (value, upper, lower) in [(d.d1, plus.d0, minus.d0), (d.d2, plus.d1, minus.d1),
                                          (d.d3, plus.d2, minus.d2), (d.d4, plus.d3, minus.d3)] {
                let difference = (upper - lower) / (2 * h)
                #expect(abs(difference - value) < 2e-8 * max(1, abs(u)), "\(activation) at u = \(u)")
            }
        }
    }

    @Test func valuesAgainstFoundation() {
        for u in [-30.0, -3, -0.5, -1e-9, 0, 1e-9, 0.5, 3, 30] {
            #expect(abs(Activation.tanh.derivatives(u).d0 - tanh(u)) <= 2e-16 * max(1, abs(tanh(u))))
            #expect(abs(Activation.sigmoid.derivatives(u).d0 - 1 / (1 + exp(-u))) < 1e-16)
            #expect(abs(Activation.softplus.derivatives(u).d0 - log1p(exp(u))) < 1e-15 * max(1, abs(u)))
            #expect(Activation.relu.derivatives(u).d0 == max(u, 0))
            #expect(Activation.hardTanh.derivatives(u).d0 == min(1, max(-1, u)))
        }
        // Tails without cancellation: 1 - tanh^2 and s(1 - s) at large |u|.
        #expect(abs(Activation.tanh.derivatives(20).d1 / (4 * exp(-40)) - 1) < 1e-12)
        #expect(abs(Activation.sigmoid.derivatives(-40).d1 / exp(-40) - 1) < 1e-12)
    }

    @Test func namesAndAliases() throws {
        #expect(try Activation(parsing: "logistic") == .sigmoid)
        #expect(try Activation(parsing: "SiLU") == .swish)
        #expect(try Activation(parsing: "hard-tanh") == .hardTanh)
        #expect(throws: InvalidParameter.self) { try Activation(parsing: "softsign") }
    }
}
