import Activations
import Foundation
import GSLKit
import MeanField
import Testing

/// A seeded property and fuzz harness over the command line: random legal and illegal option
/// combinations for every command, run as a user would. Whatever the input, a run exits 0, 1
/// or 64 (never a signal, never past its time limit), prints JSON that parses with no non-finite
/// number, and a mean-field point is self-consistent. Sizes of legal values are small (each
/// run well under a second); absurd sizes must be refused by the memory preflight at once.
@Suite(.serialized) struct FuzzCLITests {
    /// One option: its flag and the legal values to draw from.
    struct Option {
        var flag: String
        var legal: [String]
        var required = true
    }

    struct Template {
        var command: [String]
        var options: [Option]
    }

    static let activations = ["tanh", "relu", "erf", "sigmoid", "hardtanh", "softplus", "swish", "gelu", "sin", "linear"]
    static let variances = ["0", "0.05", "0.5", "1", "1.69", "2", "6.25", "1e-300", "1e15", "1e300"]
    /// Values that are wrong for most options (or absurd sizes, which the preflight refuses).
    static let illegal = ["-1", "0", "nan", "inf", "-inf", "1e308", "1e12", "100000000", "abc", "", "1e-320", "-0", "3:2:1", "1,,2"]

    static func model() -> [Option] {
        [Option(flag: "--activation", legal: activations), Option(flag: "--sigma-w2", legal: variances),
         Option(flag: "--sigma-b2", legal: variances)]
    }

