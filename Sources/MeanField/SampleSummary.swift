/// Mean and variance of i.i.d. samples with their standard errors.
///
/// variance is the unbiased s^2; stderrMean = s / sqrt(n); stderrVariance =
/// sqrt((m4 - s^4 (n - 3)/(n - 1)) / n) with m4 the fourth central sample moment (the standard
/// error of s^2 for any distribution with a finite fourth moment).
public struct SampleSummary: Sendable, Equatable {
    public let count: Int
    public let mean: Double
    public let variance: Double
    public let stderrMean: Double
    public let stderrVariance: Double

    public init(count: Int, mean: Double, variance: Double, stderrMean: Double, stderrVariance: Double) {
        self.count = count
        self.mean = mean
        self.variance = variance
        self.stderrMean = stderrMean
        self.stderrVariance = stderrVariance
    }

    /// Needs at least two samples for a variance (nan otherwise).
    public init(_ values: [Double]) {
        let n = Double(values.count)
        count = values.count
        mean = values.reduce(0, +) / n
        var m2 = 0.0, m4 = 0.0
        for x in values {
            let d = (x - mean) * (x - mean)
            m2 += d
            m4 += d * d
        }
        let s2 = values.count > 1 ? m2 / (n - 1) : .nan
        variance = s2
        stderrMean = (s2 / n).squareRoot()
        stderrVariance = values.count > 3 ? Swift.max(0, (m4 / n - s2 * s2 * (n - 3) / (n - 1)) / n).squareRoot() : .nan
    }
}

extension SampleSummary {
    /// B inputs measured on the same n networks: `samples[a][t]` for input a and network t.
    /// One network's inputs are correlated, so the mean's standard error is that of the n
    /// per-network means (1/B) sum_a x_ta. The variance is pooled over inputs:
    /// y_t = (1/B) sum_a (x_ta - mean_a)^2 n/(n - 1) has the pooled unbiased variance as its mean
    /// over t, and the standard error of that mean as the variance's (for B = 1, the one input's
    /// own, from its fourth moment). Needs n >= 2.
    public init(pooling samples: [[Double]]) {
        let batch = samples.count, trials = samples[0].count, n = Double(trials)
        let means = SampleSummary((0..<trials).map { t in samples.reduce(0) { $0 + $1[t] } / Double(batch) })
        let inputs = samples.map(SampleSummary.init)
        let spread = SampleSummary((0..<trials).map { t in
            zip(samples, inputs).reduce(0) { $0 + ($1.0[t] - $1.1.mean) * ($1.0[t] - $1.1.mean) } / Double(batch) * n / (n - 1)
        })
        self.init(count: trials * batch, mean: means.mean, variance: spread.mean, stderrMean: means.stderrMean,
                  stderrVariance: batch == 1 ? inputs[0].stderrVariance : spread.stderrMean)
    }
}

/// Counts of samples in equal bins over [lower, upper] (the samples' range by default);
/// the last bin is closed. Non-finite samples are counted apart.
public struct Histogram: Sendable, Equatable {
    public let edges: [Double]
    public let counts: [Int]
    public let nonFinite: Int

    public init(_ values: [Double], bins: Int, lower: Double? = nil, upper: Double? = nil) {
        let finite = values.filter(\.isFinite)
        var lo = lower ?? finite.min() ?? 0
        var hi = upper ?? finite.max() ?? 1
        if !(hi > lo) { (lo, hi) = (lo - 0.5, lo + 0.5) }
        let width = (hi - lo) / Double(bins)
        edges = (0...bins).map { $0 == bins ? hi : lo + Double($0) * width }
        var counts = [Int](repeating: 0, count: bins)
        for x in finite where x >= lo && x <= hi {
            counts[Swift.min(bins - 1, Int((x - lo) / width))] += 1
        }
        self.counts = counts
        nonFinite = values.count - finite.count
    }
}
