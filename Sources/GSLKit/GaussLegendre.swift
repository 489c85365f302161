import _CGSL

/// Gauss-Legendre nodes and weights on [-1, 1], read once from GSL's
/// `gsl_integration_glfixed_table` (exact for polynomials of degree 2n - 1).
///
/// The table is immutable and shared by all threads; composite rules in the domain modules map
/// it onto panels and evaluate integrands in Swift loops (about 5x faster than a `gsl_function`
/// callback per node, measured when the project started).
public struct GaussLegendre: Sendable {
    public let nodes: [Double]
    public let weights: [Double]
    public var count: Int { nodes.count }

    public init(points n: Int) throws(GSLError) {
        installGSLErrorHandler()
        guard n >= 1 else { throw GSLError(status: Int32(GSL_EINVAL), reason: "Gauss-Legendre order must be >= 1") }
        guard let table = gsl_integration_glfixed_table_alloc(n) else {
            throw GSLError(status: Int32(GSL_ENOMEM), reason: "cannot allocate a \(n)-point Gauss-Legendre table")
        }
        defer { gsl_integration_glfixed_table_free(table) }
        var x = [Double](repeating: 0, count: n)
        var w = [Double](repeating: 0, count: n)
        for i in 0..<n {
            try check(gsl_integration_glfixed_point(-1, 1, i, &x[i], &w[i], table))
        }
        nodes = x
        weights = w
    }

    /// The shared tables used by the quadrature rules of Neurodyn.
    public static let order16 = try! GaussLegendre(points: 16)
    public static let order32 = try! GaussLegendre(points: 32)
}
