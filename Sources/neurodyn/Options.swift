import Activations
import ArgumentParser
import Foundation
import GSLKit
import MeanField
import RunOutput
import Residual

/// How results are printed on stdout.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv
}

struct FormatOptions: ParsableArguments {
    @Option(help: "Output format on stdout: table (for people), json (snake_case keys, null for non-finite values) or csv.")
    var format: OutputFormat = .table
}

struct ProgressOptions: ParsableArguments {
    @Flag(help: "No progress or messages on stderr (errors are still reported).")
    var quiet = false

    /// A progress handler printing "label: done/total" on stderr: redrawn in place on a
    /// terminal, plain lines (at most one per ~2% and per second) otherwise.
    func handler(label: String) -> ProgressHandler? {
        guard !quiet else { return nil }
        return ProgressPrinter(label: label).report
    }
}

struct ActivationOption: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Activation: a built-in (\(Activation.builtins.map(\.name).joined(separator: ", "))), a family (\(ActivationFamily.names.joined(separator: ", ")); e.g. leaky_relu:0.1, elu:1, tanh:1.5, monomial:3) or a formula in x.",
        discussion: "Formulas: + - * / ^, exp log sqrt erf tanh sin cos abs sigmoid softplus expm1 log1p, max(a, b), min(a, b), where(a > b, then, else), pi; e.g. 'x*erf(x)', 'max(x, 0.1*x)', 'where(x > 0, x, expm1(x))'. Derivatives are exact (Taylor-mode automatic differentiation); kinks of abs, max, min and where are found and used as quadrature breakpoints.",
        valueName: "activation"),
            transform: Activation.argument)
    var activation: Activation
}

struct ModelOptions: ParsableArguments {
    @OptionGroup var activationOption: ActivationOption
    var activation: Activation { activationOption.activation }

    @Option(name: .customLong("sigma-w2"), parsing: .unconditional, help: "Weight VARIANCE sigma_w^2 (W_ij ~ N(0, sigma_w^2/N)), >= 0.")
    var sigmaW2: Double

    @Option(name: .customLong("sigma-b2"), parsing: .unconditional, help: "Bias VARIANCE sigma_b^2 (b_i ~ N(0, sigma_b^2)), >= 0.")
    var sigmaB2: Double

    func model() throws(MeanFieldError) -> MeanFieldModel {
        try MeanFieldModel(activation: activation, sigmaW2: sigmaW2, sigmaB2: sigmaB2)
    }
}

extension Activation {
    /// Reads `--activation`, with the reason and position of a malformed formula in the message.
    static func argument(_ text: String) throws(ValidationError) -> Activation {
        do { return try Activation(parsing: text) } catch { throw ValidationError(error.description) }
    }
}

// RunOutput sits below GSLKit's marker (it needs nothing of GSL): its shard errors adopt it here.
extension ShardError: UsageClassifiedError {}

/// Refuses a worker-thread count below 1 (in a command's `validate()`).
func requireValidThreads(_ threads: Int?) throws(ValidationError) {
    if let threads, threads < 1 { throw ValidationError("invalid threads: must be >= 1, got \(threads)") }
}

/// A run that could not give its result (exit 1, "neurodyn: error: " and the message), for
/// checks of the command line's own; library errors carry their own messages.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension [Double] {
    /// The values as a comma list, as the list options take them.
    var commaSeparated: String { map { "\($0)" }.joined(separator: ",") }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data("neurodyn: error: \(message)\n".utf8))
}

/// A warning: the run goes on (exit 0); shown even with --quiet.
func printWarning(_ message: String) {
    FileHandle.standardError.write(Data("neurodyn: warning: \(message)\n".utf8))
}

func printMessage(_ message: String, quiet: Bool) {
    guard !quiet else { return }
    FileHandle.standardError.write(Data("neurodyn: \(message)\n".utf8))
}
