import Foundation
import RunOutput

/// One headline experiment (`neurodyn reproduce NAME`, README "Two commands"): the runs that make its data and the notebook
/// that plots them (each figure saved as a PNG when the notebook is executed).
struct Recipe: Sendable {
    let name: String
    let title: String
    /// Makes the data files in the recipe's directory (quick or full sizes).
    let run: @Sendable (RecipeContext) throws -> Void
    /// The notebook, reading the files `run` wrote.
    let notebook: @Sendable (_ quick: Bool) -> NotebookDocument

    static let all: [Recipe] = [.poole, .phaseDiagrams, .greatCircle, .amari, .finiteWidth, .residual, .hopfield]
}
