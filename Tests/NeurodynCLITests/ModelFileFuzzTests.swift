import Foundation
import GSLKit
import Testing

/// The fuzz harness over Hopfield model files: a valid file mutated at random (values out of
/// range or of the wrong type, misspelt, duplicate and unknown keys, wrong shapes, truncation,
/// stray bytes, deep nesting, strong couplings and huge inputs), each given to a random
/// Hopfield command. The contract is the command-line harness's (``FuzzCLITests/check(_:in:limit:)``).
@Suite(.serialized) struct ModelFileFuzzTests {
    static let cases = Int(ProcessInfo.processInfo.environment["NEURODYN_FUZZ_MODEL_CASES"] ?? "") ?? 240

    static let values: [String: [String]] = [
        "activation": [#""logistic""#, #""tanh""#, #""atan""#, #""exp""#, #""identity""#, #""relu""#, #""""#, "3", "null"],
        "W": ["[[0, 2], [2, 0]]", "[[0, 50], [50, 0]]", "[[0, 1e200], [1e200, 0]]", "[[0, 2], [1, 0]]", "[[1]]", "[[0, 2], [2]]",
              "[[0, -3], [-3, 0]]", "[[0, 1e308], [1e308, 0]]", "[]", "[[0, \"2\"], [2, 0]]", "[[0, 1e400], [1, 0]]"],
        "I": ["[-1, -1]", "[-100, -100]", "[-1000, -100]", "[1e15, -1e15]", "[0]", "[0, 0, 0]", "[]", "[null, 0]", "-1"],
        "gain": ["3", "1", "0", "-1", "1e-300", "1e300", "\"3\"", "[3]"],
        "tau": ["1", "0.5", "0", "1e-300", "1e300", "-2", "true"],
        "C": ["[1, 2]", "[1]", "[0, 1]", "[1e300, 1e-300]", "{}"],
    ]
    static let strayKeys = ["Gain", "w", "", "activation ", "inputs", "gain\u{0}"]

    static let commands: [[String]] = [
        ["hopfield", "fixed-points"], ["hopfield", "stationary", "--temperature", "0.2"],
        ["hopfield", "stationary", "--temperature", "1e-20"], ["hopfield", "trajectory", "--u0", "0.1,0.2", "--times", "0,1"],
        ["hopfield", "compressibility", "--u", "0.3,0.1"], ["hopfield", "distance", "--x", "0.2,0.3", "--y", "0.5,0.9"],
        ["hopfield", "liouville", "--u0", "0.3,0.1", "--time", "1"],
        ["hopfield", "density", "--temperature", "0.2", "--particles", "64", "--points", "20", "--steps", "5"],
    ]

    /// A model file: every key with a random value (the first, legal one, with probability 0.8), then one
    /// mutation of the text with probability 0.5.
    static func draw(_ generator: inout SplitMix64) -> Data {
        func pick<T>(_ values: [T]) -> T { values[Int(generator.next() % UInt64(values.count))] }
        var pairs: [(String, String)] = []
        for key in ["activation", "W", "I", "gain", "tau", "C"] {
            let roll = generator.nextDouble()
            if roll > 0.95 && key != "activation" && key != "W" { continue }  // optional keys left out
            pairs.append((key, roll < 0.8 ? values[key]![0] : pick(values[key]!)))
        }
        if generator.nextDouble() < 0.1 { pairs.append((pick(strayKeys), "1")) }
        if generator.nextDouble() < 0.05 { pairs.append(pick(pairs)) }  // a duplicate key
        var text = "{" + pairs.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
        var bytes = Array(text.utf8)
        switch generator.next() % 10 {
        case 0: bytes = Array(bytes.prefix(Int(generator.next() % UInt64(bytes.count))))  // truncated
        case 1: bytes[Int(generator.next() % UInt64(bytes.count))] = UInt8(generator.next() % 256)  // a stray byte
        case 2:
            text.removeLast()
            bytes = Array((text + ", \"deep\": " + String(repeating: "[", count: 600) + String(repeating: "]", count: 600) + "}").utf8)
        case 3: bytes = [0xEF, 0xBB, 0xBF] + bytes  // a byte-order mark
        case 4: bytes += Array(" trailing".utf8)
        default: break
        }
        return Data(bytes)
    }

    @Test func mutatedModelFilesExitCleanly() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("neurodyn-model-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var generator = SplitMix64(seed: UInt64(ProcessInfo.processInfo.environment["NEURODYN_FUZZ_SEED"] ?? "") ?? 20261207)
        var findings: [String] = []
        var statuses: [Int32: Int] = [:]
        for index in 0..<Self.cases {
            let file = directory.appendingPathComponent("model-\(index).json")
            let data = Self.draw(&generator)
            try data.write(to: file)
            let arguments = Self.commands[index % Self.commands.count] + ["--model", file.path, "--format", "json"]
            let (finding, status) = try FuzzCLITests.verdict(arguments, in: directory)
            if let finding {
                findings.append("\(arguments.joined(separator: " ")) on \(String(decoding: data, as: UTF8.self).prefix(300)): \(finding)")
            }
            if let status { statuses[status, default: 0] += 1 }
        }
        #expect(findings.isEmpty, "\(findings.count) of \(Self.cases) model files broke the contract:\n\(findings.joined(separator: "\n"))")
        // The mutations must reach both sides: files that run and files that are refused.
        #expect((statuses[0] ?? 0) > Self.cases / 10 && (statuses[64] ?? 0) > Self.cases / 10, "\(statuses)")
    }
}
