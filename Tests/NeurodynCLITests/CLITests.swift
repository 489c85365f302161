import Foundation
import Testing

/// Runs the built `neurodyn` binary as a user would.
struct CLI {
    static var binary: URL {
        // Test bundles live in the products directory beside the executable.
        var directory = Bundle.main.bundleURL
        for _ in 0..<4 where !FileManager.default.fileExists(atPath: directory.appendingPathComponent("neurodyn").path) {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("neurodyn")
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var json: [String: Any]? {
            (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any]
        }
    }

    /// Runs the binary with `arguments`, its environment this process's plus `environment`.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }
}

@Suite struct MeanFieldCLITests {
    @Test func pointJSONHasTheContractKeys() throws {
        let result = try CLI.run(["meanfield", "point", "--activation", "erf", "--sigma-w2", "3", "--sigma-b2", "0.05", "--format", "json"])
        #expect(result.status == 0)
        let json = try #require(result.json)
        for key in ["activation", "sigma_w2", "sigma_b2", "q_star", "chi1", "chi2", "v_prime", "xi_q", "c_star", "chi_c", "xi_c", "phase",
                    "ntk_diagonal_growth", "ntk_offdiagonal_limit", "ntk_correlation_limit", "xi_ntk"] {
            #expect(json[key] != nil, "missing \(key)")
        }
        #expect(json["phase"] as? String == "chaotic")
        // erf closed form: chi_1 = 4 sigma_w^2 / (pi sqrt(1 + 4 q*)).
        let q = json["q_star"] as! Double, chi1 = json["chi1"] as! Double
        #expect(abs(chi1 - 12 / (Double.pi * (1 + 4 * q).squareRoot())) < 1e-14)
    }

