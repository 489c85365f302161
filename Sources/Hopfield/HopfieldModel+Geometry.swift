import Foundation

extension HopfieldModel {
    /// The flat (geodesic) chart theta_i = sqrt(C_i) Theta(x_i), in which G is the identity.
    public func chart(_ x: [Double]) throws(HopfieldError) -> [Double] {
        try requireDimension(x, "x")
        return (0..<n).map { capacitances[$0].squareRoot() * activation.chart(x[$0]) }
    }

    /// x from the flat chart.
    public func chartInverse(_ theta: [Double]) -> [Double] {
        (0..<n).map { activation.chartInverse(theta[$0] / capacitances[$0].squareRoot()) }
    }

    /// x for every point of a cloud in the flat chart (count x n, row-major in both).
    public func chartInverse(rows theta: [Double]) -> [Double] {
        stride(from: 0, to: theta.count, by: n).flatMap { chartInverse(Array(theta[$0 ..< $0 + n])) }
    }

    /// The geodesic distance of G(x) = diag(C_i/sigma'(u_i)) between two outputs:
    /// |theta(x) - theta(y)| (e.g. logistic: 2 sqrt(C/lambda) |asin sqrt x - asin sqrt y| per unit).
    public func distance(_ x: [Double], _ y: [Double]) throws(HopfieldError) -> Double {
        try requireOutputs(x, "x")
        try requireOutputs(y, "y")
        let a = try chart(x), b = try chart(y)
        return zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
    }

    /// The dual coordinates of an output x: u = grad phi(x) = sigma^{-1}(x) (and x = grad psi(u)).
    public func dualCoordinates(_ x: [Double]) throws(HopfieldError) -> [Double] {
        try requireOutputs(x, "x")
        return x.map(activation.inverse)
    }

    /// The Bregman divergence of phi: D(x, y) = sum phi(x_i) - phi(y_i) - sigma^{-1}(y_i)(x_i - y_i)
    /// (for the logistic, the Bernoulli KL divergence over lambda). Equals the Fenchel-Young gap
    /// psi(u_y) + phi(x) - u_y . x.
    public func bregman(_ x: [Double], _ y: [Double]) throws(HopfieldError) -> Double {
        try requireOutputs(x, "x")
        try requireOutputs(y, "y")
        return (0..<n).reduce(0) { s, i in
            s + activation.dual(x[i]) - activation.dual(y[i]) - activation.inverse(y[i]) * (x[i] - y[i])
        }
    }
}
