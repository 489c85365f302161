import ArgumentParser
import GSLKit
import MeanField
@testable import neurodyn
import Residual
import Testing

/// The command line parsed in-process (`Neurodyn.parseAsRoot`, which also runs every
/// `validate()`): option values become typed values while the arguments are parsed, and a bad
/// value or a failed check is an error whose message names the option, with exit status 64.
@Suite struct ArgumentParsingTests {
    /// The message and exit status argument-parser gives `error`, as `neurodyn` prints it.
    static func refusal(_ arguments: [String]) -> (message: String, status: Int32)? {
        do {
            _ = try Neurodyn.parseAsRoot(arguments)
            return nil
        } catch {
            return (Neurodyn.message(for: error), Neurodyn.exitCode(for: error).rawValue)
        }
    }

    @Test func solverSpecsParseToSchemesAndSteppers() throws {
        #expect(try SolverSpec.parse("rk4:10") == .fixed(.rk4, steps: 10))
        #expect(try SolverSpec.parse("euler:1") == .fixed(.euler, steps: 1))
        #expect(try SolverSpec.parse("midpoint:1000000") == .fixed(.midpoint, steps: 1_000_000))
        #expect(try SolverSpec.parse("dopri5") == .dopri5)
        for stepper in AdaptiveSolver.gslSteppers + AdaptiveSolver.implicitSteppers {
            #expect(try SolverSpec.parse(stepper.rawValue) == .gsl(stepper))
        }
        for bad in ["rk4:0", "rk4:1000001", "rk4:x", "rk4", "rk5:10", "rk4:10:2", "", "msadams", "rk2"] {
            #expect(throws: ValidationError.self, "\(bad)") { try SolverSpec.parse(bad) }
        }
    }