    /// Every fixed point beside the one q0 reaches; from a q0 that diverges, the error names the
    /// stable points and their basins (swish at sigma_w^2 = 3: q* = 0 attracts q0 below ~0.68).
    @Test func pointListsEveryFixedPointAndTheirBasins() throws {
        let small = try CLI.run(["meanfield", "point", "--activation", "swish", "--sigma-w2", "3", "--sigma-b2", "0", "--q0", "0.1",
                                 "--format", "json"])
        #expect(small.status == 0)
        let json = try #require(small.json)
        let points = try #require(json["fixed_points"] as? [[String: Any]])
        #expect(points.count == 2 && points[0]["q_star"] as? Double == 0 && points[0]["stable"] as? Bool == true)
        #expect(points[1]["stable"] as? Bool == false && points[1]["basin"] is NSNull)
        let boundary = try #require(points[1]["q_star"] as? Double)
        #expect((points[0]["basin"] as? [Double]) == [0, boundary] && json["diverges_above"] as? Double == boundary)
        let large = try CLI.run(["meanfield", "point", "--activation", "swish", "--sigma-w2", "3", "--sigma-b2", "0"])
        #expect(large.status == 1)
        #expect(large.stderr.contains("q* = 0.0 for q0 in (0.0, \(boundary))"), "\(large.stderr)")
        // A monostable map: one stable point whose basin is unbounded (null upper end).
        let tanh = try #require(try CLI.run(["meanfield", "point", "--activation", "tanh", "--sigma-w2", "1.5", "--sigma-b2", "0.05",
                                             "--format", "json"]).json)
        let only = try #require((tanh["fixed_points"] as? [[String: Any]])?.first)
        #expect((only["basin"] as? [Any])?.last is NSNull && tanh["multistable"] as? Bool == false && tanh["diverges_above"] is NSNull)
    }

    /// A formula and a family at the command line: leaky relu's closed form q* = sigma_b^2 /
    /// (1 - sigma_w^2 (1 + a^2)/2) and chi_1 = sigma_w^2 (1 + a^2)/2 from both spellings, and the
    /// quadrature's n-versus-2n report.
    @Test func formulasAndFamiliesOnTheCommandLine() throws {
        for spelling in ["leaky_relu:0.1", "max(x, 0.1*x)", "where(x > 0, x, 0.1*x)"] {
            let result = try CLI.run(["meanfield", "point", "--activation", spelling, "--sigma-w2", "1.5", "--sigma-b2", "0.1",
                                      "--format", "json"])
            #expect(result.status == 0, "\(result.stderr)")
            let json = try #require(result.json)
            #expect(json["activation"] as? String == spelling)
            let m = 1.5 * 1.01 / 2
            #expect(abs((json["q_star"] as! Double) - 0.1 / (1 - m)) < 1e-14, "\(spelling)")
            #expect(abs((json["chi1"] as! Double) - m) < 1e-14, "\(spelling)")
            #expect(json["quadrature_met_accuracy"] as? Bool == true)
            #expect((json["quadrature_error"] as! Double) < 1e-13)
        }
        let critical = try CLI.run(["meanfield", "critical", "--activation", "elu:1", "--sigma-b2", "0.1", "--format", "json"])
        #expect(critical.status == 0, "\(critical.stderr)")
    }

    /// meanfield kernel: relu's one-hidden-layer NNGP is the arc-cosine kernel of the inputs, the
    /// NTK's diagonal Sigma^2 + chi Sigma^1, the .npy files hold the same numbers, bad files are named.
    @Test func kernelOfADataset() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kernel-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputs = directory.appendingPathComponent("x.csv")
        try "1,0\n0.6,0.8\n-1,0.5\n".write(to: inputs, atomically: true, encoding: .utf8)
        let result = try CLI.run(["meanfield", "kernel", "--activation", "relu", "--sigma-w2", "2", "--sigma-b2", "0", "--depth", "2",
                                  "--inputs", inputs.path, "--format", "json", "--out", directory.path, "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(result.json)
        let nngp = try #require(json["nngp"] as? [[Double]]), ntk = try #require(json["ntk"] as? [[Double]])
        #expect(json["activation"] as? String == "relu" && json["layer"] as? Int == 2 && json["inputs"] as? Int == 3)
        // Sigma^1 = x.x (sigma_w^2/d = 1); Sigma^2 = (sqrt(q1 q2)/pi)(sin t + (pi - t) cos t); x0, x1: c = 0.6.
        let t = acos(0.6)
        #expect(abs(nngp[0][1] - (sin(t) + (Double.pi - t) * 0.6) / Double.pi) < 1e-15)
        #expect(abs(ntk[0][0] - (1 + 1)) < 1e-15)  // Sigma^2_00 = 1, chi = 2 x 1/2 = 1, Theta^1 = 1
        let npy = try Data(contentsOf: directory.appendingPathComponent("nngp.npy"))
        #expect(npy.prefix(6) == Data([0x93] + Array("NUMPY".utf8)) && npy.count == 128 + 9 * 8)
        let first = npy.subdata(in: 136..<144).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        #expect(Double(bitPattern: UInt64(littleEndian: first)) == nngp[0][1])
        try "1,0\n0.6\n".write(to: inputs, atomically: true, encoding: .utf8)
        let ragged = try CLI.run(["meanfield", "kernel", "--activation", "relu", "--sigma-w2", "2", "--sigma-b2", "0", "--depth", "2",
                                  "--inputs", inputs.path])
        #expect(ragged.status == 64 && ragged.stderr.contains("line 2"), "\(ragged.stderr)")
    }

    @Test func infiniteValuesAreNullInJSON() throws {
        let result = try CLI.run(["meanfield", "point", "--activation", "relu", "--sigma-w2", "1", "--sigma-b2", "0.5", "--format", "json"])
        #expect(result.status == 0)
        #expect(result.json?["chi2"] is NSNull)
        #expect(!result.stdout.contains("nan") && !result.stdout.contains("inf"))
    }

    @Test func iterateListsEveryLayer() throws {
        let result = try CLI.run(["meanfield", "iterate", "--activation", "tanh", "--sigma-w2", "1.69", "--sigma-b2", "0.09",
                                  "--depth", "7", "--c0", "0.5", "--format", "json"])
        #expect(result.status == 0)
        let json = try #require(result.json)
        #expect((json["q"] as! [Double]).count == 8)
        #expect((json["c"] as! [Double]).first == 0.5)
        let star = try CLI.run(["meanfield", "iterate", "--activation", "tanh", "--sigma-w2", "1.69", "--sigma-b2", "0.09",
                                "--depth", "3", "--q0", "star", "--format", "json"])
        let qs = star.json!["q"] as! [Double]
        #expect(qs.allSatisfy { abs($0 / qs[0] - 1) < 1e-13 })
        #expect(star.json!["c"] == nil)
    }

    @Test func criticalForms() throws {
        let tanh = try CLI.run(["meanfield", "critical", "--activation", "tanh", "--sigma-b2", "0", "--format", "json"])
        #expect(tanh.json?["sigma_w2"] as? Double == 1)
        let relu = try CLI.run(["meanfield", "critical", "--activation", "relu", "--sigma-b2", "0", "--format", "json"])
        #expect(relu.json?["q_star"] is NSNull)
        let none = try CLI.run(["meanfield", "critical", "--activation", "relu", "--sigma-b2", "0.1"])
        #expect(none.status == 1)
        #expect(none.stderr.contains("no critical point"))
    }

    @Test(arguments: [
        (["meanfield", "point", "--activation", "tanh", "--sigma-w2", "-1", "--sigma-b2", "0"], "sigma_w2"),
        (["meanfield", "point", "--activation", "tanh", "--sigma-w2", "1", "--sigma-b2", "nan"], "sigma_b2"),
        (["meanfield", "point", "--activation", "softsign", "--sigma-w2", "1", "--sigma-b2", "0"], "activation"),
        (["meanfield", "iterate", "--activation", "tanh", "--sigma-w2", "1", "--sigma-b2", "0", "--depth", "-1"], "depth"),
        (["meanfield", "iterate", "--activation", "tanh", "--sigma-w2", "1", "--sigma-b2", "0", "--depth", "2", "--q0", "x"], "q0"),
        // Ranges are parsed with the arguments: argument-parser names the option as written.
        (["meanfield", "phase", "--activation", "tanh", "--sigma-w2", "1:2", "--sigma-b2", "0:1:2", "--out", "/tmp/neurodyn-never"], "--sigma-w2"),
        (["meanfield", "phase", "--activation", "tanh", "--sigma-w2", "1:2:3", "--sigma-b2", "0:1:0", "--out", "/tmp/neurodyn-never"], "--sigma-b2"),
    ])
    func badInputExits64NamingTheParameter(arguments: [String], parameter: String) throws {
        let result = try CLI.run(arguments)
        #expect(result.status == 64, "\(arguments)")
        #expect(result.stderr.contains(parameter), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: "/tmp/neurodyn-never"))
    }

    @Test func missingFixedPointExits1() throws {
        let result = try CLI.run(["meanfield", "point", "--activation", "relu", "--sigma-w2", "2", "--sigma-b2", "0.1"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("grows without bound"))
        #expect(!result.stderr.lowercased().contains("nan"))
    }

    @Test func phaseWritesDataManifestAndNotebook() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("neurodyn-phase-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try CLI.run(["meanfield", "phase", "--activation", "tanh", "--sigma-w2", "0.5:4:12", "--sigma-b2", "0:0.3:5",
                                  "--out", directory.path, "--format", "json", "--quiet"])
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        #expect(result.json?["points"] as? Int == 60)
        let csv = try String(contentsOf: directory.appendingPathComponent("phase.csv"), encoding: .utf8)
        let lines = csv.split(separator: "\n")
        #expect(lines.first == "sigma_w2,sigma_b2,q_star,chi1,c_star,chi_c,xi_q,xi_c,status,ntk_diagonal_limit,ntk_offdiagonal_limit,xi_ntk")
        #expect(lines.count == 61)
        #expect(!csv.contains("nan"))
        let notebook = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("phase.ipynb"))) as! [String: Any]
        #expect(notebook["nbformat"] as? Int == 4)
        // Its figure is written atomically, like the headline notebooks' (the first releases
        // called savefig("phase.png") directly: an interrupted kernel left half a PNG).
        let source = (notebook["cells"] as! [[String: Any]]).map { ($0["source"] as? [String] ?? []).joined() }.joined(separator: "\n")
        #expect(source.contains("os.replace(\".\" + name + \".tmp.png\", name + \".png\")"))
        #expect(source.contains("save(fig, \"phase\")"))
        #expect(!source.contains("savefig(\"phase.png\""))
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("run.json"))) as! [String: Any]
        #expect((manifest["versions"] as! [String: String])["openblas"]?.contains("OpenBLAS") == true)
    }

    @Test func finiteWidthJSONHasTheContractKeys() throws {
        let result = try CLI.run(["meanfield", "finite-width", "--activation", "relu", "--sigma-w2", "2", "--sigma-b2", "0",
                                  "--q1", "1", "--depth", "4", "--format", "json"])
        #expect(result.status == 0)
        let json = try #require(result.json)
        #expect(Set(json.keys) == ["q", "m", "s", "n_var"])
        let nVar = json["n_var"] as! [Double]
        #expect(nVar.count == 4)
        #expect(zip(nVar, [2.0, 7, 12, 17]).allSatisfy { abs($0 - $1) < 1e-12 })
        let bad = try CLI.run(["meanfield", "finite-width", "--activation", "relu", "--sigma-w2", "2", "--sigma-b2", "0",
                               "--q1", "-1", "--depth", "4"])
        #expect(bad.status == 64 && bad.stderr.contains("q1"))
    }

    @Test func helpStatesTheVarianceConvention() throws {
        let result = try CLI.run(["meanfield", "point", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("VARIANCE"))
    }
}

