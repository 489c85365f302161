import Foundation
import GSLKit
/// Dormand-Prince 5(4) with FSAL and an RMS error norm, as torchdiffeq and diffrax use it, so
/// that NFE compare: err = sqrt(mean_i (e_i / (atol + rtol max(|y0_i|, |y1_i|)))^2), a step is
/// accepted when err <= 1, and h <- h min(10, max(0.2, 0.9 err^{-1/5})). Steps never pass t1: the
/// last one is shortened to land on it exactly. The tolerances, the step limit, the first step and
/// the breakpoints come from a `StepSizeController` passed beside the solver (diffrax's manner:
/// `Dopri5().solve(f, from: y0, t0: 0, t1: 1, controller: StepSizeController(rtol: 1e-6, atol: 1e-6))`).
/// Hairer, Norsett & Wanner, Solving ODEs I, II.4-5; the tableau is ``ExplicitRungeKutta/dopri5``.
public struct Dopri5: Sendable, Equatable {
    public init() {}

    /// The tableau (``ExplicitRungeKutta/dopri5``), read once for the stepping loop.
    static let c = ExplicitRungeKutta.dopri5.nodes
    static let a = ExplicitRungeKutta.dopri5.a
    /// b - b*: the fifth-order weights (the last row of a, FSAL) minus the embedded fourth-order ones.
    static let error = ExplicitRungeKutta.dopri5.errorWeights ?? []

    /// What a solve did.
    public struct Statistics: Sendable, Equatable {
        public var evaluations = 0
        public var accepted = 0
        public var rejected = 0
    }

    /// Integrates dy/dt = f(t, y) from t0 to t1 (either direction), restarting at the controller's
    /// breakpoints (`StepSizeController.pieces(from:to:)`); statistics are summed over the
    /// pieces. `observe(t, y, dy)` sees the start of every piece and every accepted step's end
    /// with its derivative; `dense` every accepted step's continuous extension
    /// (``Dopri5/DenseStep``). The controller's rtol must be at least
    /// `StepSizeController.smallestAchievableRelativeTolerance`.
    public func solve(_ f: (Double, [Double]) -> [Double], from y0: [Double], t0: Double, t1: Double, controller: StepSizeController,
                      observe: ((Double, [Double], [Double]) -> Void)? = nil,
                      dense: ((DenseStep) -> Void)? = nil) throws(ResidualError) -> (y: [Double], statistics: Statistics) {
        do { try controller.validate(smallestRelativeTolerance: StepSizeController.smallestAchievableRelativeTolerance) } catch {
            throw .invalid(error)
        }
        var (y, total) = (y0, Statistics())
        for (start, end) in controller.pieces(from: t0, to: t1) {
            let piece = try solvePiece(f, from: y, t0: start, t1: end, controller: controller, observe: observe, dense: dense)
            y = piece.y
            total.evaluations += piece.statistics.evaluations
            total.accepted += piece.statistics.accepted
            total.rejected += piece.statistics.rejected
        }
        return (y, total)
    }

    /// One piece, from t0 to t1 with no breakpoint inside.
    private func solvePiece(_ f: (Double, [Double]) -> [Double], from y0: [Double], t0: Double, t1: Double, controller: StepSizeController,
                            observe: ((Double, [Double], [Double]) -> Void)?,
                            dense: ((DenseStep) -> Void)?) throws(ResidualError) -> (y: [Double], statistics: Statistics) {
        let (rtol, atol, maxSteps) = (controller.rtol, controller.atol, controller.maxSteps)
        var statistics = Statistics()
        func evaluate(_ t: Double, _ y: [Double]) throws(ResidualError) -> [Double] {
            statistics.evaluations += 1
            let dy = f(t, y)
            if let bad = dy.firstIndex(where: { !$0.isFinite }) {
                throw .nonFinite("the field returned \(dy[bad]) in component \(bad) at t = \(t)")
            }
            return dy
        }
        let direction: Double = t1 >= t0 ? 1 : -1
        var (t, y) = (t0, y0)
        var k1 = try evaluate(t, y)
        observe?(t, y, k1)
        guard t1 != t0 else { return (y, statistics) }
        let span = abs(t1 - t0)
        var h: Double
        if let first = controller.initialStep { h = Swift.min(first, span) } else {
            h = try initialStep(evaluate, t: t, y: y, dy: k1, span: span, rtol: rtol, atol: atol)
        }
        h *= direction
        while (t1 - t) * direction > 0 {
            guard statistics.accepted + statistics.rejected < maxSteps else {
                throw .maxStepsExceeded("\(maxSteps) steps reached at t = \(t) of [\(t0), \(t1)] (step \(h)); raise max-steps or the tolerances")
            }
            let last = (t + h - t1) * direction >= 0
            if last { h = t1 - t }
            var k = [k1]
            var stage = y
            for i in 1..<7 {
                stage = y
                stage.withUnsafeMutableBufferPointer { s in
                    for (j, coefficient) in Self.a[i].enumerated() where coefficient != 0 {
                        let w = h * coefficient
                        k[j].withUnsafeBufferPointer { kj in for n in 0..<s.count { s[n] += w * kj[n] } }
                    }
                }
                k.append(try evaluate(t + Self.c[i] * h, stage))
            }
            // stage is now y + h sum b_j k_j, the fifth-order solution; the error estimate is h sum (b_j - b*_j) k_j.
            var e = [Double](repeating: 0, count: y.count)
            e.withUnsafeMutableBufferPointer { e in
                for i in 0..<7 where Self.error[i] != 0 {
                    let w = h * Self.error[i]
                    k[i].withUnsafeBufferPointer { ki in for n in 0..<e.count { e[n] += w * ki[n] } }
                }
            }
            let sum = e.withUnsafeBufferPointer { e in
                y.withUnsafeBufferPointer { y in
                    stage.withUnsafeBufferPointer { stage in
                        var sum = 0.0
                        for n in 0..<e.count {
                            let r = e[n] / (atol + rtol * Swift.max(abs(y[n]), abs(stage[n])))
                            sum += r * r
                        }
                        return sum
                    }
                }
            }
            let norm = (sum / Double(Swift.max(y.count, 1))).squareRoot()
            let factor = Swift.min(10, Swift.max(0.2, 0.9 * pow(Swift.max(norm, 1e-10), -0.2)))
            if norm <= 1 {
                dense?(DenseStep(t0: t, h: h, y0: y, stages: k))
                t = last ? t1 : t + h
                y = stage
                k1 = k[6]
                statistics.accepted += 1
                observe?(t, y, k1)
            } else {
                statistics.rejected += 1
            }
            h *= factor
            guard abs(h) > 1e-14 * Swift.max(abs(t), 1) else {
                throw .stepSizeUnderflow("the step size fell to \(h) at t = \(t): the problem is too stiff for dopri5 at these tolerances")
            }
        }
        return (y, statistics)
    }

