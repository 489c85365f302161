import ArgumentParser
import Foundation
import GSLKit
import Hopfield
import RunOutput

struct HopfieldCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hopfield",
        abstract: "The continuous Hopfield network: flow, energy, Hessian geometry, compressibility, diffusion machine.",
        discussion: """
            C_i du_i/dt = -u_i/tau + sum_j W_ij sigma(u_j) + I_i, x = sigma(u), with the energy
            E(x) = -x.Wx/2 - I.x + (1/tau) sum phi(x_i), phi the Legendre dual of psi = Int sigma
            (the Hopfield module's documentation). The model file gives activation, W (symmetric for anything that
            needs E), I, gain, tau and C. An asymmetric W runs the flow with a warning; commands
            that need the energy refuse it.
            """,
        subcommands: [Trajectory.self, FixedPoints.self, Compressibility.self, Distance.self, Stationary.self,
                      Liouville.self, Density.self])
}

/// The GSL stepper and tolerances of a trajectory.
struct StepperOptions: ParsableArguments {
    @Option(help: "GSL stepper (implicit ones use the exact Jacobian).")
    var stepper: GSLStepper = .rk8pd
    @Option(parsing: .unconditional, help: "Relative tolerance (> 0).")
    var rtol: Double = 1e-10
    @Option(parsing: .unconditional, help: "Absolute tolerance (> 0).")
    var atol: Double = 1e-10
    @Option(name: .customLong("max-steps"), parsing: .unconditional, help: "Step limit of the whole solve.")
    var maxSteps: Int = 1_000_000

    func validate() throws {
        for (name, value) in [("rtol", rtol), ("atol", atol)] where !(value > 0 && value.isFinite) {
            throw ValidationError("invalid \(name): must be > 0, got \(value)")
        }
        guard maxSteps >= 1 else { throw ValidationError("invalid max-steps: must be >= 1, got \(maxSteps)") }
    }

    var solver: GSLODESolver { GSLODESolver(stepper: stepper) }
    var controller: StepSizeController { StepSizeController(rtol: rtol, atol: atol, maxSteps: maxSteps) }
}

extension GSLStepper: ExpressibleByArgument {}

