import Foundation
import RunOutput

/// What a recipe's runs have at hand: its directory, the sizes, the seed, and this binary.
struct RecipeContext: Sendable {
    let directory: URL
    let quick: Bool
    let seed: UInt64
    let quiet: Bool

    /// `value` for quick runs, `full` otherwise.
    func size<T>(_ quick: T, _ full: T) -> T { self.quick ? quick : full }

    /// Runs `neurodyn arguments` (this same binary) and, with `stdout`, stores its standard output
    /// atomically in that file. A step whose output file exists is skipped (an interrupted
    /// reproduce resumes where it stopped; files are only ever complete).
    func neurodyn(_ arguments: [String], stdout name: String? = nil, creates marker: String? = nil) throws {
        if let done = name ?? marker, FileManager.default.fileExists(atPath: directory.appendingPathComponent(done).path) { return }
        if !quiet { FileHandle.standardError.write(Data("neurodyn: reproduce: neurodyn \(arguments.joined(separator: " "))\n".utf8)) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.standardError  // the step's own messages (and errors) reach the user
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw RecipeError("'neurodyn \(arguments.joined(separator: " "))' failed (exit \(process.terminationStatus))")
        }
        if let name { try write(data, name) }
    }

    /// Writes a file of the recipe atomically.
    func write(_ data: Data, _ name: String) throws {
        do { try AtomicFile.write(data, to: directory.appendingPathComponent(name)) } catch { throw RecipeError(error.description) }
    }

    func write(_ text: String, _ name: String) throws { try write(Data(text.utf8), name) }
}
