import ArgumentParser
import Foundation
import GSLKit

@main
struct Neurodyn: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "neurodyn",
        abstract: "Statistical neurodynamics and geometry of deep neural networks.",
        discussion: """
            Conventions: h^l = W^l phi(h^{l-1}) + b^l with W_ij ~ N(0, sigma_w^2/N) and
            b_i ~ N(0, sigma_b^2). --sigma-w2 and --sigma-b2 are VARIANCES (neural-tangents and
            deepchaos take standard deviations: square them). q = |h|^2/N is the pre-activation
            length per neuron. Data goes to stdout in the chosen --format; messages and progress
            go to stderr. Exit status: 0 ok, 64 invalid input, 1 no solution or runtime failure.
            """,
        version: version,
        subcommands: [MeanFieldCommand.self, SimulateCommand.self, EmbeddingCommand.self, ResidualCommand.self, HopfieldCommand.self,
                      ReproduceCommand.self, MergeCommand.self, SlurmCommand.self]
    )

    /// Every message on stderr starts "neurodyn: error: " (argument-parser's own parse and
    /// validation errors included), so that a log shows which program failed.
    static var _errorPrefix: String { "neurodyn: error: " }

    /// Refuses an unknown NEURODYN_ISA, gives OpenBLAS the kernels this CPU supports before anything runs (see
    /// ``BLAS/relaunchWithBetterCoreType()``), keeps large temporaries on the heap
    /// (``Memory/keepLargeBlocksOnTheHeap()``), pins OpenBLAS to one thread, then parses and runs
    /// the command, mapping its errors (``exit(withCommandError:)``). Process-wide settings live here, never in the libraries: every parallel loop
    /// of Neurodyn is over independent tasks (``parallelTasks(count:threads:progress:_:)``), and
    /// its products (k = 3 or 32 in residual fields, 400 x 400 dgemv in the proximal recursion)
    /// are too small for OpenBLAS's own threads, which would only spin beside the task threads.
    static func main() {
        if let problem = VectorMath.requestedInstructionSetProblem(ProcessInfo.processInfo.environment["NEURODYN_ISA"]) {
            printError("invalid environment: \(problem)")
            Foundation.exit(64)
        }
        BLAS.relaunchWithBetterCoreType()
        Memory.keepLargeBlocksOnTheHeap()
        BLAS.threads = 1
        var command: ParsableCommand
        do { command = try parseAsRoot() } catch { exit(withError: error) }
        do { try command.run() } catch { exit(withCommandError: error) }
    }

    /// The one adapter from errors thrown by `run()` to the exit-status contract (0 ok, 64 invalid
    /// input, 1 no solution or runtime failure). Checks of the arguments alone live in each
    /// command's `validate()` and are printed by argument-parser with the usage. In `run()`, a
    /// `ValidationError` (a check that needs what the command read, e.g. a model file's unit count)
    /// or a library error that says the caller's input was at fault
    /// (``UsageClassifiedError/isUsageError``, e.g. "invalid sigma_w2: must be finite and >= 0")
    /// exits 64 with its message; every other error exits 1 with its message.
    static func exit(withCommandError error: Error) -> Never {
        let classified = error as? any UsageClassifiedError
        if let message = (error as? ValidationError)?.message ?? (classified?.isUsageError == true ? classified?.description : nil) {
            printError(message)
            exit(withError: ExitCode.validationFailure)
        }
        exit(withError: error)
    }
}
