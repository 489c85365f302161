import Foundation
import GSLKit

/// Phase-space compressibility of the flow at one state: L_X Omega = kappa Omega for the volume
/// forms du, dx and the Riemannian volume sqrt(det G) dx (Goto; <doc:EnergyAndGeometry>).
public struct Compressibility: Sendable, Equatable {
    /// div_u(du/dt).
    public let kappaU: Double
    /// div_x(dx/dt).
    public let kappaX: Double
    /// The Riemannian divergence (1/sqrt G) d_i(sqrt G dx_i/dt) = (kappa_u + kappa_x)/2.
    public let kappaG: Double
    /// Laplace-Beltrami of E in the metric G; equal to -kappa_g.
    public let laplacianEnergy: Double
}

/// The Liouville identities along one trajectory.
public struct LiouvilleCheck: Sendable {
    /// log |det D Phi_t| from the variational equation dM/dt = J M, M(0) = 1.
    public let logDetFlow: Double
    /// Int_0^t kappa_u dt (integrated with the trajectory).
    public let integralKappaU: Double
    /// log of the Riemannian volume ratio: log |det D Phi_t| + 1/2 sum_i log(sigma'(u_i(t))/sigma'(u_i(0))).
    public let logVolumeRatio: Double
    /// Int_0^t kappa_g dt.
    public let integralKappaG: Double
}

extension HopfieldModel {
    /// The closed forms, with F_i = du_i/dt and r(x) = sigma''/sigma' (``HopfieldActivation/curvatureRatio(output:)``):
    ///
    ///     kappa_u = sum_i (-1/tau + W_ii sigma'(u_i))/C_i
    ///     kappa_x = kappa_u + sum_i r(x_i) F_i
    ///     kappa_g = kappa_u + 1/2 sum_i r(x_i) F_i
    ///     Delta_g f = sum_i (1/C_i)[sigma'(u_i) f_ii + 1/2 r(x_i) f_i],   Delta_g E = -kappa_g.
    ///
    /// For the logistic r = lambda (1 - 2x), sigma' = lambda x (1 - x): the formulas of <doc:EnergyAndGeometry>. The
    /// Laplacian of E is evaluated from E's own derivatives (f_i = -C_i F_i, f_ii = -W_ii +
    /// 1/(tau sigma')), so Delta_g E = -kappa_g is an identity the tests check.
    public func compressibility(u: [Double]) throws(HopfieldError) -> Compressibility {
        try requireDimension(u, "u")
        let f = velocity(u)
        var kappaU = 0.0, drift = 0.0, laplacian = 0.0
        for i in 0..<n {
            let x = activation.value(u[i]), slope = activation.slope(u[i]), r = activation.curvatureRatio(output: x)
            kappaU += (-1 / tau + weights[i * n + i] * slope) / capacitances[i]
            drift += r * f[i]
            let gradient = -capacitances[i] * f[i], second = -weights[i * n + i] + 1 / (tau * slope)
            laplacian += (slope * second + 0.5 * r * gradient) / capacitances[i]
        }
        return Compressibility(kappaU: kappaU, kappaX: kappaU + drift, kappaG: kappaU + 0.5 * drift, laplacianEnergy: laplacian)
    }