extension HopfieldCommand {
    struct Trajectory: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "u(t), x(t) and E(x(t)) at the given times (GSL rk8pd by default).")

        @OptionGroup var file: HopfieldModelOption
        @Option(parsing: .unconditional, help: ArgumentHelp("Initial state u(t_1), one value per unit.", valueName: "U1,U2,.."), transform: CommaList.numbers)
        var u0: [Double]
        @Option(parsing: .unconditional, help: ArgumentHelp("Output times, strictly monotone; the first is the start.", valueName: "T1,T2,.."), transform: CommaList.numbers)
        var times: [Double]
        @OptionGroup var stepper: StepperOptions
        @OptionGroup var output: FormatOptions

        func run() throws {
            let model = try file.load()
            try requireCount(u0, model.n, name: "u0")
            if !model.isSymmetric {
                printWarning("W is not symmetric (max |W_ij - W_ji| = \(model.asymmetry)): the flow runs, the energy is not reported")
            }
            let path = try model.trajectory(u0: u0, times: times, solver: stepper.solver, controller: stepper.controller)
            let n = model.n
            switch output.format {
            case .json:
                JSONValue.object([("times", .numbers(times)), ("u", jsonRows(path.u, width: n)), ("x", jsonRows(path.x, width: n)),
                                  ("energy", path.energy.map(JSONValue.numbers) ?? .null),
                                  ("accepted_steps", .int(path.acceptedSteps)), ("rejected_steps", .int(path.rejectedSteps))]).print()
            case .csv, .table:
                let header = ["t"] + (1...n).map { "u\($0)" } + (1...n).map { "x\($0)" } + ["energy"]
                let rows = times.indices.map { k in
                    [times[k]] + Array(path.row(path.u, k)) + Array(path.row(path.x, k)) + [path.energy?[k] ?? .nan]
                }
                printRows(header, rows, format: output.format)
            }
        }
    }

    struct FixedPoints: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fixed-points",
            abstract: "All fixed points (damped Newton from a grid and random starts, deduplicated) with their stability.",
            discussion: "Stable = Hess_x E = -W + diag(1/(tau sigma'(u))) positive definite (a minimum of E); index = its negative eigenvalues. For small n.")

        @OptionGroup var file: HopfieldModelOption
        @Option(parsing: .unconditional, help: "Random starts besides the grid.")
        var starts: Int = 200
        @Option(parsing: .unconditional, help: "Seed of the random starts.")
        var seed: UInt64 = 1
        @OptionGroup var output: FormatOptions

        func run() throws {
            let model = try file.load()
            let points = try model.fixedPoints(randomStarts: starts, seed: seed)
            switch output.format {
            case .json:
                JSONValue.object([("fixed_points", .array(points.map { p in
                    .object([("u", .numbers(p.u)), ("x", .numbers(p.x)), ("energy", .number(p.energy)), ("stable", .bool(p.stable)),
                             ("index", .int(p.index)), ("hessian_eigenvalues", .numbers(p.hessianEigenvalues))])
                }))]).print()
            case .csv, .table:
                let n = model.n
                let header = (1...n).map { "u\($0)" } + (1...n).map { "x\($0)" } + ["energy", "stable", "index"]
                printRows(header, points.map { $0.u + $0.x + [$0.energy, $0.stable ? 1 : 0, Double($0.index)] }, format: output.format)
            }
        }
    }

    struct Compressibility: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Phase-space compressibility kappa_u, kappa_x, kappa_g and the Laplace-Beltrami of E at a state u.",
            discussion: "Closed forms with r = sigma''/sigma'; --numerical takes central differences of the field and the energy instead.")

        @OptionGroup var file: HopfieldModelOption
        @Option(parsing: .unconditional, help: ArgumentHelp("The state u, one value per unit.", valueName: "U1,U2,.."), transform: CommaList.numbers)
        var u: [Double]
        @Flag(help: "Finite-difference divergences instead of the closed forms.")
        var numerical = false
        @OptionGroup var output: FormatOptions

        func run() throws {
            let model = try file.load()
            try requireCount(u, model.n, name: "u")
            let c = numerical ? try model.numericalCompressibility(u: u) : try model.compressibility(u: u)
            let pairs: [(String, Double)] = [("kappa_u", c.kappaU), ("kappa_x", c.kappaX), ("kappa_g", c.kappaG),
                                             ("laplacian_energy", c.laplacianEnergy)]
            try requireFiniteResults(pairs, at: "u = \(u.commaSeparated)",
                                     cause: "the outputs saturate there (sigma'(u) underflows), so the metric's inverse overflows")
            printPairs(pairs, format: output.format)
        }
    }

    struct Distance: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Geodesic distance of the Hessian metric G = diag(C_i/sigma') between two outputs.")

        @OptionGroup var file: HopfieldModelOption
        @Option(parsing: .unconditional, help: ArgumentHelp("First output point.", valueName: "X1,X2,.."), transform: CommaList.numbers)
        var x: [Double]
        @Option(parsing: .unconditional, help: ArgumentHelp("Second output point.", valueName: "Y1,Y2,.."), transform: CommaList.numbers)
        var y: [Double]
        @OptionGroup var output: FormatOptions

        func run() throws {
            let model = try file.load()
            try requireCount(x, model.n, name: "x")
            try requireCount(y, model.n, name: "y")
            let d = try model.distance(x, y)
            printPairs([("distance", d)], format: output.format)
        }
    }

    struct Stationary: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mean, covariance, mean energy and log Z of exp(-E/T) on the output box (n <= 3, tanh-sinh quadrature).",
            discussion: "Where the box's nodes cannot resolve the density around the minima of E (low T), it is integrated on windows around them in the offset from each minimum (windows > 0 in the JSON), accurate down to T = 1e-300.")

        @OptionGroup var file: HopfieldModelOption
        @Option(parsing: .unconditional, help: "Temperature T (> 0).")
        var temperature: Double
        @OptionGroup var output: FormatOptions

        func run() throws {
            let model = try file.load()
            let s = try model.stationary(temperature: temperature)
            switch output.format {
            case .json:
                let pairs: [(String, JSONValue)] = [
                    ("mean", .numbers(s.mean)), ("cov", jsonRows(s.covariance, width: model.n)), ("mean_energy", .number(s.meanEnergy)),
                    ("log_z", .number(s.logZ)), ("estimated_error", .number(s.estimatedError)), ("nodes_per_unit", .int(s.nodesPerUnit)),
                    ("windows", .int(s.windows))]
                JSONValue.object(pairs).print()
            case .csv, .table:
                var pairs: [(String, Double)] = []
                for i in 0..<model.n { pairs.append(("mean_x\(i + 1)", s.mean[i])) }
                for i in 0..<model.n { pairs.append(("var_x\(i + 1)", s.covariance[i * model.n + i])) }
                pairs += [("mean_energy", s.meanEnergy), ("log_z", s.logZ)]
                printPairs(pairs, format: output.format)
            }
        }
    }

    struct Liouville: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The Liouville identities along a trajectory: log det DPhi_t = Int kappa_u dt, log vol_g ratio = Int kappa_g dt.")

        @OptionGroup var file: HopfieldModelOption
        @Option(parsing: .unconditional, help: ArgumentHelp("Initial state.", valueName: "U1,U2,.."), transform: CommaList.numbers)
        var u0: [Double]
        @Option(parsing: .unconditional, help: "Time t (> 0).")
        var time: Double
        @OptionGroup var output: FormatOptions

        func run() throws {
            let model = try file.load()
            try requireCount(u0, model.n, name: "u0")
            let c = try model.liouville(u0: u0, time: time)
            let pairs = [("log_det_flow", c.logDetFlow), ("integral_kappa_u", c.integralKappaU),
                         ("log_volume_ratio", c.logVolumeRatio), ("integral_kappa_g", c.integralKappaG)]
            try requireFiniteResults(pairs, at: "time = \(time)",
                                     cause: "the flow contracts phase space below what double precision holds (det DPhi underflows); choose a shorter time")
            printPairs(pairs, format: output.format)
        }
    }
}
