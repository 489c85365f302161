import ArgumentParser
import Foundation
import MeanField
import Notebook
import Residual

struct ResidualCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "residual",
        abstract: "Residual networks as ODEs: exact gradients through the solver.",
        discussion: """
            The benchmark problem circles-anode3 (DESIGN.md section 4): 1000 points on two
            circles flowing through dx/dt = W2 tanh(W1 x + b1) + b2 over t in [0, 1], the whole
            batch as one ODE, then a linear softmax readout. Fixed-step schemes euler:N,
            midpoint:N and rk4:N (N steps) with the discrete adjoint, the exact gradient of the
            scheme's own map; dopri5 (adaptive, --rtol/--atol) with the continuous adjoint, by
            backsolve (--method adjoint) or on the stored forward solution (--method checkpoint).
            """,
        subcommands: [Gradient.self])
}

extension ResidualCommand {
    struct Gradient: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Loss and its gradient (235 values: W1, b1, W2, b2, Wr, br) at the initial parameters.")

        @Option(help: "Benchmark problem (circles-anode3).")
        var problem: String = "circles-anode3"
        @Option(help: "Solver: euler:N, midpoint:N or rk4:N (N fixed steps), or dopri5 (adaptive).")
        var solver: String
        @Option(parsing: .unconditional, help: "Relative tolerance of dopri5 (> 0).")
        var rtol: Double = 1e-5
        @Option(parsing: .unconditional, help: "Absolute tolerance of dopri5 (> 0).")
        var atol: Double = 1e-5
        @Option(name: .customLong("max-steps"), help: "Step limit of each dopri5 solve.")
        var maxSteps: Int = 100_000
        @Option(help: "Gradient method: discrete (backprop of a fixed-step scheme), adjoint (continuous adjoint by backsolve) or checkpoint (continuous adjoint on the stored forward solution).")
        var method: String = "discrete"
        @OptionGroup var output: FormatOptions

        func run() throws {
            guard problem == "circles-anode3" else {
                printError("invalid problem: the available problem is circles-anode3, got '\(problem)'")
                throw ExitCode(64)
            }
            let (inputs, labels) = CirclesAnode3.data()
            let (initialField, initialReadout) = CirclesAnode3.initialParameters()
            let (field, readout) = (MLPField(parameters: initialField), Readout(parameters: initialReadout))
            let result: ResidualGradient
            if solver == "dopri5" {
                guard let adjoint = AdjointMethod(rawValue: method) else {
                    printError("invalid method: dopri5 takes adjoint or checkpoint (the continuous adjoint), got '\(method)'")
                    throw ExitCode(64)
                }
                result = try residual { () throws(ResidualError) in
                    try CirclesAnode3.gradient(field: field, readout: readout, inputs: inputs, labels: labels,
                                               solver: Dopri5(rtol: rtol, atol: atol, maxSteps: maxSteps), method: adjoint)
                }
            } else {
                let parts = solver.split(separator: ":").map(String.init)
                let schemes: [String: ExplicitRungeKutta] = ["euler": .euler, "midpoint": .midpoint, "rk4": .rk4]
                guard parts.count == 2, let scheme = schemes[parts[0]], let steps = Int(parts[1]), steps >= 1, steps <= 1_000_000 else {
                    printError("invalid solver: expected euler:N, midpoint:N or rk4:N with 1 <= N <= 1000000, or dopri5, got '\(solver)'")
                    throw ExitCode(64)
                }
                guard method == "discrete" else {
                    printError("invalid method: fixed-step schemes use 'discrete' (exact backprop of the scheme), got '\(method)'")
                    throw ExitCode(64)
                }
                result = CirclesAnode3.gradient(field: field, readout: readout, inputs: inputs, labels: labels, scheme: scheme, steps: steps)
            }
            let pairs: [(String, JSONValue)] = [
                ("loss", .number(result.loss)), ("accuracy", .number(result.accuracy)), ("gradient", .numbers(result.gradient)),
                ("nfe_forward", .int(result.forwardEvaluations)), ("nfe_backward", .int(result.backwardEvaluations))]
            switch output.format {
            case .json: JSONValue.object(pairs).print()
            case .csv:
                var table = CSVTable(columns: ["index", "gradient"])
                for (k, value) in result.gradient.enumerated() { table.append([.int(k), .number(value)]) }
                print(table.text, terminator: "")
            case .table:
                print(TableText.keyValues([("loss", TableText.number(result.loss)), ("accuracy", TableText.number(result.accuracy)),
                                           ("|gradient|", TableText.number(result.gradient.reduce(0) { $0 + $1 * $1 }.squareRoot())),
                                           ("nfe_forward", String(result.forwardEvaluations)),
                                           ("nfe_backward", String(result.backwardEvaluations))]), terminator: "")
            }
        }
    }
}

/// Runs Residual code and maps its errors: invalid input -> 64, a field producing NaN or a solve
/// that cannot finish -> 1, each with its one-line message.
func residual<T>(_ body: () throws(ResidualError) -> T) throws -> T {
    do { return try body() } catch {
        printError(error.description)
        throw ExitCode(error.isUsageError ? 64 : 1)
    }
}
