import Foundation

/// What a run was: command, parameters, seed, software versions, files written. Written as
/// run.json beside the data so that every figure can be traced back and rerun.
public struct RunManifest: Sendable {
    public var command: String
    public var parameters: [(String, JSONValue)]
    public var seed: UInt64?
    public var versions: [(String, String)]
    /// The compute kernels' family, e.g. "x86-64-v4, OpenBLAS SkylakeX": same seed, same bits
    /// holds within one family; other families agree to the stated accuracy, not to the bit.
    public var kernels: String?
    public var files: [String]
    public var elapsedSeconds: Double?

    public init(command: String, parameters: [(String, JSONValue)], seed: UInt64? = nil,
                versions: [(String, String)], kernels: String? = nil, files: [String], elapsedSeconds: Double? = nil) {
        self.command = command
        self.parameters = parameters
        self.seed = seed
        self.versions = versions
        self.kernels = kernels
        self.files = files
        self.elapsedSeconds = elapsedSeconds
    }

    public var json: JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("command", .string(command)),
            ("parameters", .object(parameters)),
        ]
        if let seed { pairs.append(("seed", .string(String(seed)))) }
        pairs.append(("versions", .object(versions.map { ($0.0, .string($0.1)) })))
        if let kernels { pairs.append(("kernels", .string(kernels))) }
        pairs.append(("files", .array(files.map { .string($0) })))
        if let elapsedSeconds { pairs.append(("elapsed_seconds", .number(elapsedSeconds))) }
        return .object(pairs)
    }
}
