import Activations
import Foundation
import Testing
@testable import Residual

/// Each fixed-step scheme converges at the order its tableau states, measured: on
/// x' = x + t (the near-identity field with g = identity, A = 0 and c(t) = t between two knots,
/// so that the stage times c_i h are exercised too), exact x(1) = (x0 + 1) e - 2, the error
/// falls by 2^p when the step is halved.
@Suite struct ExplicitRungeKuttaOrderTests {
    @Test(arguments: [ExplicitRungeKutta.euler, .midpoint, .rk4])
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
