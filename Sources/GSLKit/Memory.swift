import _CGSL
import _CGSLSupport

/// Process-wide allocator settings for hot loops that allocate big temporaries.
public enum Memory {
    /// Keeps blocks up to 256 MiB on glibc's heap instead of fresh mmap'd pages, and freed memory
    /// in the process (M_MMAP_THRESHOLD, M_TRIM_THRESHOLD): a solver that allocates a 256 kB
    /// buffer per field evaluation then reuses warm pages instead of faulting in zeroed ones
    /// (a fifth of a circles-anode3 training step otherwise). Call once at start-up.
    public static func keepLargeBlocksOnTheHeap() {
        cgsl_keep_large_blocks_on_heap()
    }
}
