import _CVectorMath

/// Vectorised loops over contiguous buffers (C, `Sources/CVectorMath`): exp through glibc's
/// libmvec (within 4 ulp), tanh by our own branch-free kernel (within 2 ulp); AVX-512 or AVX2
/// where the CPU has it, plain x86-64 otherwise (``instructionSet``). The levels agree to a few
/// ulp, not bit for bit: results are reproducible bit for bit per level and OpenBLAS kernel.
public enum VectorMath {
    /// The instruction-set levels the C kernels are built for, lowest first.
    public static let instructionSets = ["x86-64", "x86-64-v3", "x86-64-v4"]

    /// The level the kernels run at in this process: the CPU's, or the lower one that the
    /// environment variable NEURODYN_ISA names (to reproduce another CPU family's bits).
    public static var instructionSet: String { instructionSets[Int(nd_isa_level())] }

    /// The CPU's own level.
    public static var cpuInstructionSet: String { instructionSets[Int(nd_isa_cpu_level())] }

    /// Nil when NEURODYN_ISA is unset, empty or one of ``instructionSets``; otherwise why not.
    public static func requestedInstructionSetProblem(_ value: String?) -> String? {
        guard let value, nd_isa_requested(value) == -2 else { return nil }
        return "NEURODYN_ISA must be one of \(instructionSets.joined(separator: ", ")), got '\(value)'"
    }

    /// out[i n + j] = -scale |p_i - q_j|^2 for p (m x d) and q (n x d), row-major.
    public static func scaledSquaredDistances(_ p: UnsafeBufferPointer<Double>, _ q: UnsafeBufferPointer<Double>, m: Int, n: Int, d: Int,
                                              scale: Double, into out: UnsafeMutableBufferPointer<Double>) {
        precondition(p.count >= m * d && q.count >= n * d && out.count >= m * n)
        withUnsafeTemporaryAllocation(of: Double.self, capacity: n * d) { qT in
            for j in 0..<n { for k in 0..<d { qT[k * n + j] = q[j * d + k] } }
            nd_scaled_squared_distances(m, n, d, p.baseAddress, qT.baseAddress, scale, out.baseAddress)
        }
    }

    /// out[i n + j] = exp(a[i n + j] + f[i] + g[j]).
    public static func expShifted(_ a: UnsafeBufferPointer<Double>, rowShifts f: [Double], columnShifts g: [Double],
                                  into out: UnsafeMutableBufferPointer<Double>) {
        let m = f.count, n = g.count
        precondition(a.count >= m * n && out.count >= m * n)
        nd_exp_shifted(m, n, a.baseAddress, f, g, out.baseAddress)
    }

    /// values = tanh(z), slopes = 1 - tanh(z)^2, each to about 2 ulp, the slope in relative terms
    /// also deep in saturation (`tanh.c`). z may be `values` (in place).
    public static func tanhAndSlope(_ z: UnsafeBufferPointer<Double>, values: UnsafeMutableBufferPointer<Double>,
                                    slopes: UnsafeMutableBufferPointer<Double>) {
        precondition(values.count >= z.count && slopes.count >= z.count)
        nd_tanh_and_slope(z.count, z.baseAddress, values.baseAddress, slopes.baseAddress)
    }
}
