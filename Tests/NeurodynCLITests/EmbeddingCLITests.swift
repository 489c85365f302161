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
    @Test func distancesWriteCSVAndJSONWithTheChordLimit() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("neurodyn-distances-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try CLI.run(["embedding", "distances", "--activation", "tanh", "--sigma-w2", "6.25", "--sigma-b2", "0.09",
                                  "--depth", "4", "--widths", "40,80", "--nets", "3", "--points", "16", "--seed", "4",
                                  "--format", "json", "--quiet", "--out", directory.path])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(result.json)
        #expect(json["separations"] as? [Int] == [1, 2, 4, 8])
        let runs = try #require(json["runs"] as? [[String: Any]])
        #expect(runs.map { $0["width"] as? Int } == [40, 80])
        for key in ["le", "le_stderr", "polygon", "resolution", "chord_s1", "chord_s8_stderr"] { #expect((runs[1][key] as? [Any])?.count == 4, "\(key)") }
        // Layer 1 is the placed circle itself: chords 2 q*(1 - cos(2 pi s/P)) exactly, as the theory says.
        let qStar = try #require(json["q_star"] as? Double)
        let measured = try #require((runs[0]["chord_s4"] as? [Double])?.first), theory = try #require((json["theory_chord_s4"] as? [Double])?.first)
        #expect(abs(measured - 2 * qStar) < 1e-10 && abs(theory - 2 * qStar) < 1e-10)
        let cStar = try #require(json["c_star"] as? Double)
        #expect(abs((json["chord_limit"] as! Double) - 2 * qStar * (1 - cStar)) < 1e-14)
        let csv = try String(contentsOf: directory.appendingPathComponent("embedding-distances.csv"), encoding: .utf8)
        #expect(csv.hasPrefix("width,layer,le,") && csv.split(separator: "\n").count == 9)
        let manifest = try String(contentsOf: directory.appendingPathComponent("run.json"), encoding: .utf8)
        #expect(manifest.contains("\"seed\": \"4\"") && manifest.contains("embedding-distances.json"))
        let notebook = try String(contentsOf: directory.appendingPathComponent("embedding-distances.ipynb"), encoding: .utf8)
        #expect(notebook.contains("\"nbformat\": 4") && notebook.contains("embedding-distances.csv"))
    }

    @Test func conformalityReportsRadialStretchOnAPlaneAndNoneOnASphere() throws {
        let base = ["embedding", "conformality", "--activation", "tanh", "--sigma-w2", "2.5", "--sigma-b2", "0.05",
                    "--depth", "3", "--width", "50", "--nets", "3", "--points", "12", "--format", "json", "--quiet"]
        let plane = try #require(try CLI.run(base + ["--manifold", "plane:1", "--q", "1.5"]).json)
        for key in ["conformal_factor", "theory_conformal_factor", "anisotropy_excess_sqrt_n", "radial_stretch", "theory_radial_deviation"] {
            #expect((plane[key] as? [Any])?.count == 3, "\(key)")
        }
        let sphere = try #require(try CLI.run(base).json)
        #expect(sphere["k"] as? Int == 2 && sphere["radial_stretch"] == nil)
        // On a great sphere at q* the conformal factor's theory is chi_1^{l-1}.
        let chi1 = try #require(sphere["chi1"] as? Double)
        #expect(abs((sphere["theory_conformal_factor"] as! [Double])[2] - chi1 * chi1) < 1e-9 * chi1 * chi1)
    }

    @Test func dataPolylinesAndFirstLayerPlacementRun() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("neurodyn-curve-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: file) }
        let rows = (0..<24).map { p -> String in
            let t = 2 * Double.pi * Double(p) / 24
            return "\(cos(t)), \(sin(t)), \(0.3 * cos(3 * t))"
        }
        try ("# a closed curve in R^3\n" + rows.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let result = try CLI.run(["embedding", "simulate", "--activation", "tanh", "--sigma-w2", "1.69", "--sigma-b2", "0.09",
                                  "--manifold", "data:\(file.path)", "--placement", "first-layer", "--depth", "2", "--width", "40",
                                  "--nets", "3", "--format", "json", "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(result.json)
        #expect(json["points"] as? Int == 24)
        #expect((json["polygon_over_2pi_sqrt_n"] as? [Double])?.count == 2)
        try "1, 2\n3\n".write(to: file, atomically: true, encoding: .utf8)
        let bad = try CLI.run(["embedding", "simulate", "--activation", "tanh", "--sigma-w2", "1.69", "--sigma-b2", "0.09",
                               "--manifold", "data:\(file.path)", "--depth", "2", "--width", "40"])
        #expect(bad.status == 64 && bad.stderr.contains("line 2"), "\(bad.stderr)")
    }

    @Test(arguments: [
        (["--manifold", "torus"], "manifold"),
        (["--manifold", "ellipse:x"], "manifold"),
        (["--placement", "first-layer", "--q", "0.05"], "q"),
        (["--manifold", "data:/nonexistent/file"], "manifold"),
        // Shapes past double's range crashed (a NaN length reached an integer conversion): now refused by name.
        (["--manifold", "ellipse:1e300", "--q", "1"], "invalid ratio"),
        (["--manifold", "helix:1e308:2", "--q", "1"], "invalid helix"),
        (["--manifold", "plane:1e200", "--q", "1"], "invalid half-width"),
    ])
    func badManifoldOptionsExit64(extra: [String], parameter: String) throws {
        let result = try CLI.run(["embedding", "conformality", "--activation", "tanh", "--sigma-w2", "2", "--sigma-b2", "0.09",
                                  "--depth", "2", "--width", "30", "--nets", "2", "--points", "8"] + extra)
        #expect(result.status == 64, "\(extra): \(result.stderr)")
        #expect(result.stderr.contains(parameter), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }
}
