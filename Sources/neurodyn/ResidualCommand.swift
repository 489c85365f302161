import ArgumentParser
import Foundation
import GSLKit
import MeanField
import RunOutput
import Residual

struct ResidualCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "residual",
        abstract: "Residual networks as ODEs: exact gradients through the solver.",
        discussion: """
            The benchmark problem circles-anode3 (defined bit for bit in the Residual module's documentation): 1000 points on two
            circles flowing through dx/dt = W2 tanh(W1 x + b1) + b2 over t in [0, 1], the whole
            batch as one ODE, then a linear softmax readout. Fixed-step schemes euler:N,
            midpoint:N and rk4:N (N steps) with the discrete adjoint, the exact gradient of the
            scheme's own map; dopri5 (adaptive, --rtol/--atol) with the continuous adjoint, by
            backsolve (--method adjoint) or on the stored forward solution (--method checkpoint).
            """,
        subcommands: [Gradient.self, Train.self, Hamiltonian.self, Metric.self, NearIdentity.self])
}

extension ResidualCommand {
    struct Gradient: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Loss and its gradient (235 values: W1, b1, W2, b2, Wr, br; with --knots K the 227 field values at every knot first) at the initial parameters.")

        @OptionGroup var route: RouteOptions
        @OptionGroup var output: FormatOptions

