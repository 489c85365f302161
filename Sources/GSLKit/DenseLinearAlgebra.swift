import _CGSL

/// Dense linear algebra on small row-major matrices through GSL (`gsl_eigen_symm`,
/// `gsl_linalg_LU_*`): stability of fixed points and Newton steps of a few unknowns.
public enum DenseLinearAlgebra {
    /// C = A B for n x n row-major matrices (a variational equation's dM/dt = J M; n is a few units,
    /// below where dgemm pays).
    @inlinable
    public static func multiply(_ a: [Double], _ b: UnsafeBufferPointer<Double>, n: Int, into c: UnsafeMutableBufferPointer<Double>) {
        for i in 0..<n {
            for j in 0..<n {
                var s = 0.0
                for k in 0..<n { s += a[i * n + k] * b[k * n + j] }
                c[i * n + j] = s
            }
        }
    }

    /// The eigenvalues of the symmetric n x n matrix `a` (row-major; only its lower triangle is
    /// read), ascending.
    public static func symmetricEigenvalues(_ a: [Double], n: Int) throws(GSLError) -> [Double] {
        installGSLErrorHandler()
        guard n >= 1, a.count == n * n else {
            throw GSLError(status: Int32(GSL_EBADLEN), reason: "a symmetric eigenproblem needs n x n = \(n * n) values, got \(a.count)")
        }
        guard let workspace = gsl_eigen_symm_alloc(n) else {
            throw GSLError(status: Int32(GSL_ENOMEM), reason: "cannot allocate an eigen workspace of size \(n)")
        }
        defer { gsl_eigen_symm_free(workspace) }
        var matrix = a
        var values = [Double](repeating: 0, count: n)
        try matrix.withUnsafeMutableBufferPointer { (m) throws(GSLError) in
            try values.withUnsafeMutableBufferPointer { (v) throws(GSLError) in
                var view = gsl_matrix_view_array(m.baseAddress, n, n)
                var vector = gsl_vector_view_array(v.baseAddress, n)
                try check(gsl_eigen_symm(&view.matrix, &vector.vector, workspace))
            }
        }
        return values.sorted()
    }

    /// Runs `body` on the LU factorisation (partial pivoting, `gsl_linalg_LU_decomp`) of the
    /// n x n row-major `a`: the factors in place of a copy, and the permutation.
    private static func withLU<T>(_ a: [Double], n: Int, what: String,
                                  _ body: (inout gsl_matrix, UnsafeMutablePointer<gsl_permutation>, UnsafeMutableBufferPointer<Double>) throws(GSLError) -> T) throws(GSLError) -> T {
        installGSLErrorHandler()
        guard n >= 1, a.count == n * n else {
            throw GSLError(status: Int32(GSL_EBADLEN), reason: "\(what) needs n x n = \(n * n) values, got \(a.count)")
        }
        guard let permutation = gsl_permutation_alloc(n) else {
            throw GSLError(status: Int32(GSL_ENOMEM), reason: "cannot allocate a permutation of size \(n)")
        }
        defer { gsl_permutation_free(permutation) }
        var lu = a
        return try lu.withUnsafeMutableBufferPointer { (m) throws(GSLError) -> T in
            var view = gsl_matrix_view_array(m.baseAddress, n, n)
            var sign: Int32 = 0
            try check(gsl_linalg_LU_decomp(&view.matrix, permutation, &sign))
            return try body(&view.matrix, permutation, m)
        }
    }

    /// Solves a x = b for a general n x n row-major `a` by LU with partial pivoting. Throws
    /// `GSL_EDOM` when `a` is singular.
    public static func solve(_ a: [Double], _ b: [Double], n: Int) throws(GSLError) -> [Double] {
        guard b.count == n else {
            throw GSLError(status: Int32(GSL_EBADLEN), reason: "a linear solve needs \(n) right-hand-side values, got \(b.count)")
        }
        return try withLU(a, n: n, what: "a linear solve") { (matrix, permutation, m) throws(GSLError) -> [Double] in
            let scale = m.reduce(0) { Swift.max($0, abs($1)) }
            for i in 0..<n where abs(m[i * n + i]) <= 1e-14 * scale {
                throw GSLError(status: Int32(GSL_EDOM), reason: "the matrix is singular (pivot \(i))")
            }
            var rhs = b, x = [Double](repeating: 0, count: n)
            try rhs.withUnsafeMutableBufferPointer { (r) throws(GSLError) in
                try x.withUnsafeMutableBufferPointer { (out) throws(GSLError) in
                    var right = gsl_vector_view_array(r.baseAddress, n)
                    var solution = gsl_vector_view_array(out.baseAddress, n)
                    try check(gsl_linalg_LU_solve(&matrix, permutation, &right.vector, &solution.vector))
                }
            }
            return x
        }
    }

    /// log |det a| for a general n x n row-major `a` (LU, `gsl_linalg_LU_lndet`).
    public static func logAbsDeterminant(_ a: [Double], n: Int) throws(GSLError) -> Double {
        try withLU(a, n: n, what: "a determinant") { (matrix, _, _) throws(GSLError) -> Double in gsl_linalg_LU_lndet(&matrix) }
    }
}
