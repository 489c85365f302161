/// The error measures the tests compare against their tolerances, one copy for every test target
/// (in the manner of GSL's `gsl_test_rel` and diffrax's `tree_allclose`): a reference value
/// always comes second.

/// |a - b| / max(|b|, 1e-300): the relative error of `a` against the reference `b` (a zero
/// reference makes it the absolute error scaled by 1e300, so a nonzero `a` fails any tolerance).
public func relativeError(_ a: Double, _ b: Double) -> Double { abs(a - b) / max(abs(b), 1e-300) }

/// max_i |a_i - b_i|: the largest componentwise error of `a` against `b` (as many values each).
public func maxAbsError(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "maxAbsError of \(a.count) against \(b.count) values")
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}

/// max_i |a_i - b_i| / max_i |b_i|: the largest componentwise error relative to the reference's
/// scale (the measure of gradients, whose entries span orders of magnitude).
public func scaledMaxError(_ a: [Double], _ b: [Double]) -> Double {
    maxAbsError(a, b) / max(b.map(abs).max() ?? 0, 1e-300)
}
