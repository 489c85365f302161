import Activations
import ArgumentParser
import Foundation
import GSLKit
import MeanField
import RunOutput

struct MeanFieldCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meanfield",
        abstract: "Exact mean-field theory of random deep networks (Poole et al. 2016, Schoenholz et al. 2017).",
        discussion: """
            V(q) = sigma_w^2 E[phi(sqrt(q) z)^2] + sigma_b^2 is the length map, c' = f(c) the
            correlation map, chi_1 = sigma_w^2 E[phi'(sqrt(q*) z)^2] decides order (< 1) or chaos
            (> 1). Gaussian expectations are exact closed forms (linear, relu, erf, sin) or
            composite Gauss-Legendre quadrature accurate to ~1e-14.
            """,
        subcommands: [Point.self, Iterate.self, Critical.self, Phase.self, FiniteWidth.self, Kernel.self]
    )
}

extension MeanFieldCommand {
    struct Point: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fixed points, susceptibilities, depth scales and phase at one (sigma_w^2, sigma_b^2).",
            discussion: """
                q_star: the fixed point of the length map reached from --q0 (root finding, not
                iteration). chi1 = sigma_w^2 E[phi'^2] and chi2 = sigma_w^2 E[phi''^2] at q*
                (chi2 is infinite, null in JSON, for relu and hard-tanh). v_prime = V'(q*).
                c_star: the stable correlation fixed point (1 unless chaotic); chi_c = f'(c*).
                xi_q = -1/ln V'(q*), xi_c = -1/ln chi_c, xi_grad = -1/ln chi1 (negative when
                gradients explode), all in layers. phase: ordered | chaotic | critical
                (|chi1 - 1| <= 1e-10).
                fixed_points: every fixed point of the length map, ascending, with v_prime, stable,
                and for a stable one its basin [lower, upper] of initial lengths (upper null when
                unbounded); diverges_above: the q0 above which q grows without bound (null when
                none does). With several stable points (multistable: true) the one reported
                above is the one --q0 reaches. CSV and table give the stable points and basins in
                words. quadrature_error: the largest relative change of E[phi^2], E[phi'^2] (at q*)
                and E[phi phi], E[phi' phi'] (at q*, c*) when every panel is halved and the order
                doubled (0 where closed forms answer); quadrature_met_accuracy: it is <= 1e-11 and
                no rule hit its panel cap (a warning says so otherwise). The NTK at the fixed point
                (NTK parameterization): ntk_diagonal_growth = chi1 (Theta_11 -> q* + chi1 Theta_11),
                ntk_diagonal_limit = q*/(1 - chi1) (null unless ordered), ntk_offdiagonal_limit =
                q* c*/(1 - chi_c), ntk_correlation_limit (1 ordered, 0 chaotic, null critical) and
                xi_ntk, the layers over which Theta_12/Theta_11 approaches it (xi_c ordered,
                1/ln chi1 chaotic).
                """)

        @OptionGroup var model: ModelOptions
        @Option(parsing: .unconditional, help: "Initial length q^0 from which the fixed point is reached (> 0).")
        var q0: Double = 1
        @OptionGroup var output: FormatOptions

        func run() throws {
            let model = try model.model()
            let integrator = GaussianIntegrator(activation: model.activation)
            // Every fixed point, beside the one q0 reaches; a failure to list them all does not
            // stop the point (it is said, and fixed_points is null).
            var all: LengthFixedPoints?
            do { all = try model.lengthFixedPoints(using: integrator) } catch {
                printWarning("could not list every fixed point of the length map: \(error)")
            }
            let p: PointAnalysis
            do { p = try model.analyse(q0: q0, using: integrator) } catch {
                guard case .noFixedPoint = error, let all, !all.stable.isEmpty else { throw error }
                throw CommandFailure("\(error); the length map has stable fixed points elsewhere: \(all.summary) (choose --q0 in a basin)")
            }
            let check = model.quadratureCheck(p, using: integrator)
            let ntk = p.neuralTangentKernel
            if !check.metAccuracy {
                printWarning("the quadrature did not meet its accuracy at this point: n-versus-2n difference \(check.error)" +
                             (check.truncatedRules > 0 ? ", \(check.truncatedRules) rules capped at their panel limit" : ""))
            }
            let fields: [(String, Double)] = [
                ("sigma_w2", model.sigmaW2), ("sigma_b2", model.sigmaB2), ("q_star", p.qStar),
                ("chi1", p.chi1), ("chi2", p.chi2), ("v_prime", p.vPrime), ("xi_q", p.xiQ),
                ("c_star", p.cStar), ("chi_c", p.chiC), ("xi_c", p.xiC), ("xi_grad", p.xiGrad),
            ]
            switch output.format {
            case .json:
                let every: [(String, JSONValue)] = [
                    ("fixed_points", all?.json ?? .null), ("multistable", all.map { .bool($0.isMultistable) } ?? .null),
                    ("diverges_above", all?.divergesAbove.map(JSONValue.number) ?? .null),
                    ("quadrature_error", .number(check.error)), ("quadrature_met_accuracy", .bool(check.metAccuracy)),
                    ("ntk_diagonal_growth", .number(ntk.diagonalGrowth)), ("ntk_diagonal_limit", .optional(ntk.diagonalLimit)),
                    ("ntk_offdiagonal_limit", .optional(ntk.offDiagonalLimit)), ("ntk_correlation_limit", .optional(ntk.correlationLimit)),
                    ("xi_ntk", .number(ntk.correlationDepthScale))]
                let numbers: [(String, JSONValue)] = fields.map { ($0.0, .number($0.1)) }
                JSONValue.object([("activation", .string(model.activation.name))] + numbers + [("phase", .string(p.phase.rawValue))]
                    + every).print()
            case .csv:
                var table = CSVTable(columns: ["activation"] + fields.map(\.0) + ["phase", "fixed_points"])
                table.append([.text(model.activation.name)] + fields.map { .number($0.1) } + [.text(p.phase.rawValue),
                              .text(all?.summary ?? "")])
                print(table.text, terminator: "")
            case .table:
                print(TableText.keyValues([("activation", model.activation.name)]
                    + fields.map { ($0.0, TableText.number($0.1)) } + [("phase", p.phase.rawValue), ("fixed_points", all?.summary ?? "unknown")]),
                      terminator: "")
            }
        }
    }

    struct Iterate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Iterate the length map (and the correlation map) layer by layer.",
            discussion: """
                q: q^0..q^L from q^0 = --q0 (or q* with --q0 star). With --c0, c: c^0..c^L for two
                inputs of length q^0 and correlation c^0 under the joint map
                q' = V(q), c' = (sigma_w^2 E[phi(u1)phi(u2)] + sigma_b^2)/q'.
                """)

        @OptionGroup var model: ModelOptions
        @Option(parsing: .unconditional, help: "Number of layers L (>= 0).")
        var depth: Int
        @Option(parsing: .unconditional, help: "Initial length q^0 (> 0), or 'star' to start at the fixed point q* reached from 1 (default: 1).",
                transform: InitialLength.parse)
        var q0: InitialLength = .value(1)
        @Option(parsing: .unconditional, help: "Initial correlation c^0 in [-1, 1] of two inputs; omit for the length map alone.")
        var c0: Double?
        @OptionGroup var output: FormatOptions
        @OptionGroup var progress: ProgressOptions

        func run() throws {
            let model = try model.model()
            let integrator = GaussianIntegrator(activation: model.activation)
            let start = switch q0 {
            case .value(let q): q
            case .star: try model.qStar(from: 1, using: integrator)
            }
            let (qs, cs) = try model.iterate(q0: start, c0: c0, depth: depth, progress: progress.handler(label: "layers"), using: integrator)
            switch output.format {
            case .json:
                var pairs: [(String, JSONValue)] = [("q", .numbers(qs))]
                if let cs { pairs.append(("c", .numbers(cs))) }
                JSONValue.object(pairs).print()
            case .csv:
                var table = CSVTable(columns: cs == nil ? ["layer", "q"] : ["layer", "q", "c"])
                for l in qs.indices { table.append([.int(l), .number(qs[l])] + (cs.map { [.number($0[l])] } ?? [])) }
                print(table.text, terminator: "")
            case .table:
                let rows = qs.indices.map { l in [String(l), TableText.number(qs[l])] + (cs.map { [TableText.number($0[l])] } ?? []) }
                print(TableText.columns(cs == nil ? ["layer", "q"] : ["layer", "q", "c"], rows), terminator: "")
            }
        }
    }

    struct Critical: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The critical sigma_w^2 (chi_1 = 1) at a given sigma_b^2.",
            discussion: """
                Solved on the parametric line sigma_w^2(q) = 1/E_q[phi'^2],
                sigma_b^2(q) = q - sigma_w^2(q) E_q[phi^2] (smallest q). q_star is the fixed point on
                the line; null for relu and linear at sigma_b^2 = 0, where every q is a fixed point.
                """)

        @OptionGroup var activationOption: ActivationOption
        var activation: Activation { activationOption.activation }
        @Option(name: .customLong("sigma-b2"), parsing: .unconditional, help: "Bias VARIANCE sigma_b^2 (>= 0).")
        var sigmaB2: Double
        @OptionGroup var output: FormatOptions

        func run() throws {
            let point = try activation.criticalPoint(sigmaB2: sigmaB2)
            switch output.format {
            case .json:
                JSONValue.object([("sigma_w2", .number(point.sigmaW2)), ("q_star", .optional(point.qStar))]).print()
            case .csv:
                var table = CSVTable(columns: ["activation", "sigma_b2", "sigma_w2", "q_star"])
                table.append([.text(activation.name), .number(sigmaB2), .number(point.sigmaW2), .number(point.qStar ?? .nan)])
                print(table.text, terminator: "")
            case .table:
                print(TableText.keyValues([
                    ("activation", activation.name), ("sigma_b2", TableText.number(sigmaB2)),
                    ("sigma_w2", TableText.number(point.sigmaW2)),
                    ("q_star", point.qStar.map(TableText.number) ?? "any (every q is a fixed point)"),
                ]), terminator: "")
            }
        }
    }
}
