import _CGSL
import _CGSLSupport

/// A stream of standard normal variates from GSL's MT19937 and its ziggurat sampler
/// (`gsl_ran_gaussian_ziggurat`, Marsaglia & Tsang 2000).
///
/// The generator's whole 624-word state is filled from SplitMix64 started at `seed`, rather than
/// from `gsl_rng_set`'s 32-bit seed, so streams derived for different tasks
/// (``SplitMix64/derive(base:index:)``) do not collide. One stream per task; not thread-safe.
public final class GaussianStream {
    private let generator: UnsafeMutablePointer<gsl_rng>

    public init(seed: UInt64) {
        guard let generator = gsl_rng_alloc(cgsl_rng_mt19937()) else {
            fatalError("gsl_rng_alloc failed: out of memory for a 5 kB generator")
        }
        self.generator = generator
        var mixer = SplitMix64(seed: seed)
        var words = [UInt32](repeating: 0, count: 624)
        for i in stride(from: 0, to: 624, by: 2) {
            let z = mixer.next()
            words[i] = UInt32(truncatingIfNeeded: z)
            words[i + 1] = UInt32(truncatingIfNeeded: z >> 32)
        }
        precondition(generator.pointee.type == cgsl_rng_mt19937(), "the generator is GSL's MT19937")
        let filled = words.withUnsafeBufferPointer { cgsl_mt19937_fill_state(gsl_rng_state(generator), gsl_rng_size(generator), $0.baseAddress) }
        precondition(filled == 1, "GSL's MT19937 state layout is not the one gsl_support.c mirrors")
    }

    deinit { gsl_rng_free(generator) }

    /// One N(0, sigma^2) variate.
    @inline(__always)
    public func next(sigma: Double = 1) -> Double {
        gsl_ran_gaussian_ziggurat(generator, sigma)
    }

    /// Fills `buffer` with N(0, sigma^2) variates, in order.
    @inline(__always)
    public func fill(_ buffer: UnsafeMutableBufferPointer<Double>, sigma: Double = 1) {
        for i in buffer.indices { buffer[i] = gsl_ran_gaussian_ziggurat(generator, sigma) }
    }
}
