import MeanField
import Testing

/// The pooled summary of several inputs measured on the same networks, by hand.
@Suite struct SampleSummaryTests {
    @Test func poolingTwoInputsOverFourNetworks() {
        // Input 0: 1, 2, 3, 4 (mean 2.5, squared deviations sum 5); input 1: 2, 2, 5, 7 (mean 4,
        // sum 18). Pooled variance (5 + 18)/(2 * 3); per-network means 1.5, 2, 4, 5.5 (mean 3.25,
        // squared deviations sum 10.25), so the mean's standard error is sqrt(10.25/3/4).
        let summary = SampleSummary(pooling: [[1, 2, 3, 4], [2, 2, 5, 7]])
        #expect(summary.count == 8)
        #expect(abs(summary.mean - 3.25) < 1e-15)
        #expect(abs(summary.variance - 23.0 / 6) < 1e-14)
        #expect(abs(summary.stderrMean - (10.25 / 3 / 4).squareRoot()) < 1e-15)
        // The variance's standard error: that of the per-network pooled spreads
        // y_t = (1/2)((x_0t - 2.5)^2 + (x_1t - 4)^2) 4/3 = (12.5, 8.5, 2.5, 22.5)/3 (mean 23/6), sample SD / 2.
        let y = [12.5 / 3, 8.5 / 3, 2.5 / 3, 22.5 / 3], m = y.reduce(0, +) / 4
        let se = (y.reduce(0) { $0 + ($1 - m) * ($1 - m) } / 3 / 4).squareRoot()
        #expect(abs(summary.stderrVariance - se) < 1e-14)
    }

    @Test func oneInputIsThePlainSummary() {
        let values = [0.3, 1.7, 2.2, 0.9, 1.4, 3.1]
        let pooled = SampleSummary(pooling: [values]), plain = SampleSummary(values)
        #expect(pooled.count == plain.count)
        #expect(abs(pooled.mean - plain.mean) < 1e-15 && abs(pooled.variance - plain.variance) < 1e-15)
        #expect(abs(pooled.stderrMean - plain.stderrMean) < 1e-15 && pooled.stderrVariance == plain.stderrVariance)
    }
}
