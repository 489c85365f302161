import ArgumentParser
import Embedding

/// The input manifold and how it enters the network, shared by the embedding commands.
struct ManifoldOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Input manifold: sphere (the great k-sphere of --k), ellipse:RATIO, helix:HEIGHT:TURNS, plane:HALF_WIDTH, or data:FILE[:open] (a closed polyline through the points of FILE, one per line, comma- or space-separated; ':open' for an open one; default: sphere).", valueName: "shape"),
            transform: ManifoldSpec.parse)
    var manifold = ManifoldSpec(text: "sphere", form: .sphere)
    @Option(help: "Placement: preactivations (the manifold scaled to length q in layer-1 pre-activation space) or first-layer (sent through a random W^1 so that E q^1 = q).")
    var placement: PlacementChoice = .preactivations
    @Option(parsing: .unconditional, help: "Placement length q (default: q*).")
    var q: Double?

    enum PlacementChoice: String, ExpressibleByArgument, CaseIterable {
        case preactivations, firstLayer = "first-layer"
        var value: EmbeddingSimulation.Placement { self == .preactivations ? .preactivations : .throughFirstLayer }
    }
}
