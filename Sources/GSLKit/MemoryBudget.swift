import Foundation

/// What a computation may allocate, checked before it allocates anything: a run that would not
/// fit is refused up front with the size and what makes it large, instead of aborting in an
/// allocation (or swapping) minutes later. Every library entry point that sizes buffers from
/// its parameters (ensembles, stored trajectories, kernel matrices) asks here first.
public enum MemoryBudget {
    /// The bytes one run may allocate: half of the machine's physical memory.
    public static var limit: Double { Double(ProcessInfo.processInfo.physicalMemory) / 2 }

    /// `bytes` as "12.5 GiB".
    public static func gib(_ bytes: Double) -> String { String(format: "%.3g GiB", bytes / 1_073_741_824) }

    /// nil when `bytes` fits in ``limit``; otherwise "needs X for WHAT, over the Y a run may use
    /// (half of this machine's Z)". A non-finite size (an overflowing count) never fits.
    public static func refusal(bytes: Double, for what: String) -> String? {
        guard !(bytes.isFinite && bytes <= limit) else { return nil }
        return "needs \(bytes.isFinite ? gib(bytes) : "more than 2^63 bytes") for \(what), over the \(gib(limit)) a run may use "
            + "(half of this machine's \(gib(2 * limit)))"
    }

    /// The product of counts as a Double, so that absurd sizes compare instead of overflowing.
    public static func bytes(_ counts: Int..., element: Int = MemoryLayout<Double>.size) -> Double {
        counts.reduce(Double(element)) { $0 * Double($1) }
    }
}