    /// The same four numbers by central differences (step h relative to each coordinate's scale),
    /// from the vector field and the energy alone: the generic route for any activation, and the
    /// independent check of the closed forms. Uses sigma' only through the metric's volume sqrt(det G).
    public func numericalCompressibility(u: [Double], step h: Double = 1e-5) throws(HopfieldError) -> Compressibility {
        try requireDimension(u, "u")
        let x = outputs(u)
        try requireOutputs(x, "x = sigma(u)")
        // dx/dt as a function of x: sigma'(u) F(u) with u = sigma^{-1}(x).
        func xVelocity(_ x: [Double]) -> [Double] {
            let u = x.map(activation.inverse)
            return zip(velocity(u), x).map { $0 * activation.slope(output: $1) }
        }
        func sqrtDetG(_ x: [Double]) -> Double {
            (0..<n).reduce(1) { $0 * (capacitances[$1] / activation.slope(output: x[$1])).squareRoot() }
        }
        func energy(_ x: [Double]) -> Double { x.withUnsafeBufferPointer { unsafeEnergy($0) } }
        var kappaU = 0.0, kappaX = 0.0, kappaG = 0.0, laplacian = 0.0
        for i in 0..<n {
            let du = h * max(1, abs(u[i]))
            var up = u, um = u
            up[i] += du; um[i] -= du
            kappaU += (velocity(up)[i] - velocity(um)[i]) / (2 * du)
            let dx = h * min(max(1, abs(x[i])), x[i] - activation.range.lower, activation.range.upper - x[i])
            var xp = x, xm = x
            xp[i] += dx; xm[i] -= dx
            kappaX += (xVelocity(xp)[i] - xVelocity(xm)[i]) / (2 * dx)
            kappaG += (sqrtDetG(xp) * xVelocity(xp)[i] - sqrtDetG(xm) * xVelocity(xm)[i]) / (2 * dx) / sqrtDetG(x)
            // (1/sqrt G) d_i (sqrt G G^ii d_i E), G^ii = sigma'/C_i, by nested central differences.
            func flux(_ y: [Double]) -> Double {
                var yp = y, ym = y
                yp[i] += dx; ym[i] -= dx
                let gradient = (energy(yp) - energy(ym)) / (2 * dx)
                return sqrtDetG(y) * activation.slope(output: y[i]) / capacitances[i] * gradient
            }
            laplacian += (flux(xp) - flux(xm)) / (2 * dx) / sqrtDetG(x)
        }
        return Compressibility(kappaU: kappaU, kappaX: kappaX, kappaG: kappaG, laplacianEnergy: laplacian)
    }

    /// Integrates u, the variational matrix M (dM/dt = J M) and Int kappa_u, Int kappa_g together
    /// from u0 over [0, time] (GSL rk8pd), for the Liouville identities
    /// log det D Phi_t = Int kappa_u dt and log vol_g ratio = Int kappa_g dt.
    public func liouville(u0: [Double], time: Double, solver: GSLODESolver = GSLODESolver(),
                          controller: StepSizeController = StepSizeController(rtol: 1e-11, atol: 1e-11, maxSteps: 1_000_000))
        throws(HopfieldError) -> LiouvilleCheck {
        try requireDimension(u0, "u0")
        guard time > 0, time.isFinite else { throw .invalidParameter(name: "time", reason: "must be > 0, got \(time)") }
        let model = self, n = self.n
        let system = ODESystem(dimension: n + n * n + 2) { _, y, dydt in
            let u = Array(y[0..<n])
            let f = model.velocity(u), jacobian = model.jacobian(u)
            for i in 0..<n { dydt[i] = f[i] }
            DenseLinearAlgebra.multiply(jacobian, UnsafeBufferPointer(rebasing: y[n ..< n + n * n]), n: n,
                                        into: UnsafeMutableBufferPointer(rebasing: dydt[n ..< n + n * n]))
            var kappaU = 0.0, drift = 0.0
            for i in 0..<n {
                kappaU += jacobian[i * n + i]
                drift += model.activation.curvatureRatio(output: model.activation.value(u[i])) * f[i]
            }
            dydt[n + n * n] = kappaU
            dydt[n + n * n + 1] = kappaU + 0.5 * drift
        }
        var y0 = u0 + [Double](repeating: 0, count: n * n + 2)
        for i in 0..<n { y0[n + i * n + i] = 1 }
        let end: [Double]
        do { end = Array(try solver.solve(system, from: y0, times: [0, time], controller: controller).state(1)) } catch { throw .from(error) }
        let logDet: Double
        do { logDet = try DenseLinearAlgebra.logAbsDeterminant(Array(end[n ..< n + n * n]), n: n) } catch { throw .failed("\(error)") }
        let metricChange = (0..<n).reduce(0.0) { $0 + 0.5 * (log(activation.slope(end[$1])) - log(activation.slope(u0[$1]))) }
        return LiouvilleCheck(logDetFlow: logDet, integralKappaU: end[n + n * n],
                              logVolumeRatio: logDet + metricChange, integralKappaG: end[n + n * n + 1])
    }
}
