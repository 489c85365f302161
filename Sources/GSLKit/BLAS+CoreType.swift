import _CGSL
import Foundation

extension BLAS {
    /// The kernel family OpenBLAS chose when it loaded, e.g. "Haswell", "SkylakeX" or "Prescott".
    public static var coreName: String { String(cString: openblas_get_corename()) }

    /// The kernel family to ask for when OpenBLAS fell back to its generic Prescott kernels on a
    /// CPU it does not recognise although the CPU has AVX-512 ("SkylakeX") or AVX2 + FMA
    /// ("Haswell"); nil when its choice stands or OPENBLAS_CORETYPE is already set.
    ///
    /// Debian's OpenBLAS 0.3.21 predates e.g. Intel Emerald Rapids (family 6, model 207): there it
    /// runs dgemm on Prescott (SSE3) kernels, 3x slower than with SkylakeX kernels (measured:
    /// a 2048 x 2048 x 1024 streamed layer, 4.6 s against 1.4 s).
    public static var betterCoreType: String? {
        guard coreName == "Prescott", ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil,
              let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return nil }
        let flags = Set(line.split(separator: " ").map(String.init))
        if ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains) { return "SkylakeX" }
        if ["avx2", "fma"].allSatisfy(flags.contains) { return "Haswell" }
        return nil
    }

    /// OpenBLAS reads OPENBLAS_CORETYPE only when it loads, so when ``betterCoreType`` is set
    /// the process replaces itself (execv of /proc/self/exe, same arguments) with the variable
    /// set. Returns when nothing needs doing or the exec fails (the run then goes on, slower).
    public static func relaunchWithBetterCoreType() {
        guard let core = betterCoreType else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
    }
}
