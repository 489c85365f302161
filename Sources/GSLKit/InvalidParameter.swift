/// A parameter outside its domain: its name and the reason, written "invalid NAME: REASON".
///
/// The payload every module's error carries for invalid input (``MeanFieldError``,
/// ``ResidualError``, ``HopfieldError``, ``ODEError``: each has `case invalid(InvalidParameter)`),
/// so that "invalid input" is spelled once and the command line maps it to exit status 64.
public struct InvalidParameter: Error, Hashable, Sendable, CustomStringConvertible {
    public var name: String
    public var reason: String

    public init(name: String, reason: String) {
        self.name = name
        self.reason = reason
    }

    public var description: String { "invalid \(name): \(reason)" }
}

/// An error that says whether the caller's input was at fault (a usage error: exit 64 at the
/// command line) or the computation could not be done (exit 1). Every module's error adopts it;
/// the command line maps errors by it alone.
public protocol UsageClassifiedError: Error, CustomStringConvertible {
    var isUsageError: Bool { get }
}

/// An error with a case for an invalid parameter built from the shared payload.
public protocol InvalidParameterReporting: UsageClassifiedError {
    static func invalid(_ parameter: InvalidParameter) -> Self
}

extension InvalidParameterReporting {
    /// `.invalid(InvalidParameter(name:reason:))`, the spelling every throw site uses.
    public static func invalidParameter(name: String, reason: String) -> Self {
        .invalid(InvalidParameter(name: name, reason: reason))
    }
}
