import ArgumentParser
import Foundation
import Hopfield
import RunOutput

/// --model M.json: {"activation": "logistic", "W": [[...]], "I": [...], "gain": 2, "tau": 1, "C": [...]}
/// (gain, tau and C default to 1).
struct HopfieldModelOption: ParsableArguments {
    @Option(help: ArgumentHelp("Model file (JSON): {\"activation\": \"logistic|tanh|atan|exp|identity\", \"W\": [[..]], \"I\": [..], \"gain\": 2, \"tau\": 1, \"C\": [..]}; gain, tau and C default to 1.", valueName: "M.json"))
    var model: String

    /// The keys a model file may hold (anything else is a typo, refused rather than ignored).
    static let keys = ["activation", "W", "I", "gain", "tau", "C"]
    /// A model file's largest size: 64 MiB (a dense W of about 2800 units).
    static let maximumBytes = 64 << 20

    /// Reads and validates the file; every problem is a `ValidationError` naming the field (exit 64).
    func load() throws -> HopfieldModel {
        let size = (try? FileManager.default.attributesOfItem(atPath: model)[.size] as? Int) ?? 0
        guard size <= Self.maximumBytes else {
            throw ValidationError("invalid model: '\(model)' has \(size) bytes, over the \(Self.maximumBytes) a model file may have")
        }
        guard let data = FileManager.default.contents(atPath: model) else {
            throw ValidationError("invalid model: cannot read '\(model)'")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ValidationError("invalid model: '\(model)' is not UTF-8 text")
        }
        let json: JSONValue
        do { json = try JSONValue(parsing: text) } catch {
            throw ValidationError("invalid model: \(model): \(error)")
        }
        func fail(_ field: String, _ reason: String) -> ValidationError {
            ValidationError("invalid model \(field): \(reason) (in \(model))")
        }
        func numbers(_ value: JSONValue?, _ field: String) throws -> [Double] {
            guard case .array(let items)? = value else { throw fail(field, "must be a list of numbers") }
            return try items.map { item in
                guard let x = item.doubleValue else { throw fail(field, "must be a list of numbers") }
                return x
            }
        }
        guard case .object(let pairs) = json else { throw fail("file", "must hold a JSON object") }
        for (key, _) in pairs where !Self.keys.contains(key) {
            let near = Self.keys.first { $0.lowercased() == key.lowercased() }
            throw fail(key, "is not a model key (the keys are \(Self.keys.joined(separator: ", ")))" + (near.map { "; did you mean '\($0)'?" } ?? ""))
        }
        guard let name = json["activation"]?.stringValue else { throw fail("activation", "missing (one of \(HopfieldActivation.Kind.allCases.map(\.rawValue).joined(separator: ", ")))") }
        guard let kind = HopfieldActivation.Kind(rawValue: name) else {
            throw fail("activation", "unknown '\(name)' (one of \(HopfieldActivation.Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let inputs = try numbers(json["I"], "I")
        guard case .array(let rows)? = json["W"] else { throw fail("W", "missing or not a list of rows") }
        var weights: [Double] = []
        for (i, row) in rows.enumerated() {
            let values = try numbers(row, "W")
            guard values.count == inputs.count else {
                throw fail("W", "row \(i + 1) has \(values.count) entries; W must be \(inputs.count) x \(inputs.count) to match I")
            }
            weights += values
        }
        guard rows.count == inputs.count else { throw fail("W", "has \(rows.count) rows; W must be \(inputs.count) x \(inputs.count) to match I") }
        func scalar(_ field: String) throws -> Double {
            guard let value = json[field] else { return 1 }
            guard let x = value.doubleValue else { throw fail(field, "must be a number") }
            return x
        }
        let capacitances = json["C"] == nil ? nil : try numbers(json["C"], "C")
        let gain = try scalar("gain"), tau = try scalar("tau")
        return try HopfieldModel(weights: weights, inputs: inputs, activation: HopfieldActivation(kind, gain: gain), tau: tau,
                          capacitances: capacitances)
    }
}
