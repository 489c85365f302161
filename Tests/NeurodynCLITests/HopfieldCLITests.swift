import Foundation
import Testing

/// Writes a model file into a fresh temporary directory and returns its path.
private func modelFile(_ text: String) throws -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("neurodyn-hopfield-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let url = directory.appendingPathComponent("model.json")
    try text.write(to: url, atomically: true, encoding: .utf8)
    return url.path
}

/// Two logistic units with a saddle at x = (1/2, 1/2) (lambda w/4 = 1.5 > 1/tau).
private let twoNeurons = #"{"activation": "logistic", "W": [[0, 2], [2, 0]], "I": [-1, -1], "gain": 3, "tau": 1}"#

@Suite struct HopfieldCLITests {
    @Test func trajectoryJSONHasRowsPerTimeAndAFallingEnergy() throws {
        let model = try modelFile(twoNeurons)
        let result = try CLI.run(["hopfield", "trajectory", "--model", model, "--u0", "0.1,-0.05", "--times", "0,0.5,1,5", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(result.json)
        #expect(json["times"] as? [Double] == [0, 0.5, 1, 5])
        let u = try #require(json["u"] as? [[Double]]), x = try #require(json["x"] as? [[Double]])
        #expect(u.count == 4 && x.count == 4 && u[0] == [0.1, -0.05])
        #expect(abs(x[0][0] - 1 / (1 + exp(-0.3))) < 1e-15)
        let energy = try #require(json["energy"] as? [Double])
        for k in 1..<4 { #expect(energy[k] <= energy[k - 1]) }
    }

    @Test func fixedPointsListTwoMinimaAndASaddle() throws {
        let model = try modelFile(twoNeurons)
        let result = try CLI.run(["hopfield", "fixed-points", "--model", model, "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let points = try #require(result.json?["fixed_points"] as? [[String: Any]])
        #expect(points.count == 3)
        #expect(points.filter { $0["stable"] as? Bool == true }.count == 2)
        for p in points { for key in ["u", "x", "energy", "stable"] { #expect(p[key] != nil) } }
    }

    @Test func compressibilityDistanceStationaryAndLiouvilleKeys() throws {
        let model = try modelFile(twoNeurons)
        let c = try CLI.run(["hopfield", "compressibility", "--model", model, "--u", "0.3,0.1", "--format", "json"])
        let json = try #require(c.json)
        // kappa_u = sum (-1/tau + W_ii sigma')/C = -2 (W_ii = 0); kappa_g = -Laplace-Beltrami(E).
        #expect(json["kappa_u"] as? Double == -2)
        #expect(abs((json["kappa_g"] as! Double) + (json["laplacian_energy"] as! Double)) < 1e-12)
        let numeric = try #require(try CLI.run(["hopfield", "compressibility", "--model", model, "--u", "0.3,0.1", "--numerical", "--format", "json"]).json)
        #expect(abs((numeric["kappa_x"] as! Double) - (json["kappa_x"] as! Double)) < 1e-6)
        // Logistic geodesic distance: 2 sqrt(C/lambda) |asin sqrt x - asin sqrt y| per unit.
        let d = try #require(try CLI.run(["hopfield", "distance", "--model", model, "--x", "0.2,0.3", "--y", "0.5,0.9", "--format", "json"]).json)
        let expected = (pow(2 / 3.0.squareRoot() * (asin(0.5.squareRoot()) - asin(0.2.squareRoot())), 2)
                        + pow(2 / 3.0.squareRoot() * (asin(0.9.squareRoot()) - asin(0.3.squareRoot())), 2)).squareRoot()
        #expect(abs((d["distance"] as! Double) - expected) < 1e-14)
        let s = try #require(try CLI.run(["hopfield", "stationary", "--model", model, "--temperature", "0.2", "--format", "json"]).json)
        for key in ["mean", "cov", "mean_energy", "log_z"] { #expect(s[key] != nil, "\(key)") }
        // The model is symmetric under x -> 1 - x (both units), so the Gibbs mean is 1/2.
        #expect((s["mean"] as! [Double]).allSatisfy { abs($0 - 0.5) < 1e-12 })
        let l = try #require(try CLI.run(["hopfield", "liouville", "--model", model, "--u0", "0.3,0.1", "--time", "2", "--format", "json"]).json)
        #expect(abs((l["log_det_flow"] as! Double) - (l["integral_kappa_u"] as! Double)) < 1e-8)
    }

    @Test func densityRunsBothRoutesAndWritesItsFiles() throws {
        let model = try modelFile(twoNeurons)
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("neurodyn-density-\(UUID().uuidString)").path
        let result = try CLI.run(["hopfield", "density", "--model", model, "--temperature", "0.2", "--particles", "100", "--points", "50",
                                  "--steps", "40", "--record-every", "20", "--format", "json", "--quiet", "--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(result.json)
        #expect(json["times"] as? [Double] == [0, 0.02, 0.04])
        let mass = try #require(json["prox_mass"] as? [Double])
        #expect(mass.allSatisfy { abs($0 - mass[0]) < 1e-12 * mass[0] })
        #expect((json["prox_iterations"] as? [Int])?.count == 40)
        for file in ["density-machine.csv", "density-prox.csv", "density.json", "run.json"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + file), "\(file)")
        }
        let lines = try String(contentsOfFile: out + "/density-prox.csv", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 1 + 3 * 50 && lines[0] == "t,point,theta1,theta2,x1,x2,weight")
        // Same seed, same bits with one or two threads.
        let again = try CLI.run(["hopfield", "density", "--model", model, "--temperature", "0.2", "--particles", "100", "--points", "50",
                                 "--steps", "40", "--record-every", "20", "--format", "csv", "--quiet", "--threads", "1"])
        let twice = try CLI.run(["hopfield", "density", "--model", model, "--temperature", "0.2", "--particles", "100", "--points", "50",
                                 "--steps", "40", "--record-every", "20", "--format", "csv", "--quiet", "--threads", "2"])
        #expect(again.stdout == twice.stdout && !again.stdout.isEmpty)
    }

    @Test(arguments: [
        (#"{"activation": "logistic", "W": [[0, 1], [1, 0]], "I": [0, 0, 0]}"#, ["fixed-points"], "W"),
        (#"{"activation": "softsign", "W": [[0]], "I": [0]}"#, ["fixed-points"], "activation"),
        (#"{"activation": "logistic", "W": [[0]], "I": [0], "gain": 0}"#, ["fixed-points"], "gain"),
        (#"{"activation": "logistic", "W": [[0, 1], [0.5, 0]], "I": [0, 0]}"#, ["fixed-points"], "symmetric"),
        (#"{"activation": "logistic", "W": [[0]], "I": [0]}"#, ["stationary", "--temperature", "0"], "temperature"),
        (#"{"activation": "logistic", "W": [[0]], "I": [0]}"#, ["trajectory", "--u0", "0,1", "--times", "0,1"], "u0"),
        (#"{"activation": "logistic", "W": [[0]], "I": [0]}"#, ["trajectory", "--u0", "0", "--times", "0,1", "--stepper", "euler"], "stepper"),
        (#"{"activation": "logistic", "W": [[0]], "I": [0]}"#, ["distance", "--x", "0.5", "--y", "1.5"], "y"),
        (#"{"activation": "logistic", "W": [[0]], "I": [0]"#, ["fixed-points"], "model"),
    ])
    func badInputExits64NamingTheParameter(model: String, arguments: [String], parameter: String) throws {
        let path = try modelFile(model)
        let result = try CLI.run(["hopfield"] + [arguments[0], "--model", path] + arguments.dropFirst())
        #expect(result.status == 64 && result.stderr.contains(parameter), "\(result.stderr)")
        #expect(!result.stderr.contains("Fatal") && !result.stderr.contains("crashed"))
    }

    @Test func anAsymmetricWRunsTheFlowWithAWarning() throws {
        let model = try modelFile(#"{"activation": "tanh", "W": [[0, 1], [0.5, 0]], "I": [0, 0]}"#)
        let result = try CLI.run(["hopfield", "trajectory", "--model", model, "--u0", "0.1,0.2", "--times", "0,1", "--format", "json"])
        #expect(result.status == 0 && result.stderr.contains("not symmetric"))
        #expect(result.json?["energy"] is NSNull)
    }
}

@Suite struct ReproduceCLITests {
    @Test func withoutPythonTheDataAndNotebookAreStillWrittenAndARerunResumes() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("neurodyn-reproduce-\(UUID().uuidString)").path
        let result = try CLI.run(["reproduce", "poole", "--quick", "--out", out], environment: ["NEURODYN_PYTHON": "/nonexistent/python"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("no Python with nbconvert and matplotlib"))
        for file in ["poole.ipynb", "qmap.csv", "run.json", "finite-1.69.json", "phase/phase.csv"] {
            #expect(FileManager.default.fileExists(atPath: out + "/poole/" + file), "\(file)")
        }
        let notebook = try String(contentsOfFile: out + "/poole/poole.ipynb", encoding: .utf8)
        #expect(notebook.contains("\"nbformat_minor\": 5") && notebook.contains("\"outputs\": []"))
        let again = try CLI.run(["reproduce", "poole", "--quick", "--out", out], environment: ["NEURODYN_PYTHON": "/nonexistent/python"])
        #expect(again.status == 0 && again.stderr.contains("complete, skipped"))
    }

    @Test func anUnknownExperimentIsRefused() throws {
        let result = try CLI.run(["reproduce", "poole-fig9", "--out", "/tmp/unused"])
        #expect(result.status == 64 && result.stderr.contains("NAME"))
    }
}
