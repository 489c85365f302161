import GSLKit

/// The random streams of one density run (the stochastic network beside its proximal recursion),
/// derived from the run's seed: the diffusion machine's particle block b draws from
/// `SplitMix64.derive(base: seed, index: b)`; the proximal cloud's initial draw and its
/// propagation take the two highest indices, which no block ever reaches, so the two
/// simulations never share a stream and each is reproducible alone.
public enum DensityRunSeeds {
    /// The stream of the proximal recursion's initial Gaussian cloud.
    public static func cloud(_ seed: UInt64) -> UInt64 { SplitMix64.derive(base: seed, index: UInt64.max) }

    /// The stream of the proximal recursion's Euler-Maruyama moves.
    public static func propagation(_ seed: UInt64) -> UInt64 { SplitMix64.derive(base: seed, index: UInt64.max - 1) }
}