    static let templates: [Template] = [
        Template(command: ["meanfield", "point"], options: model() + [Option(flag: "--q0", legal: ["1", "1e-300", "1e300", "0.3"], required: false)]),
        Template(command: ["meanfield", "iterate"], options: model() + [
            Option(flag: "--depth", legal: ["0", "5", "1000", "1000000"]), Option(flag: "--q0", legal: ["1", "star", "1e100"], required: false),
            Option(flag: "--c0", legal: ["0.5", "-1", "1", "0.999"], required: false)]),
        Template(command: ["meanfield", "critical"], options: [Option(flag: "--activation", legal: activations),
                                                            Option(flag: "--sigma-b2", legal: variances)]),
        Template(command: ["meanfield", "finite-width"], options: model() + [Option(flag: "--q1", legal: ["1", "0.5", "1e-200"]),
                                                                            Option(flag: "--depth", legal: ["1", "10", "200"])]),
        Template(command: ["meanfield", "phase"], options: [
            Option(flag: "--activation", legal: activations), Option(flag: "--sigma-w2", legal: ["0.5:4:7", "1:1:1", "0:1e300:3"]),
            Option(flag: "--sigma-b2", legal: ["0:0.3:5", "0:0:1", "1e-300:1e15:4"]), Option(flag: "--out", legal: ["OUT"])]),
        Template(command: ["simulate", "lengths"], options: model() + [
            Option(flag: "--q1", legal: ["1", "0.3"]), Option(flag: "--width", legal: ["1", "16", "64"]),
            Option(flag: "--depth", legal: ["1", "3"]), Option(flag: "--trials", legal: ["2", "5"]),
            Option(flag: "--batch", legal: ["1", "4"], required: false), Option(flag: "--seed", legal: ["1", "18446744073709551615"], required: false),
            Option(flag: "--sampling", legal: ["streamed", "kernel", "full"], required: false)]),
        Template(command: ["simulate", "correlations"], options: model() + [
            Option(flag: "--q1", legal: ["1"]), Option(flag: "--c1", legal: ["0.5", "0", "1", "-0.3"]),
            Option(flag: "--width", legal: ["8", "32"]), Option(flag: "--depth", legal: ["2", "4"]), Option(flag: "--trials", legal: ["2", "4"])]),
        Template(command: ["simulate", "boundary"], options: [
            Option(flag: "--activation", legal: activations), Option(flag: "--sigma-w2", legal: ["1:3:2"], required: false),
            Option(flag: "--sigma-b2", legal: ["0:0.2:2"], required: false), Option(flag: "--widths", legal: ["8", "8,16", "16,16"]),
            Option(flag: "--nets", legal: ["2", "3"]), Option(flag: "--depth", legal: ["6"]), Option(flag: "--burn-in", legal: ["2"]),
            Option(flag: "--out", legal: ["OUT"])]),
        Template(command: ["embedding", "theory"], options: model() + [Option(flag: "--k", legal: ["1", "2", "3"]),
                                                                      Option(flag: "--depth", legal: ["1", "10"])]),
        Template(command: ["embedding", "simulate"], options: model() + [
            Option(flag: "--k", legal: ["1", "2"]), Option(flag: "--depth", legal: ["2", "3"]), Option(flag: "--width", legal: ["16", "48"]),
            Option(flag: "--nets", legal: ["2", "3"]), Option(flag: "--points", legal: ["8", "16"]),
            Option(flag: "--manifold", legal: ["sphere", "ellipse:0.5", "helix:1:2", "plane:1"], required: false)]),
        Template(command: ["embedding", "distances"], options: model() + [
            Option(flag: "--depth", legal: ["3"]), Option(flag: "--widths", legal: ["16", "16,32"]), Option(flag: "--nets", legal: ["2"]),
            Option(flag: "--points", legal: ["8"])]),
        Template(command: ["embedding", "conformality"], options: model() + [
            Option(flag: "--manifold", legal: ["plane:1", "sphere"]), Option(flag: "--q", legal: ["1.5"], required: false),
            Option(flag: "--depth", legal: ["2"]), Option(flag: "--width", legal: ["32"]), Option(flag: "--nets", legal: ["2"]),
            Option(flag: "--points", legal: ["8"])]),
        Template(command: ["residual", "gradient"], options: [
            Option(flag: "--problem", legal: ["circles-anode3", "two-moons"]), Option(flag: "--solver", legal: ["rk4:2", "euler:3", "dopri5"]),
            Option(flag: "--method", legal: ["discrete", "adjoint", "checkpoint"]), Option(flag: "--rtol", legal: ["1e-5", "1e-3"], required: false),
            Option(flag: "--atol", legal: ["1e-5"], required: false), Option(flag: "--knots", legal: ["1", "2"], required: false)]),
        Template(command: ["residual", "train"], options: [
            Option(flag: "--solver", legal: ["rk4:2", "euler:2"]), Option(flag: "--method", legal: ["discrete"]),
            Option(flag: "--steps", legal: ["1", "3"]), Option(flag: "--learning-rate", legal: ["0.01", "1"], required: false),
            Option(flag: "--optimizer", legal: ["adam", "sgd"], required: false), Option(flag: "--loss", legal: ["cross-entropy", "mse"], required: false),
            Option(flag: "--batch-size", legal: ["10", "1000"], required: false)]),
        Template(command: ["residual", "near-identity"], options: [
            Option(flag: "--knots", legal: ["2", "5"], required: false), Option(flag: "--scale", legal: ["0", "1"], required: false),
            Option(flag: "--points", legal: ["8", "32"], required: false), Option(flag: "--layers", legal: ["8,16", "4"], required: false)]),
        Template(command: ["hopfield", "trajectory"], options: [
            Option(flag: "--model", legal: ["MODEL"]), Option(flag: "--u0", legal: ["0.1,-0.05", "0,0"]),
            Option(flag: "--times", legal: ["0,1,2", "0,0.5"])]),
        Template(command: ["hopfield", "fixed-points"], options: [Option(flag: "--model", legal: ["MODEL", "STRONG"]),
                                                              Option(flag: "--starts", legal: ["0", "20"], required: false)]),
        Template(command: ["hopfield", "compressibility"], options: [Option(flag: "--model", legal: ["MODEL"]),
                                                                 Option(flag: "--u", legal: ["0.3,0.1", "0,0"])]),
        Template(command: ["hopfield", "distance"], options: [Option(flag: "--model", legal: ["MODEL"]),
                                                          Option(flag: "--x", legal: ["0.2,0.3"]), Option(flag: "--y", legal: ["0.5,0.9"])]),
        Template(command: ["hopfield", "stationary"], options: [Option(flag: "--model", legal: ["MODEL", "STRONG"]),
                                                            Option(flag: "--temperature", legal: ["0.2", "1", "0.05", "1e-9", "1e-20"])]),
        Template(command: ["hopfield", "liouville"], options: [Option(flag: "--model", legal: ["MODEL"]),
                                                           Option(flag: "--u0", legal: ["0.3,0.1"]), Option(flag: "--time", legal: ["1", "2"])]),
        Template(command: ["hopfield", "density"], options: [
            Option(flag: "--model", legal: ["MODEL"]), Option(flag: "--temperature", legal: ["0.2"]),
            Option(flag: "--particles", legal: ["64", "200"], required: false), Option(flag: "--points", legal: ["20", "50"], required: false),
            Option(flag: "--steps", legal: ["5", "20"], required: false)]),
    ]

