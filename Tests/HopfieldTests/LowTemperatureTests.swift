import Foundation
import GSLKit
import Testing
@testable import Hopfield

/// The Gibbs density below the temperatures the box quadrature resolves (issue: T = 1e-20 gave
/// the mean (0.0702, 0.0702) where symmetry gives 1/2, a negative variance and error 0).
@Suite struct LowTemperatureTests {
    /// W = [[0, 2], [2, 0]], I = (-1, -1): one minimum at x = (1/2, 1/2), Hess_x E = [[4, -2], [-2, 4]].
    private let single = try! HopfieldModel(weights: [0, 2, 2, 0], inputs: [-1, -1], activation: HopfieldActivation(.logistic))

    @Test(arguments: HopfieldActivation.Kind.allCases)
    func bregmanDivergenceMatchesItsDefinitionAndItsTaylorLimit(kind: HopfieldActivation.Kind) throws {
        let a = try HopfieldActivation(kind, gain: 1.3)
        let x = kind == .exp ? 0.7 : 0.35
        // Moderate offsets: the three terms directly (phi' = sigma^{-1}).
        for d in [-0.2, 0.05, 0.3] {
            let direct = a.dual(x + d) - a.dual(x) - a.inverse(x) * d
            #expect(abs(a.dualDivergence(x, d) - direct) <= 1e-13, "\(kind) d = \(d)")
        }
        // Tiny offsets, where the direct form is all rounding: D = phi''(x) d^2/2 (1 + O(d)), phi'' = 1/sigma'.
        for d in [1e-9, -1e-40, 1e-150] {
            let taylor = d * d / (2 * a.slope(output: x))
            #expect(abs(a.dualDivergence(x, d) / taylor - 1) <= 1e-8, "\(kind) d = \(d)")
        }
        if a.isBounded { #expect(a.dualDivergence(x, 5) == .infinity) }
    }

    @Test func windowsAgreeWithTheBoxWhereBothResolve() throws {
        // T = 1e-3: the box resolves the minimum from level 6 of 7; the windows are the other route.
        let minima = try single.fixedPoints().filter(\.stable)
        let box = try single.stationary(temperature: 1e-3)
        let windows = try single.stationaryOnWindows(temperature: 1e-3, minima: minima)
        #expect(box.windows == 0 && windows.windows == 1)
        #expect(abs(box.logZ - windows.logZ) <= 1e-9)
        #expect(abs(box.meanEnergy - windows.meanEnergy) <= 1e-12)
        for i in 0..<2 { #expect(abs(box.mean[i] - windows.mean[i]) <= 1e-12) }
        for k in 0..<4 { #expect(abs(box.covariance[k] - windows.covariance[k]) <= 1e-9 * box.covariance[0]) }
        // One bistable unit (tau lambda W = 2.4 > 1), a box refined to level 13 (cheap in one
        // dimension) at T = 1e-5.
        let one = try HopfieldModel(weights: [1.5], inputs: [0.2], activation: HopfieldActivation(.tanh, gain: 2), tau: 0.8)
        let deep = try one.stationary(temperature: 1e-5, maxLevel: 13)
        let low = try one.stationaryOnWindows(temperature: 1e-5, minima: one.fixedPoints().filter(\.stable))
        #expect(deep.windows == 0 && low.windows == 2)
        #expect(abs(deep.logZ - low.logZ) <= 1e-9 * abs(deep.logZ))
        #expect(abs(deep.mean[0] - low.mean[0]) <= 1e-12)
        #expect(abs(deep.covariance[0] / low.covariance[0] - 1) <= 1e-8)
    }

    @Test(arguments: [1e-12, 1e-20, 1e-100, 1e-300])
    func belowResolutionTheDensityIsTheLaplaceGaussian(t: Double) throws {
        let s = try single.stationary(temperature: t)
        #expect(s.windows == 1)
        // Laplace: mean x*, covariance T H^{-1} = T [[1/3, 1/6], [1/6, 1/3]] to O(T) relative.
        for i in 0..<2 { #expect(abs(s.mean[i] - 0.5) <= 1e-15) }
        for (value, g) in zip(s.covariance, [1.0 / 3, 1.0 / 6, 1.0 / 6, 1.0 / 3]) {
            #expect(abs(value / (t * g) - 1) <= 1e-10, "\(value) vs \(t * g)")
        }
        // E(1/2, 1/2) = -1/2 + 1 - 2 log 2, plus n T/2 (equipartition), to O(T^2).
        #expect(abs(s.meanEnergy - (0.5 - 2 * log(2.0) + t)) <= 1e-15)
    }

    @Test(arguments: [1e-8, 1e-20, 1e-300])
    func symmetricMinimaShareTheMassAtAnyLowTemperature(t: Double) throws {
        // x -> 1 - x maps E to itself: two minima (s, s) and (1 - s, 1 - s) of equal energy, so the
        // mean is (1/2, 1/2) and each variance tends to (s - 1/2)^2 (the mixture's spread).
        let model = try HopfieldModel(weights: [0, 2, 2, 0], inputs: [-1, -1], activation: HopfieldActivation(.logistic, gain: 3))
        let st = try model.stationary(temperature: t)
        let root = try brent(lower: 0.5 + 1e-9, upper: 1 - 1e-12) { s in model.activation.value(2 * (s - 0.5)) - s }
        #expect(st.windows == 2)
        for i in 0..<2 { #expect(abs(st.mean[i] - 0.5) <= 1e-12) }
        let spread = (root - 0.5) * (root - 0.5)
        #expect(st.covariance[0] > 0 && abs(st.covariance[0] / spread - 1) <= 1e-9 + 10 * t / spread)
        #expect(abs(st.covariance[1] / spread - 1) <= 1e-9 + 10 * t / spread)
        // The change of log Z between the last two levels, not lost in the rounding of E_min/T ~ 1e20.
        #expect(st.estimatedError <= 1e-9)
    }
}
