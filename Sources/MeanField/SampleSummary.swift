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
