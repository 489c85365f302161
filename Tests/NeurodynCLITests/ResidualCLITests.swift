import Foundation
import Testing

@Suite struct ResidualCLITests {
    @Test func gradientJSONHasTheContractKeys() throws {
        let result = try CLI.run(["residual", "gradient", "--problem", "circles-anode3", "--solver", "rk4:10", "--method", "discrete",
                                  "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(result.json)
        #expect((json["gradient"] as? [Double])?.count == 235)
        #expect(json["nfe_forward"] as? Int == 40 && json["nfe_backward"] as? Int == 40)
        // At the initial parameters the readout sees two classes it cannot yet separate: loss near ln 2.
        #expect(abs((json["loss"] as! Double) - log(2)) < 0.05)
    }

    @Test func gslRk8pdIsAnAdaptiveSolverOfTheContract() throws {
        let result = try CLI.run(["residual", "gradient", "--problem", "circles-anode3", "--solver", "rk8pd", "--method", "adjoint",
                                  "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(result.json)
        #expect((json["gradient"] as? [Double])?.count == 235)
        #expect((json["nfe_forward"] as? Int ?? 0) > 0 && (json["nfe_backward"] as? Int ?? 0) > 0)
    }

    @Test(arguments: [(["--solver", "rk4:0"], "solver"), (["--solver", "msbdf"], "solver"), (["--solver", "heun:3"], "solver"), (["--solver", "rk4:10", "--method", "adjoint"], "method"),
                      (["--solver", "rk4:10", "--problem", "moons"], "problem")])
    func badInputExits64(extra: [String], parameter: String) throws {
        let result = try CLI.run(["residual", "gradient"] + extra)
        #expect(result.status == 64 && result.stderr.contains(parameter), "\(result.stderr)")
    }
}

@Suite struct ResidualTrainCLITests {
    @Test func trainJSONHasTheContractKeys() throws {
        let result = try CLI.run(["residual", "train", "--problem", "circles-anode3", "--solver", "rk4:2", "--method", "discrete",
                                  "--steps", "3", "--format", "json", "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(result.json)
        for key in ["final_loss", "final_accuracy", "median_ms_per_step", "nfe_forward", "nfe_backward"] { #expect(json[key] != nil, "\(key)") }
        #expect((json["losses"] as? [Double])?.count == 3)
        #expect(json["nfe_forward"] as? Int == 24)
        let bad = try CLI.run(["residual", "train", "--solver", "dopri5", "--rtol", "0", "--steps", "3"])
        #expect(bad.status == 64 && bad.stderr.contains("rtol"))
        // Another problem, SGD, mini-batches and the squared error: each step sees its batch (NFE 8 per RK4:2 step).
        let sgd = try CLI.run(["residual", "train", "--problem", "two-moons", "--solver", "rk4:2", "--optimizer", "sgd", "--momentum", "0.9",
                               "--batch-size", "50", "--loss", "mse", "--steps", "3", "--format", "json", "--quiet"])
        #expect(sgd.status == 0, "\(sgd.stderr)")
        #expect((sgd.json?["losses"] as? [Double])?.count == 3 && sgd.json?["nfe_forward"] as? Int == 24)
        for (option, value) in [("--optimizer", "lbfgs"), ("--loss", "hinge"), ("--batch-size", "0"), ("--momentum", "1.5")] {
            let refused = try CLI.run(["residual", "train", "--solver", "rk4:2", "--optimizer", option == "--momentum" ? "sgd" : "adam",
                                       option, value, "--steps", "1", "--quiet"])
            #expect(refused.status == 64 && refused.stderr.contains(String(option.dropFirst(2))), "\(option): \(refused.stderr)")
        }
    }
}

@Suite struct ResidualHamiltonianCLITests {
    @Test func hamiltonianReportsSmallDrifts() throws {
        let result = try CLI.run(["residual", "hamiltonian", "--rtol", "1e-8", "--atol", "1e-8", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(result.json)
        #expect((json["hamiltonian_drift"] as! Double) < 1e-6 && (json["pairing_drift"] as! Double) < 1e-6)
        #expect((json["times"] as? [Double])?.first == 1)
        #expect(try CLI.run(["residual", "hamiltonian", "--atol", "-1"]).status == 64)
    }
}

@Suite struct ResidualMetricCLITests {
    @Test func metricReportsJacobisIdentityPerPoint() throws {
        let result = try CLI.run(["residual", "metric", "--solver", "rk4:2", "--steps", "2", "--points", "4", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(result.json)
        #expect((json["max_liouville_error"] as? Double ?? 1) < 1e-8)
        let points = try #require(json["points"] as? [[String: Any]])
        #expect(points.count == 4 && points.allSatisfy { ($0["metric_eigenvalues"] as? [Double])?.count == 3 })
        let bad = try CLI.run(["residual", "metric", "--solver", "rk4:2", "--points", "0"])
        #expect(bad.status == 64 && bad.stderr.contains("points"))
        // The metric is of the time-independent field: --knots was accepted and ignored.
        let knots = try CLI.run(["residual", "metric", "--solver", "rk4:2", "--knots", "4"])
        #expect(knots.status == 64 && knots.stderr.contains("invalid knots"), "\(knots.stderr)")
    }

    @Test func theSameBitsWhateverOpenBLASsThreadCount() throws {
        // Before the executable pinned OpenBLAS to one thread, the metric's products ran on as
        // many threads as the machine has cores, and another blocking changed the last bits of
        // the eigenvalues (here at the third point): the output depended on the core count.
        let arguments = ["residual", "metric", "--solver", "rk4:2", "--steps", "2", "--points", "4", "--format", "json"]
        let one = try CLI.run(arguments, environment: ["OPENBLAS_NUM_THREADS": "1"])
        let four = try CLI.run(arguments, environment: ["OPENBLAS_NUM_THREADS": "4"])
        #expect(one.status == 0 && four.status == 0)
        #expect(one.stdout == four.stdout)
    }
}

@Suite struct ResidualNearIdentityCLITests {
    /// Doubling N halves every error (first order), and the reference is far below them.
    @Test func errorsFallAtFirstOrderInEps() throws {
        let result = try CLI.run(["residual", "near-identity", "--layers", "16,32,64", "--points", "20", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(result.json)
        let rows = try #require(json["rows"] as? [[String: Any]])
        #expect(rows.map { $0["layers"] as? Int } == [16, 32, 64])
        for key in ["state_error", "gradient_error", "momentum_error"] {
            let errors = rows.compactMap { $0[key] as? Double }
            #expect(errors.count == 3)
            for k in 1..<errors.count { #expect(errors[k - 1] / errors[k] > 1.8 && errors[k - 1] / errors[k] < 2.2, "\(key): \(errors)") }
        }
        #expect((json["reference_check"] as? Double ?? 1) < 1e-10)
    }

    @Test func badInputIsRefusedByName() throws {
        for (arguments, name) in [(["--layers", "0,8"], "layers"), (["--layers", "8,x"], "layers"), (["--knots", "0"], "knots"),
                                  (["--scale", "-1"], "scale"), (["--points", "0"], "points")] {
            let result = try CLI.run(["residual", "near-identity"] + arguments)
            #expect(result.status == 64 && result.stderr.contains(name), "\(arguments): \(result.stderr)")
        }
    }
}

@Suite struct ResidualThreadsCLITests {
    @Test func threadsAreRecordedAndChangeNoBits() throws {
        var losses: [[Double]] = []
        for threads in ["1", "2"] {
            let result = try CLI.run(["residual", "train", "--solver", "rk4:3", "--steps", "3", "--threads", threads, "--format", "json", "--quiet"])
            #expect(result.status == 0, "\(result.stderr)")
            let json = try #require(result.json)
            #expect(json["threads"] as? Int == Int(threads))
            losses.append(try #require(json["losses"] as? [Double]) + [try #require(json["final_loss"] as? Double)])
        }
        #expect(losses[0] == losses[1])
        let bad = try CLI.run(["residual", "gradient", "--solver", "rk4:3", "--threads", "0"])
        #expect(bad.status == 64 && bad.stderr.contains("threads"))
    }
}

@Suite struct ResidualImplicitCLITests {
    @Test func implicitSteppersRunOnSmallBatchesAndAreRefusedOtherwise() throws {
        let small = try CLI.run(["residual", "train", "--solver", "msbdf", "--batch-size", "50", "--steps", "2", "--format", "json", "--quiet"])
        #expect(small.status == 0, "\(small.stderr)")
        let backsolve = try CLI.run(["residual", "gradient", "--solver", "msbdf", "--method", "adjoint"])
        #expect(backsolve.status == 64 && backsolve.stderr.contains("method"))
        let large = try CLI.run(["residual", "gradient", "--solver", "bsimp"])
        #expect(large.status == 64 && large.stderr.contains("invalid solver") && large.stderr.contains("smaller pieces"), "\(large.stderr)")
    }
}

@Suite struct ResidualKnotsCLITests {
    /// K knots give K x 227 field values then the readout's 8; one knot is the default field.
    @Test func knotsShapeTheGradientAndTrain() throws {
        let three = try CLI.run(["residual", "gradient", "--solver", "rk4:4", "--knots", "3", "--format", "json"])
        #expect(three.status == 0, "\(three.stderr)")
        #expect((try #require(three.json)["gradient"] as? [Double])?.count == 3 * 227 + 8)
        let one = try #require(try CLI.run(["residual", "gradient", "--solver", "rk4:4", "--knots", "1", "--format", "json"]).json)
        let plain = try #require(try CLI.run(["residual", "gradient", "--solver", "rk4:4", "--format", "json"]).json)
        #expect(one["gradient"] as? [Double] == plain["gradient"] as? [Double])
        let train = try CLI.run(["residual", "train", "--solver", "rk4:2", "--knots", "2", "--steps", "2", "--format", "json", "--quiet"])
        #expect(train.status == 0, "\(train.stderr)")
        let trained = try #require(train.json)
        #expect(trained["knots"] as? Int == 2)
        let bad = try CLI.run(["residual", "train", "--solver", "rk4:2", "--knots", "0"])
        #expect(bad.status == 64 && bad.stderr.contains("knots"))
    }
}