    /// Shampine's quartic continuous extension of Dormand-Prince 5(4) (as SciPy's RK45 uses it):
    /// y(t0 + theta h) = y0 + h sum_i k_i sum_j P_ij theta^(j+1), fourth order inside the step,
    /// from the step's seven stages (the last is f at the step's end). Stored as the four vectors
    /// q_j = h sum_i P_ij k_i.
    public struct DenseStep: Sendable {
        public let t0: Double, h: Double
        let y0: [Double]
        let q: [[Double]]

        static let p: [[Double]] = [
            [1, -8048581381.0 / 2820520608, 8663915743.0 / 2820520608, -12715105075.0 / 11282082432],
            [0, 0, 0, 0],
            [0, 131558114200.0 / 32700410799, -68118460800.0 / 10900136933, 87487479700.0 / 32700410799],
            [0, -1754552775.0 / 470086768, 14199869525.0 / 1410260304, -10690763975.0 / 1880347072],
            [0, 127303824393.0 / 49829197408, -318862633887.0 / 49829197408, 701980252875.0 / 199316789632],
            [0, -282668133.0 / 205662961, 2019193451.0 / 616988883, -1453857185.0 / 822651844],
            [0, 40617522.0 / 29380423, -110615467.0 / 29380423, 69997945.0 / 29380423],
        ]

        init(t0: Double, h: Double, y0: [Double], stages k: [[Double]]) {
            (self.t0, self.h, self.y0) = (t0, h, y0)
            q = (0..<4).map { j in
                var column = [Double](repeating: 0, count: y0.count)
                for i in 0..<7 where Self.p[i][j] != 0 { BLAS.axpy(h * Self.p[i][j], k[i], &column) }
                return column
            }
        }

        /// y at t0 + theta h.
        public func callAsFunction(theta: Double) -> [Double] {
            var y = y0, power = 1.0
            for j in 0..<4 {
                power *= theta
                BLAS.axpy(power, q[j], &y)
            }
            return y
        }
    }

    /// Hairer's starting step (as torchdiffeq's and diffrax's): h0 from the sizes of y and f,
    /// refined by one Euler step's estimate of the second derivative.
    func initialStep(_ evaluate: (Double, [Double]) throws(ResidualError) -> [Double], t: Double, y: [Double], dy: [Double],
                     span: Double, rtol: Double, atol: Double) throws(ResidualError) -> Double {
        let scale = y.map { atol + rtol * abs($0) }
        func rms(_ v: [Double]) -> Double { (zip(v, scale).reduce(0) { $0 + ($1.0 / $1.1) * ($1.0 / $1.1) } / Double(Swift.max(v.count, 1))).squareRoot() }
        let d0 = rms(y), d1 = rms(dy)
        let h0 = d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : 0.01 * d0 / d1
        let y1 = zip(y, dy).map { $0 + h0 * $1 }
        let dy1 = try evaluate(t + h0, y1)
        let d2 = rms(zip(dy1, dy).map { $0 - $1 }) / h0
        let h1 = Swift.max(d1, d2) <= 1e-15 ? Swift.max(1e-6, h0 * 1e-3) : pow(0.01 / Swift.max(d1, d2), 0.2)
        return Swift.min(100 * h0, h1, span)
    }
}
