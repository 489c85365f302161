import Activations
import ArgumentParser
import Foundation
import RunOutput
import Residual

extension ResidualCommand {
    struct NearIdentity: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "near-identity",
            abstract: "A near-identity feedforward net against its ODE dx/dt = A(t) x + c(t) + g(x) as eps = 1/N -> 0.",
            discussion: """
                The net x_{n+1} = sigma(W_n x_n + b_n), W_n = I + eps A(t_n), b_n = eps c(t_n),
                sigma(z) = z + eps g(z), N = 1/eps layers, is x + eps f(t_n, x) + O(eps^2) per layer
                (the Residual module's Adjoint article). A(t), c(t) interpolate linearly between --knots values drawn
                from --seed (A entries in [-scale, scale], c in [-scale/2, scale/2]). The inputs are
                --points circles-anode3 points; the loss is <w, x(1)> with w drawn from the seed's
                second stream. For every N of --layers: the output's max error, and the relative
                errors of the net's exact backprop gradient (in A_m, c_m) and of dL/dx(0) against
                the ODE's (RK4, 4096 steps, discrete adjoint; its distance to RK4 with 2048 steps
                is reported as reference_check). All three fall as O(eps).
                """)

        @Option(parsing: .unconditional, help: "Knots of A(t) and c(t) on [0, 1] (>= 1; 1: constant weights).")
        var knots: Int = 5
        @Option(help: "The elementwise nonlinearity g (any activation, family or formula, as --activation takes).",
                transform: Activation.argument)
        var g: Activation = .tanh
        @Option(parsing: .unconditional, help: "Size of the random weights (>= 0).")
        var scale: Double = 0.6
        @Option(parsing: .unconditional, help: "Seed of the weights and of the loss's cotangent.")
        var seed: UInt64 = 1
        @Option(parsing: .unconditional, help: "Input points (spread evenly through circles-anode3's 1000).")
        var points: Int = 100
        @Option(help: "Layer counts N, comma-separated (each 1...100000; default: 8,16,32,64,128,256,512).", transform: CommaList.integers(in: 1...100_000))
        var layers: [Int] = [8, 16, 32, 64, 128, 256, 512]
        @OptionGroup var output: FormatOptions

        func run() throws {
            let (x0, w) = try NearIdentityConvergence.circlesAnode3Inputs(points: points, seed: seed)
            let field = try NearIdentityField.random(dimension: ResidualProblem.dimension, knots: knots, scale: scale, seed: seed, g: g)
            let study = try field.convergence(x0, batch: points, cotangent: w, layers: layers)
            let rows = study.rows.map { [Double($0.layers), $0.eps, $0.stateError, $0.gradientError, $0.momentumError] }
            let header = ["layers", "eps", "state_error", "gradient_error", "momentum_error"]
            switch output.format {
            case .json:
                JSONValue.object([
                    ("knots", .int(knots)), ("g", .string(g.name)), ("scale", .number(scale)), ("seed", .string(String(seed))),
                    ("points", .int(points)), ("reference", .string("rk4:\(study.referenceSteps), discrete adjoint")),
                    ("reference_check", .number(study.referenceCheck)),
                    ("rows", .array(rows.map { row in .object(zip(header, row).map { ($0, $0 == "layers" ? .int(Int($1)) : .number($1)) }) })),
                ]).print()
            case .csv, .table:
                printRows(header, rows, format: output.format)
            }
        }
    }
}
