import Foundation

/// Temperature as a function of time for the diffusion machine.
public enum AnnealingSchedule: Sendable, Equatable {
    /// T(t) = T.
    case constant(Double)
    /// T(t) = max(floor, T0 rate^t): exponential cooling.
    case geometric(initial: Double, rate: Double, floor: Double)
    /// T(t) = c / log(e + t): the Geman-Hajek logarithmic schedule, slow enough to find the global
    /// minimum for c above the deepest barrier.
    case logarithmic(c: Double)

    public func temperature(at t: Double) -> Double {
        switch self {
        case .constant(let value): value
        case .geometric(let initial, let rate, let floor): max(floor, initial * pow(rate, t))
        case .logarithmic(let c): c / log(M_E + t)
        }
    }

    func validate() throws(HopfieldError) {
        switch self {
        case .constant(let value):
            guard value > 0, value.isFinite else { throw .invalidParameter(name: "temperature", reason: "must be > 0, got \(value)") }
        case .geometric(let initial, let rate, let floor):
            guard initial > 0, initial.isFinite else { throw .invalidParameter(name: "temperature", reason: "initial must be > 0, got \(initial)") }
            guard rate > 0, rate <= 1 else { throw .invalidParameter(name: "cooling rate", reason: "must be in (0, 1], got \(rate)") }
            guard floor > 0 else { throw .invalidParameter(name: "temperature floor", reason: "must be > 0, got \(floor)") }
        case .logarithmic(let c):
            guard c > 0, c.isFinite else { throw .invalidParameter(name: "temperature", reason: "c must be > 0, got \(c)") }
        }
    }
}
