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

    /// Refuses an unknown NEURODYN_ISA, gives OpenBLAS the kernels this CPU supports before anything runs (see
    /// ``BLAS/relaunchWithBetterCoreType()``), keeps large temporaries on the heap
    /// (``Memory/keepLargeBlocksOnTheHeap()``), pins OpenBLAS to one thread, then parses and runs
    /// the command. Process-wide settings live here, never in the libraries: every parallel loop
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
        main(nil)
    }
}
