import MeanField
import RunOutput

extension LengthFixedPoints {
    /// The JSON of `meanfield point`'s fixed_points: one object per fixed point, ascending in q*,
    /// with its basin [lower, upper] of initial lengths (upper null when unbounded).
    var json: JSONValue {
        .array(points.map { point in
            .object([("q_star", .number(point.qStar)), ("v_prime", .number(point.vPrime)), ("stable", .bool(point.isStable)),
                     ("basin", point.basin.map { .array([.number($0.lower), $0.upper.isFinite ? .number($0.upper) : .null]) } ?? .null)])
        })
    }

    /// The stable points and their basins in words: "q* = 0 for q0 in (0, 0.53); q grows without
    /// bound for q0 > 0.53".
    var summary: String {
        if everyLengthIsFixed { return "every length is a fixed point" }
        var parts = stable.map { point -> String in
            let basin = point.basin.map { " for q0 in (\($0.lower), \($0.upper.isFinite ? "\($0.upper)" : "inf"))" } ?? ""
            return "q* = \(point.qStar)\(basin)"
        }
        if let divergesAbove { parts.append(divergesAbove == 0 ? "q grows without bound from every q0" : "q grows without bound for q0 > \(divergesAbove)") }
        return parts.isEmpty ? "no fixed point" : parts.joined(separator: "; ")
    }
}