    @Test func residualRoutesComeFromTheParsedOptions() throws {
        let gradient = try #require(try Neurodyn.parseAsRoot(["residual", "gradient", "--solver", "rk4:10"]) as? ResidualCommand.Gradient)
        #expect(try gradient.route.route() == .discrete(.rk4, steps: 10))
        #expect(gradient.route.problem == .circlesAnode3)
        let adaptive = try #require(try Neurodyn.parseAsRoot(["residual", "gradient", "--solver", "bsimp", "--rtol", "1e-6", "--atol", "1e-7"])
                                        as? ResidualCommand.Gradient)
        #expect(try adaptive.route.route() == .continuous(.gsl(GSLODESolver(stepper: .bsimp)), StepSizeController(rtol: 1e-6, atol: 1e-7, maxSteps: 100_000), .checkpoint))
        let train = try #require(try Neurodyn.parseAsRoot(["residual", "train", "--solver", "dopri5", "--method", "checkpoint",
                                                           "--problem", "two-moons", "--optimizer", "sgd", "--loss", "mse"])
                                     as? ResidualCommand.Train)
        #expect(try train.route.route() == .continuous(.dopri5, StepSizeController(rtol: 1e-5, atol: 1e-5), .checkpoint))
        #expect(train.route.problem == .twoMoons && train.optimizer == .sgd && train.loss == .mse && train.rate == 0.1)
    }

    @Test(arguments: [
        (["residual", "gradient", "--solver", "rk4:0"], "--solver"),
        (["residual", "gradient", "--solver", "rk4:3", "--method", "adjoint"], "invalid method"),
        (["residual", "gradient", "--solver", "dopri5", "--method", "discrete"], "invalid method"),
        (["residual", "gradient", "--solver", "dopri5", "--method", "backprop"], "--method"),
        (["residual", "gradient", "--solver", "rk4:3", "--problem", "xor"], "--problem"),
        (["residual", "gradient", "--solver", "rk4:3", "--knots", "1001"], "invalid knots"),
        (["residual", "gradient", "--solver", "rk4:3", "--threads", "0"], "invalid threads"),
        (["residual", "train", "--solver", "rk4:3", "--optimizer", "lbfgs"], "--optimizer"),
        (["residual", "train", "--solver", "rk4:3", "--loss", "hinge"], "--loss"),
        (["residual", "train", "--solver", "rk4:3", "--optimizer", "sgd", "--momentum", "1"], "invalid momentum"),
        (["residual", "train", "--solver", "rk4:3", "--learning-rate", "0"], "invalid learning-rate"),
        (["residual", "near-identity", "--layers", "8,0"], "--layers"),
        (["residual", "metric", "--solver", "rk4:3", "--points", "1001"], "invalid points"),
        (["meanfield", "iterate", "--activation", "tanh", "--sigma-w2", "1", "--sigma-b2", "0", "--depth", "2", "--q0", "-1"], "--q0"),
        (["meanfield", "phase", "--activation", "tanh", "--sigma-w2", "2:1:5", "--sigma-b2", "0:1:2", "--out", "x"], "HI (1.0) < LO (2.0)"),
        (["meanfield", "phase", "--activation", "tanh", "--sigma-w2", "1:2:3", "--sigma-b2", "0:1:2", "--out", "x", "--threads", "0"], "invalid threads"),
        (["simulate", "lengths", "--activation", "tanh", "--sigma-w2", "1", "--sigma-b2", "0", "--q1", "1", "--width", "8",
          "--depth", "2", "--trials", "1"], "invalid trials"),
        (["embedding", "distances", "--activation", "tanh", "--sigma-w2", "1", "--sigma-b2", "0", "--depth", "2", "--widths", "10,,20"], "--widths"),
        (["embedding", "simulate", "--activation", "tanh", "--sigma-w2", "1", "--sigma-b2", "0", "--depth", "2", "--width", "8",
          "--manifold", "helix:1:1.5"], "helix turns must be a whole number"),
        (["hopfield", "trajectory", "--model", "m.json", "--u0", "0.1,abc", "--times", "0,1"], "--u0"),
        (["hopfield", "trajectory", "--model", "m.json", "--u0", "0.1", "--times", "0,1", "--stepper", "rk9"], "--stepper"),
        (["hopfield", "trajectory", "--model", "m.json", "--u0", "0.1", "--times", "0,1", "--rtol", "0"], "invalid rtol"),
        (["hopfield", "density", "--model", "m.json", "--temperature", "1", "--steps", "-1"], "invalid steps"),
        (["reproduce", "nothing", "--out", "x"], "invalid NAME"),
        (["meanfield", "point", "--activation", "tanh(x", "--sigma-w2", "1", "--sigma-b2", "0"], "expected ')' closing tanh( at the end"),
        (["meanfield", "point", "--activation", "softsign", "--sigma-w2", "1", "--sigma-b2", "0"], "unknown activation 'softsign'"),
        (["meanfield", "point", "--activation", "log(x)", "--sigma-w2", "1", "--sigma-b2", "0"], "is not finite"),
        (["meanfield", "point", "--activation", "monomial:2.5", "--sigma-w2", "1", "--sigma-b2", "0"], "whole degree"),
        (["residual", "near-identity", "--g", "where(x > 0, 1, -1)"], "phi jumps at x = 0"),
        (["merge", "dir", "--list-missing"], "invalid shard-count"),
    ])
    func badArgumentsAreRefusedWhileParsing(arguments: [String], naming: String) throws {
        let refusal = try #require(Self.refusal(arguments), "\(arguments) parsed")
        #expect(refusal.status == 64, "\(arguments)")
        #expect(refusal.message.contains(naming), "\(refusal.message)")
    }

    /// List options start with a minus sign as often as not: they take the next argument whatever
    /// it looks like (argument-parser would otherwise read "-0.3,0.1" as an option).
    @Test func listsAndRangesParseNegativeValuesAndTheirDefaults() throws {
        let trajectory = try #require(try Neurodyn.parseAsRoot(["hopfield", "trajectory", "--model", "m.json", "--u0", "-0.3,0.1",
                                                                "--times", "0, 0.5,1"]) as? HopfieldCommand.Trajectory)
        #expect(trajectory.u0 == [-0.3, 0.1] && trajectory.times == [0, 0.5, 1])
        let phase = try #require(try Neurodyn.parseAsRoot(["meanfield", "phase", "--activation", "tanh", "--sigma-w2", "0.5:4:8",
                                                           "--sigma-b2", "0:0.3:1", "--out", "x"]) as? MeanFieldCommand.Phase)
        #expect(phase.sigmaW2.axis == (try GridAxis(lower: 0.5, upper: 4, count: 8)) && phase.sigmaW2.text == "0.5:4:8")
        #expect(phase.sigmaB2.axis.values == [0])
        let nearIdentity = try #require(try Neurodyn.parseAsRoot(["residual", "near-identity"]) as? ResidualCommand.NearIdentity)
        #expect(nearIdentity.layers == [8, 16, 32, 64, 128, 256, 512])
        let iterate = try #require(try Neurodyn.parseAsRoot(["meanfield", "iterate", "--activation", "tanh", "--sigma-w2", "1",
                                                             "--sigma-b2", "0", "--depth", "2", "--q0", "star"]) as? MeanFieldCommand.Iterate)
        #expect(iterate.q0 == .star)
    }
}
