/// SplitMix64 (Steele, Lea & Flood 2014), the generator Neurodyn uses to derive independent
/// seeds from (base seed, task index) and to make the benchmark data sets bit-exactly:
/// `state += 0x9E3779B97F4A7C15; z = state; z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
/// z = (z ^ (z >> 27)) * 0x94D049BB133111EB; return z ^ (z >> 31)`.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    @inline(__always)
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A double in [0, 1) with 53 random bits: `(z >> 11) * 2^-53`.
    @inline(__always)
    public mutating func nextDouble() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// The seed of task `index` under `base`: the first output of SplitMix64 started at
    /// `base ^ (index * golden)`, so seeds do not depend on how tasks are split across threads.
    public static func derive(base: UInt64, index: UInt64) -> UInt64 {
        var generator = SplitMix64(seed: base ^ (index &* 0x9E37_79B9_7F4A_7C15))
        return generator.next()
    }
}
