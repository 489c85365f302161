import _CGSL

/// Thin views of OpenBLAS (linked in place of gslcblas, so GSL's own BLAS calls use it too).
public enum BLAS {
    /// OpenBLAS's build configuration, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64".
    public static var configuration: String { String(cString: openblas_get_config()) }

    /// ``configuration`` without the kernel family (``coreName``), which run manifests record
    /// apart: shards of one sweep share the build, not necessarily the CPU.
    public static var build: String {
        configuration.split(separator: " ").filter { $0 != coreName }.joined(separator: " ")
    }

    /// Threads OpenBLAS may use per call. Set it to 1 when parallelising over independent tasks.
    public static var threads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(newValue)) }
    }

    /// C = alpha * op(A) * op(B) + beta * C on row-major contiguous buffers.
    /// A is m x k (k x m when transposed), B is k x n (n x k when transposed), C is m x n.
    @inline(__always)
    public static func gemm(
        m: Int, n: Int, k: Int, alpha: Double = 1,
        a: UnsafePointer<Double>, transposeA: Bool = false,
        b: UnsafePointer<Double>, transposeB: Bool = false,
        beta: Double = 0, c: UnsafeMutablePointer<Double>
    ) {
        cblas_dgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha,
            a, Int32(transposeA ? m : k), b, Int32(transposeB ? k : n), beta, c, Int32(n))
    }

    /// y = op(A) x for a row-major rows x columns matrix A (op(A) = A^T when `transposed`, then x
    /// has `rows` values and y `columns`).
    @inline(__always)
    public static func gemv(transposed: Bool, rows: Int, columns: Int, _ a: UnsafeBufferPointer<Double>, _ x: [Double], into y: inout [Double]) {
        cblas_dgemv(CblasRowMajor, transposed ? CblasTrans : CblasNoTrans, Int32(rows), Int32(columns), 1, a.baseAddress, Int32(columns),
                    x, 1, 0, &y, 1)
    }

    /// y += alpha x over the first `count` values of each (count <= both lengths).
    @inline(__always)
    public static func axpy(_ alpha: Double, _ x: [Double], _ y: inout [Double], count: Int? = nil) {
        let n = count ?? x.count
        precondition(n <= x.count && n <= y.count)
        cblas_daxpy(Int32(n), alpha, x, 1, &y, 1)
    }
}

/// GSL's version string, for run manifests.
public var gslVersion: String { String(cString: cgsl_version()) }