@Suite struct KernelFamilyCLITests {
    @Test func everyLevelGivesTheSameNumbersToTheStatedAccuracy() throws {
        // The C kernels at x86-64-v4, -v3 and the baseline, OpenBLAS on its own pick and on the
        // generic kernels: a residual gradient (tanh kernel, perceptron products) and the
        // Hopfield density (libmvec exp) agree to 1e-12 relative, not to the bit.
        let gradient = ["residual", "gradient", "--problem", "circles-anode3", "--solver", "rk4:4", "--method", "discrete", "--format", "json"]
        var reference: [Double]?
        for (isa, core) in [("x86-64-v4", ""), ("x86-64-v3", "Haswell"), ("x86-64", "Prescott")] {
            var environment = ["NEURODYN_ISA": isa]
            if !core.isEmpty { environment["OPENBLAS_CORETYPE"] = core }
            let run = try CLI.run(gradient, environment: environment)
            #expect(run.status == 0, "\(run.stderr)")
            let values = try #require(run.json?["gradient"] as? [Double])
            if let reference {
                let scale = reference.map(abs).max()!
                #expect(zip(values, reference).allSatisfy { abs($0 - $1) <= 1e-12 * scale }, "\(isa)")
            } else {
                reference = values
            }
        }
    }

    @Test func anUnknownLevelIsRefused() throws {
        let run = try CLI.run(["meanfield", "point", "--activation", "tanh", "--sigma-w2", "1", "--sigma-b2", "0.1"],
                              environment: ["NEURODYN_ISA": "avx9000"])
        #expect(run.status == 64 && run.stderr.contains("NEURODYN_ISA must be one of"), "\(run.stderr)")
    }
}