        func run() throws {
            let (threads, knots) = (route.fieldThreads, route.knots)
            let (inputs, labels) = route.problem.data()
            let result = try lossAndGradient(parameters: ResidualProblem.initialParameters(knots: knots), knots: knots,
                                             inputs: inputs, labels: labels, route: route.route(), threads: threads)
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

/// --problem, --solver, --method and the tolerances: a ``GradientRoute``.
struct RouteOptions: ParsableArguments {
    @Option(help: "Problem: circles-anode3 (the benchmark), two-moons or two-spirals (same architecture and initial parameters).")
    var problem: ResidualProblem = .circlesAnode3
    @Option(help: ArgumentHelp("Solver: euler:N, midpoint:N or rk4:N (N fixed steps), or an adaptive one: dopri5, GSL's rk8pd, rkck, rkf45, or GSL's implicit rk1imp, rk2imp, rk4imp, bsimp, msbdf (exact Jacobians, checkpoint method, systems up to 1200 values: use --batch-size).", valueName: "solver"),
            transform: SolverSpec.parse)
    var solver: SolverSpec
    @Option(parsing: .unconditional, help: "Relative tolerance of dopri5 (> 0).")
    var rtol: Double = 1e-5
    @Option(parsing: .unconditional, help: "Absolute tolerance of dopri5 (> 0).")
    var atol: Double = 1e-5
    @Option(name: .customLong("max-steps"), parsing: .unconditional, help: "Step limit of each dopri5 solve.")
    var maxSteps: Int = 100_000
    @Option(parsing: .unconditional, help: "Knots of time-dependent weights W1(t), b1(t), W2(t), b2(t), linear between t = m/(K-1), each starting from the initial parameters (1: the benchmark's time-independent field).")
    var knots: Int = 1
    @Option(parsing: .unconditional, help: "Threads over blocks of the batch for fixed-step solvers (default: all cores; same bits for any count). Adaptive solvers couple the batch through the step size and run on one.")
    var threads: Int?
    @Option(help: "Gradient method: discrete (backprop of a fixed-step scheme; their default), adjoint (continuous adjoint by backsolve; dopri5's default) or checkpoint (continuous adjoint on the stored forward solution).")
    var method: GradientMethod?

    func validate() throws {
        guard (1...ResidualTraining.maximumKnots).contains(knots) else {
            throw ValidationError("invalid knots: must be between 1 and \(ResidualTraining.maximumKnots), got \(knots)")
        }
        try requireValidThreads(threads)
        switch (solver, method) {
        case (.fixed, .some(let method)) where method != .discrete:
            throw ValidationError("invalid method: fixed-step schemes use 'discrete' (exact backprop of the scheme), got '\(method.rawValue)'")
        case (.dopri5, .discrete?), (.gsl, .discrete?):
            throw ValidationError("invalid method: adaptive solvers take adjoint or checkpoint (the continuous adjoint), got 'discrete'")
        default: break
        }
    }

    /// --threads; all cores by default.
    var fieldThreads: Int { threads ?? ProcessInfo.processInfo.activeProcessorCount }

    /// --rtol, --atol and --max-steps of an adaptive solver.
    var controller: StepSizeController { StepSizeController(rtol: rtol, atol: atol, maxSteps: maxSteps) }

    /// The route: the fixed-step scheme with its discrete adjoint, or the adaptive solver with
    /// the continuous adjoint of --method (default per solver: ``GradientRoute/init(_:method:)``).
    func route() throws(ResidualError) -> GradientRoute {
        switch solver {
        case .fixed(let scheme, let steps): .discrete(scheme, steps: steps)
        case .dopri5: try GradientRoute(.dopri5, controller: controller, method: method?.adjoint)
        case .gsl(let stepper): try GradientRoute(.gsl(GSLODESolver(stepper: stepper)), controller: controller, method: method?.adjoint)
        }
    }
}


extension ResidualCommand {
    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train with Adam (lr 1e-2, full batch: the benchmark) or SGD, on mini-batches if asked, and log every step.",
            discussion: """
                JSON: final_loss, final_accuracy (after the last update, on all points),
                median_ms_per_step, nfe_forward and nfe_backward (totals over the steps), losses,
                accuracies and ms_per_step per step (on that step's batch, before its update);
                --format csv gives the per-step log. Mini-batches are drawn without replacement,
                step k from SplitMix64.derive(--seed, k).
                """)

        @OptionGroup var route: RouteOptions
        @Option(parsing: .unconditional, help: "Adam steps.")
        var steps: Int = 200
        @Option(name: .customLong("learning-rate"), parsing: .unconditional, help: "Learning rate (Adam's default 1e-2, SGD's 1e-1).")
        var learningRate: Double?
        @Option(help: "Optimiser: adam or sgd.")
        var optimizer: OptimizerChoice = .adam
        @Option(parsing: .unconditional, help: "SGD's momentum (0 <= mu < 1).")
        var momentum: Double = 0
        @Option(name: .customLong("batch-size"), parsing: .unconditional, help: "Points per step (default: all 1000, full batch).")
        var batchSize: Int?
        @Option(help: "Loss: cross-entropy (softmax) or mse (logits against one-hot targets).")
        var loss: Readout.Loss = .crossEntropy
        @Option(parsing: .unconditional, help: "Seed of the mini-batch draws (recorded).")
        var seed: UInt64 = 1
        @OptionGroup var output: FormatOptions
        @OptionGroup var progress: ProgressOptions

        enum OptimizerChoice: String, ExpressibleByArgument, CaseIterable {
            case adam, sgd
            var defaultLearningRate: Double { self == .sgd ? 1e-1 : 1e-2 }
        }

        var rate: Double { learningRate ?? optimizer.defaultLearningRate }

        func validate() throws {
            guard rate.isFinite, rate > 0 else { throw ValidationError("invalid learning-rate: must be finite and > 0, got \(rate)") }
            guard optimizer == .adam || (0..<1).contains(momentum) else {
                throw ValidationError("invalid momentum: must be in [0, 1), got \(momentum)")
            }
        }

        func run() throws {
            let (problem, threads, knots) = (route.problem, route.fieldThreads, route.knots)
            let route = try route.route()
            let chosen: Optimizer = optimizer == .adam ? .adam(Adam(learningRate: rate)) : .sgd(SGD(learningRate: rate, momentum: momentum))
            let handler = progress.handler(label: "training steps")
            let training = try ResidualTraining(route: route, optimizer: chosen, steps: steps, problem: problem, loss: loss,
                                                batchSize: batchSize, seed: seed, threads: threads, knots: knots)
            let (log, parameters) = try training.run { handler?($0, $1) }
            // After the last update, on all points.
            let final = try training.evaluate(parameters)
            let times = log.map(\.milliseconds).sorted()
            let median = times.count % 2 == 1 ? times[times.count / 2] : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
            let forward = log.reduce(0) { $0 + $1.forwardEvaluations }, backward = log.reduce(0) { $0 + $1.backwardEvaluations }
            switch output.format {
            case .json:
                JSONValue.object([("final_loss", .number(final.loss)), ("final_accuracy", .number(final.accuracy)),
                                  ("median_ms_per_step", .number(median)), ("nfe_forward", .int(forward)), ("nfe_backward", .int(backward)),
                                  ("threads", .int(threads)), ("knots", .int(knots)), ("losses", .numbers(log.map(\.loss))), ("accuracies", .numbers(log.map(\.accuracy))),
                                  ("ms_per_step", .numbers(log.map(\.milliseconds)))]).print()
            case .csv:
                var table = CSVTable(columns: ["step", "loss", "accuracy", "nfe_forward", "nfe_backward", "ms"])
                for (k, entry) in log.enumerated() {
                    table.append([.int(k), .number(entry.loss), .number(entry.accuracy), .int(entry.forwardEvaluations),
                                  .int(entry.backwardEvaluations), .number(entry.milliseconds)])
                }
                print(table.text, terminator: "")
            case .table:
                print(TableText.keyValues([("final_loss", TableText.number(final.loss)), ("final_accuracy", TableText.number(final.accuracy)),
                                           ("median_ms_per_step", TableText.number(median)), ("nfe_forward", String(forward)),
                                           ("nfe_backward", String(backward))]), terminator: "")
            }
        }
    }
}