    /// One random command line from `template`: each option legal with probability 0.85,
    /// otherwise an illegal value; optional options present with probability 0.6.
    static func draw(_ template: Template, _ generator: inout SplitMix64, out: String, model: String, strong: String) -> [String] {
        func pick(_ values: [String]) -> String { values[Int(generator.next() % UInt64(values.count))] }
        var arguments = template.command
        for option in template.options {
            if !option.required && generator.nextDouble() < 0.4 { continue }
            if option.required && generator.nextDouble() < 0.03 { continue }  // a missing required option
            var value = generator.nextDouble() < 0.85 ? pick(option.legal) : pick(illegal)
            if value == "OUT" { value = out + "/\(generator.next() % 1000)" }
            if value == "MODEL" { value = model }
            if value == "STRONG" { value = strong }
            arguments += [option.flag, value]
        }
        if generator.nextDouble() < 0.03 { arguments.append("--no-such-option") }
        return arguments + ["--format", "json"]
    }

    /// Runs with a time limit; nil when the run had to be killed. Output goes to files (a
    /// killed run's pipes could block).
    static func run(_ arguments: [String], limit: TimeInterval,
                    in directory: URL = FileManager.default.temporaryDirectory) throws -> (status: Int32, signalled: Bool, stdout: String, stderr: String)? {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("neurodyn-fuzz-run-\(UUID().uuidString)")
        let outURL = base.appendingPathExtension("out"), errURL = base.appendingPathExtension("err")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = arguments
        // Relative paths among the drawn values (an --out of "0") land in a scratch directory.
        process.currentDirectoryURL = directory
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        try process.run()
        let deadline = Date().addingTimeInterval(limit)
        while process.isRunning && Date() < deadline { usleep(2000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        process.waitUntilExit()
        return (process.terminationStatus, process.terminationReason == .uncaughtSignal,
                (try? String(contentsOf: outURL, encoding: .utf8)) ?? "", (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
    }

    /// Numbers anywhere in a JSON value.
    static func numbers(_ value: Any) -> [Double] {
        switch value {
        case let number as NSNumber: [number.doubleValue]
        case let array as [Any]: array.flatMap(numbers)
        case let object as [String: Any]: object.values.flatMap(numbers)
        default: []
        }
    }

    static func check(_ arguments: [String], in directory: URL, limit: TimeInterval = 60) throws -> String? {
        try verdict(arguments, in: directory, limit: limit).finding
    }

    /// What a run broke of the contract (nil: nothing), and its exit status (nil: killed at the limit).
    static func verdict(_ arguments: [String], in directory: URL, limit: TimeInterval = 60) throws -> (finding: String?, status: Int32?) {
        guard let result = try run(arguments, limit: limit, in: directory) else { return ("did not finish in \(Int(limit)) s", nil) }
        return (try finding(in: result, arguments: arguments), result.status)
    }

    private static func finding(in result: (status: Int32, signalled: Bool, stdout: String, stderr: String), arguments: [String]) throws -> String? {
        if result.signalled { return "killed by signal \(result.status): \(result.stderr.suffix(300))" }
        guard [0, 1, 64].contains(result.status) else { return "exit \(result.status): \(result.stderr.suffix(300))" }
        if result.status != 0 {
            guard result.stderr.lowercased().contains("error") else { return "exit \(result.status) without an error message" }
            return nil
        }
        guard !result.stdout.isEmpty else { return nil }
        // Strict JSON: a bare nan or inf token does not parse.
        guard let json = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) else {
            return "stdout is not JSON: \(result.stdout.prefix(200))"
        }
        if numbers(json).contains(where: { !$0.isFinite }) { return "JSON holds a non-finite number" }
        if arguments.starts(with: ["meanfield", "point"]), let object = json as? [String: Any] {
            return try selfConsistency(object)
        }
        return nil
    }

    /// A mean-field point against the library: |V(q*) - q*| within its rounding bound, chi_1
    /// recomputed at q*, the phase as chi_1 says.
    static func selfConsistency(_ json: [String: Any]) throws -> String? {
        guard let name = json["activation"] as? String, let activation = try? Activation(parsing: name),
              let w = json["sigma_w2"] as? Double, let b = json["sigma_b2"] as? Double, let q = json["q_star"] as? Double,
              let chi1 = json["chi1"] as? Double, let phase = json["phase"] as? String else { return "point JSON lacks keys" }
        let model = try MeanFieldModel(activation: activation, sigmaW2: w, sigmaB2: b)
        let integrator = GaussianIntegrator(activation: activation)
        let r = model.lengthResidual(q, using: integrator)
        if abs(r.value) > r.bound { return "V(q*) - q* = \(r.value) exceeds its bound \(r.bound)" }
        // Foundation's JSON reader may move a double by an ulp: compare to a few ulp.
        let recomputed = model.chi1(at: q, using: integrator)
        if abs(recomputed - chi1) > 8 * Double.ulpOfOne * abs(chi1) { return "chi1 \(chi1) differs from chi1(q*) = \(recomputed)" }
        let expected = abs(chi1 - 1) <= PointAnalysis.criticalTolerance ? "critical" : chi1 < 1 ? "ordered" : "chaotic"
        return phase == expected ? nil : "phase \(phase) with chi1 = \(chi1)"
    }

    /// Cases per run of the test command (about a minute on two cores).
    static let cases = Int(ProcessInfo.processInfo.environment["NEURODYN_FUZZ_CASES"] ?? "") ?? 240

    @Test func randomCommandLinesExitCleanly() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("neurodyn-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = directory.appendingPathComponent("two.json")
        try #"{"activation": "logistic", "W": [[0, 2], [2, 0]], "I": [-1, -1], "gain": 3, "tau": 1}"#.write(to: model, atomically: true, encoding: .utf8)
        // Saturating units: outputs within 1e-21 of the faces of the box.
        let strong = directory.appendingPathComponent("strong.json")
        try #"{"activation": "logistic", "W": [[0, 50], [50, 0]], "I": [-1, -1]}"#.write(to: strong, atomically: true, encoding: .utf8)
        var generator = SplitMix64(seed: UInt64(ProcessInfo.processInfo.environment["NEURODYN_FUZZ_SEED"] ?? "") ?? 20261207)
        var findings: [String] = []
        var statuses: [String: Int] = [:]
        for index in 0..<Self.cases {
            let template = Self.templates[index % Self.templates.count]
            let arguments = Self.draw(template, &generator, out: directory.path, model: model.path, strong: strong.path)
            if let finding = try Self.check(arguments, in: directory) {
                findings.append("\(arguments.joined(separator: " ")): \(finding)")
            }
            statuses[template.command.joined(separator: " "), default: 0] += 1
        }
        #expect(findings.isEmpty, "\(findings.count) of \(Self.cases) runs broke the contract:\n\(findings.joined(separator: "\n"))")
        #expect(statuses.count == Self.templates.count)
    }

    @Test(arguments: [
        // The issue's examples: each refused at once (the first release aborted or ran silently).
        ["embedding", "simulate", "--activation", "tanh", "--sigma-w2", "6.25", "--sigma-b2", "0.09", "--k", "1", "--depth", "10",
         "--width", "1000", "--nets", "100000000", "--points", "64"],
        ["embedding", "simulate", "--activation", "tanh", "--sigma-w2", "6.25", "--sigma-b2", "0.09", "--k", "1", "--depth", "10",
         "--width", "100000000", "--nets", "16", "--points", "64"],
        ["embedding", "simulate", "--activation", "tanh", "--sigma-w2", "6.25", "--sigma-b2", "0.09", "--k", "1", "--depth", "10",
         "--width", "10000000", "--nets", "16", "--points", "64"],
        ["simulate", "lengths", "--activation", "tanh", "--sigma-w2", "1.69", "--sigma-b2", "0.09", "--q1", "1", "--width", "100000000",
         "--depth", "3", "--trials", "2"],
    ])
    func absurdSizesAreRefusedBeforeAllocating(arguments: [String]) throws {
        let started = Date()
        let result = try #require(try Self.run(arguments, limit: 20))
        #expect(result.status == 64 && !result.signalled, "\(result.stderr)")
        #expect(result.stderr.contains("GiB") && result.stderr.contains("invalid"), "\(result.stderr)")
        #expect(Date().timeIntervalSince(started) < 5)
    }
}

/// Edges of the residual and Hopfield commands and of model files (each a regression).
@Suite struct EdgeCLITests {
    static func model(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("neurodyn-model-\(UUID().uuidString).json")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test func divergingTrainingStopsWithTheStepAndTheLearningRate() throws {
        // The first release trapped ("Unexpectedly found nil") on the argmax of NaN logits.
        for extra in [[String](), ["--optimizer", "sgd"], ["--loss", "mse"]] {
            let run = try CLI.run(["residual", "train", "--solver", "rk4:2", "--learning-rate", "1e300", "--steps", "3"] + extra)
            #expect(run.status == 1 && run.stderr.contains("training diverged at step") && run.stderr.contains("learning rate"), "\(run.stderr)")
        }
    }

    @Test func trainingThatBlowsUpAnImplicitSolveStopsAtOnce() throws {
        // msbdf on the field left by a learning rate of 1e30 ran for about an hour (100000 steps
        // of ever smaller size per solve): now the collapsed step size stops it, naming the step.
        let run = try #require(try FuzzCLITests.run(["residual", "train", "--solver", "msbdf", "--batch-size", "100",
                                                     "--learning-rate", "1e30", "--steps", "3"], limit: 60))
        #expect(run.status == 1 && run.stderr.contains("training diverged at step 2") && run.stderr.contains("step size fell"), "\(run.stderr)")
    }

    @Test func tolerancesBelowFloat64AreRefused() throws {
        let run = try CLI.run(["residual", "gradient", "--solver", "rk8pd", "--rtol", "1e-20", "--method", "adjoint"])
        #expect(run.status == 64 && run.stderr.contains("invalid rtol"), "\(run.stderr)")
    }

    @Test func duplicateWidthsAreRefused() throws {
        let run = try CLI.run(["simulate", "boundary", "--activation", "tanh", "--widths", "16,16,16", "--out",
                               FileManager.default.temporaryDirectory.appendingPathComponent("neurodyn-dup-\(UUID().uuidString)").path])
        #expect(run.status == 64 && run.stderr.contains("widths") && run.stderr.contains("twice"), "\(run.stderr)")
    }

    @Test func modelFilesAreReadStrictly() throws {
        let base = #""activation": "logistic", "W": [[0, 2], [2, 0]], "I": [-1, -1]"#
        let cases: [(String, String)] = [
            ("{\(base), \"gain\": 3, \"gain\": 5}", "duplicate key 'gain'"),
            ("{\(base), \"Gain\": 3}", "did you mean 'gain'"),
            ("{\(base), \"extra\": " + String(repeating: "[", count: 50_000) + String(repeating: "]", count: 50_000) + "}", "nested deeper"),
        ]
        for (text, message) in cases {
            let run = try CLI.run(["hopfield", "fixed-points", "--model", try Self.model(text)])
            #expect(run.status == 64 && run.stderr.contains(message), "\(run.stderr)")
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("neurodyn-latin1-\(UUID().uuidString).json")
        try Data([0x7B, 0x22, 0xE9, 0x22, 0x3A, 0x31, 0x7D]).write(to: url)
        let latin1 = try CLI.run(["hopfield", "fixed-points", "--model", url.path])
        #expect(latin1.status == 64 && latin1.stderr.contains("not UTF-8"), "\(latin1.stderr)")
    }

    @Test func warningsAreLabelledAsWarnings() throws {
        let path = try Self.model(#"{"activation": "logistic", "W": [[0, 2], [1, 0]], "I": [-1, -1]}"#)
        let run = try CLI.run(["hopfield", "trajectory", "--model", path, "--u0", "0.1,0.2", "--times", "0,1"])
        #expect(run.status == 0 && run.stderr.contains("neurodyn: warning: W is not symmetric") && !run.stderr.contains("error"), "\(run.stderr)")
    }

    @Test func densityOptionsAreNamed() throws {
        let path = try Self.model(#"{"activation": "logistic", "W": [[0, 2], [2, 0]], "I": [-1, -1], "gain": 3}"#)
        let spread = try CLI.run(["hopfield", "density", "--model", path, "--temperature", "0.2", "--spread", "1e-300"])
        #expect(spread.status == 64 && spread.stderr.contains("invalid spread"), "\(spread.stderr)")
        let points = try CLI.run(["hopfield", "density", "--model", path, "--temperature", "0.2", "--points", "100000"])
        #expect(points.status == 64 && points.stderr.contains("GiB"), "\(points.stderr)")
        let steps = try CLI.run(["hopfield", "density", "--model", path, "--temperature", "0.2", "--steps", "1000000000000"])
        #expect(steps.status == 64 && steps.stderr.contains("invalid steps"), "\(steps.stderr)")
    }

    @Test func overflowingResultsExitOneNamingTheQuantity() throws {
        // The first release printed null with exit 0 where numbers were promised.
        let path = try Self.model(#"{"activation": "logistic", "W": [[0, 2], [2, 0]], "I": [-1, -1], "gain": 3, "tau": 1}"#)
        let saturated = try CLI.run(["hopfield", "compressibility", "--model", path, "--u", "800,0", "--format", "json"])
        #expect(saturated.status == 1 && saturated.stderr.contains("laplacian_energy is not finite") && saturated.stdout.isEmpty, "\(saturated.stderr)")
        let long = try CLI.run(["hopfield", "liouville", "--model", path, "--u0", "0.3,0.1", "--time", "1e6", "--format", "json"])
        #expect(long.status == 1 && long.stderr.contains("is not finite at time") && long.stdout.isEmpty, "\(long.stderr)")
        let fine = try CLI.run(["hopfield", "liouville", "--model", path, "--u0", "0.3,0.1", "--time", "2", "--format", "json"])
        #expect(fine.status == 0 && !fine.stdout.contains("null"))
    }

    @Test func storedTrajectoriesAndKnotsArePreflighted() throws {
        // rk4 with 10^6 steps keeps ~2 TB of stages for the discrete adjoint; 10^11 knots 36 TB:
        // both refused at once (the first release grew to 6 GB and aborted, or aborted at once).
        let steps = try CLI.run(["residual", "gradient", "--solver", "rk4:1000000", "--method", "discrete"])
        #expect(steps.status == 64 && steps.stderr.contains("GiB") && steps.stderr.contains("discrete adjoint"), "\(steps.stderr)")
        let knots = try CLI.run(["residual", "near-identity", "--knots", "100000000000"])
        #expect(knots.status == 64 && knots.stderr.contains("invalid knots") && knots.stderr.contains("GiB"), "\(knots.stderr)")
    }

    @Test func blowUpsAreNamedAsDivergence() throws {
        // exp units with positive feedback blow up in finite time (u ~ -log(t* - t), t* = 0.358):
        // the first release said "GSL error -1 (failure) at t = 0.36".
        let path = try Self.model(#"{"activation": "exp", "W": [[0, 2], [2, 0]], "I": [0, 0]}"#)
        let run = try CLI.run(["hopfield", "trajectory", "--model", path, "--u0", "0.5,0.5", "--times", "0,1"])
        #expect(run.status == 1 && run.stderr.contains("the state diverged near t = 0.358") && run.stderr.contains("component"), "\(run.stderr)")
    }

    @Test func strongCouplingsAndLargeInputsHaveTheirFixedPointsListed() throws {
        // The first release printed {"fixed_points": []} with exit 0: the saturated outputs round
        // onto the face of the box and were filtered out.
        for (text, u) in [(#"{"activation": "logistic", "W": [[0, 50], [50, 0]], "I": [-1, -1]}"#, 49.0),
                          (#"{"activation": "tanh", "W": [[0, 1], [1, 0]], "I": [-100, -100]}"#, -101.0)] {
            let run = try CLI.run(["hopfield", "fixed-points", "--model", try Self.model(text), "--format", "json"])
            let points = try #require(run.json?["fixed_points"] as? [[String: Any]], "\(run.stderr)")
            #expect(run.status == 0 && points.count == 1 && points[0]["stable"] as? Bool == true)
            #expect((points[0]["u"] as? [Double]) == [u, u] && (points[0]["energy"] as? Double)?.isFinite == true)
        }
        let beyond = try CLI.run(["hopfield", "fixed-points", "--model",
                                  try Self.model(#"{"activation": "tanh", "W": [[0, 1], [1, 0]], "I": [-1000, -100]}"#)])
        #expect(beyond.status == 1 && beyond.stderr.contains("saturated beyond double precision"), "\(beyond.stderr)")
    }

    @Test func lowTemperatureStationaryIsTheZeroTemperatureLimit() throws {
        // The first release gave the mean (0.0702, 0.0702), a negative variance and error 0 at
        // T = 1e-20 (and error 1.386 with exit 0 at 1e-12): the nodes missed the minima.
        let path = try Self.model(#"{"activation": "logistic", "W": [[0, 2], [2, 0]], "I": [-1, -1], "gain": 3}"#)
        for temperature in ["1e-12", "1e-20", "1e-300"] {
            let run = try CLI.run(["hopfield", "stationary", "--model", path, "--temperature", temperature, "--format", "json"])
            let json = try #require(run.json, "\(run.stderr)")
            let mean = try #require(json["mean"] as? [Double]), cov = try #require(json["cov"] as? [[Double]])
            #expect(run.status == 0 && json["windows"] as? Int == 2)
            #expect(mean.allSatisfy { abs($0 - 0.5) < 1e-12 } && cov[0][0] > 0.18 && cov[1][1] > 0.18, "\(json)")
            #expect((json["estimated_error"] as? Double ?? 1) < 1e-9)
        }
    }

    @Test func largeNearIdentityWeightsGiveNumbersOrANamedOverflow() throws {
        // scale 1000: states of 1e238 whose squared norms overflowed into null errors; now the
        // norms are scaled. scale 1e5: the flow itself overflows, exit 1 saying so.
        let large = try CLI.run(["residual", "near-identity", "--scale", "1000", "--format", "json"])
        #expect(large.status == 0 && !large.stdout.contains("null"), "\(large.stderr)")
        let huge = try CLI.run(["residual", "near-identity", "--scale", "100000", "--format", "json"])
        #expect(huge.status == 1 && huge.stderr.contains("overflows in double precision"), "\(huge.stderr)")
    }
}
