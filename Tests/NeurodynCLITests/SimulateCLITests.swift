import Foundation
import Testing

@Suite struct SimulateCLITests {
    static let lengths = ["simulate", "lengths", "--activation", "relu", "--sigma-w2", "2", "--sigma-b2", "0", "--q1", "1",
                          "--width", "40", "--depth", "4", "--trials", "300", "--seed", "11", "--format", "json", "--quiet"]

    @Test func lengthsJSONHasTheContractKeysAndTheTheory() throws {
        let result = try CLI.run(Self.lengths)
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        let json = try #require(result.json)
        for key in ["mean_q_hat", "var_q_hat", "stderr_mean", "theory_mean", "theory_var", "z_mean", "z_var", "layer"] {
            #expect((json[key] as? [Any])?.count == 4, "\(key)")
        }
        #expect(json["seed"] as? String == "11")
        // relu at criticality: theory_var = (5l - 3) q^2 / N, theory_mean = q.
        let variance = json["theory_var"] as! [Double], mean = json["theory_mean"] as! [Double]
        #expect(zip(variance, [2.0, 7, 12, 17]).allSatisfy { abs($0 - $1 / 40) < 1e-14 })
        #expect(mean.allSatisfy { abs($0 - 1) < 1e-14 })
    }

    @Test func sameSeedSameOutputWithOneOrTwoThreads() throws {
        let one = try CLI.run(Self.lengths + ["--threads", "1"])
        let two = try CLI.run(Self.lengths + ["--threads", "2"])
        #expect(one.status == 0 && one.stdout == two.stdout)
        let correlations = ["simulate", "correlations", "--activation", "tanh", "--sigma-w2", "1.69", "--sigma-b2", "0.09",
                            "--q1", "1", "--c1", "0.4", "--width", "30", "--depth", "3", "--trials", "50", "--format", "csv", "--quiet"]
        let a = try CLI.run(correlations + ["--threads", "1"]), b = try CLI.run(correlations + ["--threads", "2"])
        #expect(a.status == 0 && a.stdout == b.stdout)
        #expect(a.stdout.hasPrefix("layer,mean_field_c,mean_c_hat,theory_mean,stderr_mean,z_mean,var_c_hat,theory_var,stderr_var,z_var"))
    }

    @Test(arguments: [
        (["--width", "0"], "width"),
        (["--trials", "0"], "trials"),
        (["--depth", "0"], "depth"),
        (["--width", "100000000", "--batch", "4000"], "width"),
        (["--batch", "0"], "batch"),
        (["--rows-per-block", "100"], "rows-per-block"),
        (["--q1", "-1"], "q1"),
    ])
    func badInputExits64NamingTheParameter(override: [String], parameter: String) throws {
        var arguments = Self.lengths
        for k in stride(from: 0, to: override.count, by: 2) {
            if let i = arguments.firstIndex(of: override[k]) { arguments[i + 1] = override[k + 1] } else { arguments += [override[k], override[k + 1]] }
        }
        let result = try CLI.run(arguments)
        #expect(result.status == 64, "\(arguments)")
        #expect(result.stderr.contains(parameter), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func boundaryWritesDataManifestAndNotebookOrNothing() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("neurodyn-boundary-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let arguments = ["simulate", "boundary", "--activation", "tanh", "--sigma-w2", "0.5:3:4", "--sigma-b2", "0:0.1:2",
                         "--widths", "8,32", "--nets", "4", "--depth", "12", "--burn-in", "4", "--out", directory.path, "--quiet"]
        let bad = try CLI.run(arguments.map { $0 == "8,32" ? "8,x" : $0 })
        #expect(bad.status == 64 && bad.stderr.contains("widths"))
        #expect(!FileManager.default.fileExists(atPath: directory.path))
        let result = try CLI.run(arguments + ["--format", "json"])
        #expect(result.status == 0)
        #expect(result.json?["tasks"] as? Int == 16)
        let csv = try String(contentsOf: directory.appendingPathComponent("boundary.csv"), encoding: .utf8)
        let lines = csv.split(separator: "\n")
        #expect(lines.first == "sigma_w2,sigma_b2,width,chi1_hat,chi1_stderr,lyapunov,lyapunov_stderr,chi1_mean_field")
        #expect(lines.count == 17)
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("run.json"))) as! [String: Any]
        #expect(manifest["seed"] as? String == "1")
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("boundary.ipynb").path))
    }
}
