import ArgumentParser
import Embedding
import Foundation
import MeanField

/// The input manifold and how it enters the network, shared by the embedding commands.
struct ManifoldOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Input manifold: sphere (the great k-sphere of --k), ellipse:RATIO, helix:HEIGHT:TURNS, plane:HALF_WIDTH, or data:FILE[:open] (a closed polyline through the points of FILE, one per line, comma- or space-separated; ':open' for an open one).", valueName: "shape"))
    var manifold: String = "sphere"
    @Option(help: "Placement: preactivations (the manifold scaled to length q in layer-1 pre-activation space) or first-layer (sent through a random W^1 so that E q^1 = q).")
    var placement: PlacementChoice = .preactivations
    @Option(parsing: .unconditional, help: "Placement length q (default: q*).")
    var q: Double?

    enum PlacementChoice: String, ExpressibleByArgument, CaseIterable {
        case preactivations, firstLayer = "first-layer"
        var value: EmbeddingSimulation.Placement { self == .preactivations ? .preactivations : .throughFirstLayer }
    }

    var isSphere: Bool { manifold == "sphere" }

    /// The manifold at `points` sample points (data files bring their own).
    func inputManifold(k: Int, points: Int) throws -> InputManifold {
        let parts = manifold.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        func number(_ index: Int) throws -> Double {
            guard index < parts.count, let value = Double(parts[index]) else {
                printError("invalid manifold: '\(manifold)' needs a number in field \(index + 1)")
                throw ExitCode(64)
            }
            return value
        }
        let shape: InputManifold.Shape
        switch parts[0] {
        case "sphere" where parts.count == 1: shape = .greatSphere(k: k)
        case "ellipse" where parts.count == 2: shape = .ellipse(ratio: try number(1))
        case "helix" where parts.count == 3:
            let turns = try number(2)
            guard turns == turns.rounded(), abs(turns) < 1e6 else {
                printError("invalid manifold: helix turns must be a whole number, got \(parts[2])")
                throw ExitCode(64)
            }
            shape = .helix(height: try number(1), turns: Int(turns))
        case "plane" where parts.count == 2: shape = .planePatch(halfWidth: try number(1))
        case "data" where parts.count == 2 || parts.count == 3 && parts[2] == "open":
            let (data, dimension) = try Self.readPoints(parts[1])
            return try usage { () throws(MeanFieldError) in try InputManifold(polyline: data, dimension: dimension, closed: parts.count == 2) }
        default:
            printError("invalid manifold: expected sphere, ellipse:RATIO, helix:HEIGHT:TURNS, plane:HALF_WIDTH or data:FILE[:open], got '\(manifold)'")
            throw ExitCode(64)
        }
        return try usage { () throws(MeanFieldError) in try InputManifold(shape: shape, points: points) }
    }

    /// Points of R^D from a text file: one per line, values separated by commas or spaces; blank
    /// lines and lines starting with '#' are skipped.
    static func readPoints(_ path: String) throws -> (data: [Double], dimension: Int) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            printError("invalid manifold: cannot read the data file '\(path)'")
            throw ExitCode(64)
        }
        var data: [Double] = [], dimension: Int?
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let fields = trimmed.split { $0 == "," || $0 == " " || $0 == "\t" }
            let values = fields.compactMap { Double($0) }
            guard values.count == fields.count, values.allSatisfy(\.isFinite), dimension == nil || dimension == values.count else {
                printError("invalid manifold: line \(number + 1) of '\(path)' must hold \(dimension.map(String.init) ?? "the same number of") finite numbers")
                throw ExitCode(64)
            }
            dimension = values.count
            data += values
        }
        guard let dimension else {
            printError("invalid manifold: '\(path)' holds no points")
            throw ExitCode(64)
        }
        return (data, dimension)
    }
}
