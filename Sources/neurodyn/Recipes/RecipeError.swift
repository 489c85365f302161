/// A headline experiment that could not be run (exit 1), with the reason.
struct RecipeError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
