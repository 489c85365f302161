import ArgumentParser
import Foundation
import RunOutput
import Residual

extension ResidualCommand {
    struct Metric: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The pulled-back metric G(x0) = DPhi^T DPhi of the (learned) flow map and det DPhi = exp Int tr(df/dx) dt.",
            discussion: """
                Trains --problem for --steps Adam steps by the given route (0: the initial
                parameters), then at --points inputs spread through the data set integrates the flow
                with its variational equation (GSL rk8pd, 1e-11): per point x(0), x(1), log |det DPhi|,
                Int_0^1 tr J dt (equal by Jacobi's formula), and the eigenvalues of G, the squared
                stretches of the flow map along its principal directions.
                """)

        @OptionGroup var route: RouteOptions
        @Option(parsing: .unconditional, help: "Adam steps before measuring (0: the initial parameters).")
        var steps: Int = 0
        @Option(parsing: .unconditional, help: "Input points (spread evenly through the 1000).")
        var points: Int = 20
        @OptionGroup var output: FormatOptions

        func validate() throws {
            guard (1...ResidualProblem.count).contains(points) else {
                throw ValidationError("invalid points: must be between 1 and \(ResidualProblem.count), got \(points)")
            }
            guard steps >= 0 else { throw ValidationError("invalid steps: must be >= 0, got \(steps)") }
            guard route.knots == 1 else {
                throw ValidationError("invalid knots: residual metric measures the time-independent field f(x); --knots \(route.knots) (a field per time knot) is not supported here")
            }
        }

        func run() throws {
            let (problem, threads) = (route.problem, route.fieldThreads)
            let route = try route.route()
            let (inputs, labels) = problem.data()
            let (field0, _) = ResidualProblem.initialParameters()
            var parameters = field0
            if steps > 0 {
                let trained = try ResidualTraining(route: route, steps: steps, problem: problem, threads: threads).run().parameters
                parameters = field0.with(flat: trained[0..<field0.count])
            }
            let field = MLPField(parameters: parameters)
            let indices = (0..<points).map { $0 * labels.count / points }
            let metrics = try indices.map { i throws(ResidualError) in try field.flowMetric(at: Array(inputs[3 * i ..< 3 * i + 3])) }
            let liouville = metrics.map { abs($0.logDeterminant - $0.integralTrace) }.max() ?? 0
            switch output.format {
            case .json:
                JSONValue.object([
                    ("trained_steps", .int(steps)), ("max_liouville_error", .number(liouville)),
                    ("points", .array(zip(indices, metrics).map { i, m in
                        .object([("index", .int(i)), ("label", .int(labels[i])), ("x0", .numbers(m.x0)), ("x1", .numbers(m.x1)),
                                 ("log_det", .number(m.logDeterminant)), ("integral_trace", .number(m.integralTrace)),
                                 ("metric_eigenvalues", .numbers(m.eigenvalues))])
                    })),
                ]).print()
            case .csv, .table:
                let header = ["index", "label", "x0_1", "x0_2", "x0_3", "log_det", "integral_trace", "g_min", "g_mid", "g_max"]
                let rows = zip(indices, metrics).map { i, m in
                    [Double(i), Double(labels[i])] + m.x0 + [m.logDeterminant, m.integralTrace] + m.eigenvalues
                }
                printRows(header, rows, format: output.format)
            }
        }
    }
}
