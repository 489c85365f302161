import Activations
import Foundation
import Testing
@testable import Residual

/// Each scheme's tableau, Dormand-Prince's stepped with a fixed step included, converges at the order its tableau states, measured: on
/// x' = x + t (the near-identity field with g = identity, A = 0 and c(t) = t between two knots,
/// so that the stage times c_i h are exercised too), exact x(1) = (x0 + 1) e - 2, the error
/// falls by 2^p when the step is halved.
@Suite struct ExplicitRungeKuttaOrderTests {
    @Test(arguments: [ExplicitRungeKutta.euler, .midpoint, .rk4, .dopri5])
    func empiricalOrderIsTheStatedOne(scheme: ExplicitRungeKutta) throws {
        let field = try NearIdentityField(a: [0, 0], c: [0, 1], dimension: 1, knots: 2, g: .linear)
        let x0 = 0.5, exact = (x0 + 1) * M_E - 2
        func error(_ steps: Int) -> Double { abs(scheme.integrate(field, from: [x0], batch: 1, steps: steps).final[0] - exact) }
        // Steps where the error is far above rounding (rk4 at 32 steps: ~1e-8) and in the asymptotic range.
        let coarse = error(16), fine = error(32)
        let measured = log2(coarse / fine)
        #expect(abs(measured - Double(scheme.order)) < 0.15, "\(scheme.name): measured order \(measured), stated \(scheme.order)")
    }
}

/// Dormand-Prince's embedded weights give a fourth-order solution: with b* as the weights, the
/// same halving measures order 4, and b - b* are the error weights Dopri5 stepped with.
@Suite struct EmbeddedPairTests {
    @Test func theEmbeddedSolutionIsFourthOrder() throws {
        let pair = ExplicitRungeKutta.dopri5, embedded = try #require(pair.embedded)
        let lower = ExplicitRungeKutta(name: "dopri5-embedded", a: pair.a, b: embedded, order: 4, nodes: pair.nodes)
        let field = try NearIdentityField(a: [0, 0], c: [0, 1], dimension: 1, knots: 2, g: .linear)
        let x0 = 0.5, exact = (x0 + 1) * M_E - 2
        func error(_ steps: Int) -> Double { abs(lower.integrate(field, from: [x0], batch: 1, steps: steps).final[0] - exact) }
        let measured = log2(error(16) / error(32))
        #expect(abs(measured - 4) < 0.15, "measured order \(measured)")
        // The error weights Dopri5 stepped with before its tableau moved here, as literals: the
        // move changed no bit.
        #expect(pair.errorWeights == [35.0 / 384 - 5179.0 / 57600, 0, 500.0 / 1113 - 7571.0 / 16695, 125.0 / 192 - 393.0 / 640,
                                      -2187.0 / 6784 + 92097.0 / 339200, 11.0 / 84 - 187.0 / 2100, -1.0 / 40])
        #expect(abs(pair.b.reduce(0, +) - 1) < 1e-15 && abs(embedded.reduce(0, +) - 1) < 1e-15)  // consistency: sum b = 1
        // The FSAL property: the last stage is evaluated at the new solution.
        #expect(pair.a.last! == Array(pair.b.dropLast()))
        // The nodes are the row sums of a (consistency), written as exact rationals.
        for (c, row) in zip(pair.nodes, pair.a) { #expect(abs(c - row.reduce(0, +)) < 1e-15) }
    }
}
