import Activations
import ArgumentParser
import Foundation
import MeanField
import RunOutput

extension MeanFieldCommand {
    struct FiniteWidth: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "finite-width",
            abstract: "The 1/N theory of q_hat = |h|^2/N at finite width, layers 1..L.",
            discussion: """
                q: mean-field q^l from q^1 = --q1. m: N (E[q_hat^l] - q^l). s: N Var(K_l).
                n_var: N Var(q_hat^l) = 2 (q^l)^2 + s_l. All to first order in 1/N, from
                m_{l+1} = V'(q^l) m_l + V''(q^l) s_l/2, s_{l+1} = V'(q^l)^2 s_l + S(q^l),
                S(q) = sigma_w^4 (E[phi^4] - E[phi^2]^2), m_1 = s_1 = 0. Divide by the width N to
                get the bias and variance of q_hat; relu at sigma_w^2 = 2, sigma_b^2 = 0 gives
                n_var/q^2 = 5l - 3.
                """)

        @OptionGroup var model: ModelOptions
        @Option(parsing: .unconditional, help: "Layer-1 length q^1 = |h^1|^2/N (> 0).")
        var q1: Double
        @Option(parsing: .unconditional, help: "Number of layers L (>= 1).")
        var depth: Int
        @OptionGroup var output: FormatOptions

        func run() throws {
            let model = try model.model()
            let integrator = GaussianIntegrator(activation: model.activation)
            let theory = try model.finiteWidth(q1: q1, depth: depth, using: integrator)
            let columns: [(String, [Double])] = [("q", theory.q), ("m", theory.m), ("s", theory.s), ("n_var", theory.nVar)]
            switch output.format {
            case .json:
                JSONValue.object(columns.map { ($0.0, .numbers($0.1)) }).print()
            case .csv:
                var table = CSVTable(columns: ["layer"] + columns.map(\.0))
                for (k, layer) in theory.layers.enumerated() {
                    table.append([.int(layer)] + columns.map { .number($0.1[k]) })
                }
                print(table.text, terminator: "")
            case .table:
                let rows = theory.layers.indices.map { k in [String(theory.layers[k])] + columns.map { TableText.number($0.1[k]) } }
                print(TableText.columns(["layer"] + columns.map(\.0), rows), terminator: "")
            }
        }
    }
}
