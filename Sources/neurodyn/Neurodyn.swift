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
    /// (``Memory/keepLargeBlocksOnTheHeap()``), then parses and runs the command.
    static func main() {
        if let problem = VectorMath.requestedInstructionSetProblem(ProcessInfo.processInfo.environment["NEURODYN_ISA"]) {
            printError("invalid environment: \(problem)")
            Foundation.exit(64)
        }
        BLAS.relaunchWithBetterCoreType()
        Memory.keepLargeBlocksOnTheHeap()
        main(nil)
    }
}
