import ArgumentParser
import Embedding
import Foundation
import MeanField

/// --manifold of the embedding commands, as written (the run manifest records the text) and
/// parsed: sphere (the great k-sphere of --k), ellipse:RATIO, helix:HEIGHT:TURNS,
/// plane:HALF_WIDTH, or data:FILE[:open], a polyline through the points of FILE, read while the
/// arguments are parsed.
struct ManifoldSpec {
    enum Form {
        case sphere
        case shape(InputManifold.Shape)
        case polyline(data: [Double], dimension: Int, closed: Bool)
    }

    let text: String
    let form: Form

    var isSphere: Bool { if case .sphere = form { true } else { false } }

    /// The manifold at `points` sample points (data files bring their own).
    func inputManifold(k: Int, points: Int) throws(MeanFieldError) -> InputManifold {
        switch form {
        case .sphere: try InputManifold(shape: .greatSphere(k: k), points: points)
        case .shape(let shape): try InputManifold(shape: shape, points: points)
        case .polyline(let data, let dimension, let closed): try InputManifold(polyline: data, dimension: dimension, closed: closed)
        }
    }

    /// The `transform` of --manifold.
    static func parse(_ text: String) throws -> ManifoldSpec {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        func number(_ index: Int) throws -> Double {
            guard let value = Double(parts[index]) else { throw ValidationError("needs a number in field \(index + 1)") }
            return value
        }
        let form: Form
        switch parts[0] {
        case "sphere" where parts.count == 1: form = .sphere
        case "ellipse" where parts.count == 2: form = .shape(.ellipse(ratio: try number(1)))
        case "helix" where parts.count == 3:
            let turns = try number(2)
            guard turns == turns.rounded(), abs(turns) < 1e6 else { throw ValidationError("helix turns must be a whole number, got \(parts[2])") }
            form = .shape(.helix(height: try number(1), turns: Int(turns)))
        case "plane" where parts.count == 2: form = .shape(.planePatch(halfWidth: try number(1)))
        case "data" where parts.count == 2 || parts.count == 3 && parts[2] == "open":
            let (data, dimension) = try PointsFile.read(parts[1])
            form = .polyline(data: data, dimension: dimension, closed: parts.count == 2)
        default:
            throw ValidationError("expected sphere, ellipse:RATIO, helix:HEIGHT:TURNS, plane:HALF_WIDTH or data:FILE[:open]")
        }
        return ManifoldSpec(text: text, form: form)
    }
}
