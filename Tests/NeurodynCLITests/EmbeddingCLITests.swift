import Foundation
import Testing

@Suite struct EmbeddingCLITests {
    @Test func theoryJSONHasTheContractKeys() throws {
        let curve = try CLI.run(["embedding", "theory", "--activation", "erf", "--sigma-w2", "3", "--sigma-b2", "0.05",
                                 "--k", "1", "--depth", "5", "--format", "json"])
        #expect(curve.status == 0)
        let json = try #require(curve.json)
        for key in ["layer", "g_bar", "r_bar", "ii_bar", "h_bar", "kappa2_bar", "lg_over_2pi"] {
            #expect((json[key] as? [Any])?.count == 5, "\(key)")
        }
        // L^G/2pi = 1 at layer 1: the input circle has g_bar kappa2_bar = q* / q* = 1.
        #expect(abs((json["lg_over_2pi"] as! [Double])[0] - 1) < 1e-14)
        let sphere = try CLI.run(["embedding", "theory", "--activation", "erf", "--sigma-w2", "3", "--sigma-b2", "0.05",
                                  "--k", "2", "--depth", "3", "--format", "json"])
        #expect(sphere.json?["kappa2_bar"] == nil)
        #expect((sphere.json?["r_bar"] as? [Double])?.allSatisfy { $0 > 0 } == true)
    }

    @Test func simulateListsMeasuredStderrAndTheory() throws {
        let arguments = ["embedding", "simulate", "--activation", "tanh", "--sigma-w2", "6.25", "--sigma-b2", "0.09", "--k", "1",
                         "--depth", "3", "--width", "60", "--nets", "4", "--points", "8", "--seed", "2", "--format", "json", "--quiet"]
        let one = try CLI.run(arguments + ["--threads", "1"]), two = try CLI.run(arguments + ["--threads", "2"])
        #expect(one.status == 0 && one.stdout == two.stdout)
        let json = try #require(one.json)
        for key in ["g_bar", "g_bar_stderr", "theory_g_bar", "kappa2_bar", "kappa2_bar_stderr", "lg_over_2pi", "r_bar", "ii_bar", "h_bar"] {
            #expect((json[key] as? [Any])?.count == 3, "\(key)")
        }
    }

    @Test(arguments: [
        (["--k", "4"], "k"),
        (["--points", "2"], "points"),
        (["--width", "2", "--k", "2"], "k"),
        (["--nets", "1"], "nets"),
        (["--sigma-w2", "inf"], "sigma_w2"),
    ])
    func badInputExits64NamingTheParameter(override: [String], parameter: String) throws {
        var arguments = ["embedding", "simulate", "--activation", "tanh", "--sigma-w2", "6.25", "--sigma-b2", "0.09", "--k", "1",
                         "--depth", "3", "--width", "60", "--nets", "4", "--points", "8"]
        for k in stride(from: 0, to: override.count, by: 2) {
            arguments[arguments.firstIndex(of: override[k])! + 1] = override[k + 1]
        }
        let result = try CLI.run(arguments)
        #expect(result.status == 64, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains(parameter), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }
}