extension ResidualCommand {
    struct Hamiltonian: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Drift of H = p . f(x) and of p . dx along the adjoint backsolve (conserved by the exact flow).",
            discussion: """
                At the initial parameters of circles-anode3: x and a variational solution dx
                (d(dx)/dt = (df/dx) dx, dx(0) = the inputs turned by 90 degrees) forward with
                dopri5, p(1) = dL/dx(1), then (x, p, dx) backwards. JSON: times (1 -> 0),
                hamiltonian, pairing (p . dx), their relative drifts, NFE.
                """)

        @Option(help: "Benchmark problem (circles-anode3, the only one).")
        var problem: ResidualProblem = .circlesAnode3
        @Option(parsing: .unconditional, help: "Relative tolerance of dopri5 (> 0).")
        var rtol: Double = 1e-5
        @Option(parsing: .unconditional, help: "Absolute tolerance of dopri5 (> 0).")
        var atol: Double = 1e-5
        @OptionGroup var output: FormatOptions

        func validate() throws {
            guard problem == .circlesAnode3 else {
                throw ValidationError("invalid problem: the available problem is circles-anode3, got '\(problem.rawValue)'")
            }
        }

        func run() throws {
            let (inputs, labels) = ResidualProblem.circlesAnode3.data()
            let (field, readout) = ResidualProblem.initialParameters()
            let result = try HamiltonianDiagnostics(field: MLPField(parameters: field), readout: Readout(parameters: readout),
                                                    inputs: inputs, labels: labels,
                                                    controller: StepSizeController(rtol: rtol, atol: atol))
            let summary: [(String, JSONValue)] = [
                ("hamiltonian_drift", .number(result.hamiltonianDrift)), ("pairing_drift", .number(result.pairingDrift)),
                ("nfe_forward", .int(result.forwardEvaluations)), ("nfe_backward", .int(result.backwardEvaluations))]
            switch output.format {
            case .json:
                JSONValue.object(summary + [("times", .numbers(result.times)), ("hamiltonian", .numbers(result.hamiltonian)),
                                            ("pairing", .numbers(result.pairing))]).print()
            case .csv:
                var table = CSVTable(columns: ["t", "hamiltonian", "pairing"])
                for k in result.times.indices { table.append([.number(result.times[k]), .number(result.hamiltonian[k]), .number(result.pairing[k])]) }
                print(table.text, terminator: "")
            case .table:
                print(TableText.keyValues(summary.map { ($0.0, $0.1.serialized(pretty: false)) }), terminator: "")
            }
        }
    }
}
