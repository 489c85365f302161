import GSLKit

/// Why a Hopfield computation refused its input or failed. Each case names the parameter.
public enum HopfieldError: InvalidParameterReporting, Equatable {
    /// Invalid input (exit status 64 on the command line): the parameter and the reason.
    case invalid(InvalidParameter)
    /// The energy needs a symmetric W; `asymmetry` is max |W_ij - W_ji|.
    case asymmetric(asymmetry: Double)
    /// A solve failed: what, and why (exit status 1).
    case failed(String)

    public var description: String {
        switch self {
        case .invalid(let parameter): parameter.description
        case .asymmetric(let a): "invalid W: the energy E(x) = -x.Wx/2 - I.x + sum phi(x_i)/tau needs a symmetric W (max |W_ij - W_ji| = \(a))"
        case .failed(let reason): reason
        }
    }

    public var isUsageError: Bool {
        switch self {
        case .invalid, .asymmetric: true
        case .failed: false
        }
    }

    /// Maps a solver's error: its invalid settings are usage errors, the rest runtime failures.
    static func from(_ error: any Error) -> HopfieldError {
        if let error = error as? HopfieldError { return error }
        if case .fieldFailed(let inner)? = error as? ODEError { return from(inner) }
        if case .invalid(let parameter)? = error as? ODEError { return .invalid(parameter) }
        if let error = error as? ODEError, case .diverged = error {
            return .failed("\(error) (unit states u; with unbounded units (exp, identity) positive feedback through W can outgrow the leak -u/tau, so the flow has no bounded attractor from this start)")
        }
        return .failed("\(error)")
    }
}
