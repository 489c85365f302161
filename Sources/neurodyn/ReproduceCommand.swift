import ArgumentParser
import Foundation
import Notebook

/// One headline experiment of DESIGN.md section 7: the runs that make its data and the notebook
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

struct RecipeError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

struct ReproduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reproduce",
        abstract: "Run the headline experiments: data, a notebook each, and their figures.",
        discussion: """
            NAME is one of \(Recipe.all.map(\.name).joined(separator: ", ")) or all. Each writes
            DIR/NAME/: its data (CSV/JSON), NAME.ipynb (output-free, reading the data beside
            it), run.json, and, when a Python with nbconvert and matplotlib is found
            (NEURODYN_PYTHON, else ./.venv/bin/python, else python3), the executed notebook
            NAME.executed.ipynb and a PNG per figure. --quick sizes finish all seven in about two
            minutes on two cores; the full sizes follow the papers' settings. Files are written
            atomically: an interrupted run leaves no half file, and running it again resumes,
            skipping what is complete (--force recomputes).
            """)

    @Argument(help: ArgumentHelp("Experiment name, or all.", valueName: "NAME"))
    var name: String
    @Flag(help: "Small sizes (all seven in about two minutes).")
    var quick = false
    @Option(help: "Output directory.")
    var out: String
    @Option(parsing: .unconditional, help: "Seed of every random run (recorded in run.json).")
    var seed: UInt64 = 1
    @Flag(name: .customLong("no-execute"), help: "Write data and notebooks only; do not execute the notebooks.")
    var noExecute = false
    @Flag(help: "Recompute experiments that are already complete.")
    var force = false
    @OptionGroup var progress: ProgressOptions

    func run() throws {
        let recipes = name == "all" ? Recipe.all : Recipe.all.filter { $0.name == name }
        guard !recipes.isEmpty else {
            printError("invalid NAME: '\(name)' is not one of \(Recipe.all.map(\.name).joined(separator: ", ")), all")
            throw ExitCode(64)
        }
        let python = noExecute ? nil : NotebookRunner.find()
        if !noExecute, python == nil {
            printMessage("no Python with nbconvert and matplotlib found (set NEURODYN_PYTHON, or run scripts/setup.sh for ./.venv): data and notebooks are written, figures are not", quiet: false)
        }
        var figures: [String] = [], failures: [String] = []
        for (k, recipe) in recipes.enumerated() {
            let directory = URL(fileURLWithPath: out).appendingPathComponent(recipe.name)
            let context = RecipeContext(directory: directory, quick: quick, seed: seed, quiet: progress.quiet)
            printMessage("reproduce \(k + 1)/\(recipes.count): \(recipe.name) — \(recipe.title)", quiet: progress.quiet)
            let manifestURL = directory.appendingPathComponent("run.json")
            let parameters: [(String, JSONValue)] = [("experiment", .string(recipe.name)), ("quick", .bool(quick))]
            Self.removePartialFiles(in: directory)
            if force || !Self.isComplete(manifestURL, parameters: parameters, seed: seed) {
                if force { try? FileManager.default.removeItem(at: directory) }
                let start = Date()
                do {
                    try recipe.run(context)
                    try recipe.notebook(quick).write(to: directory.appendingPathComponent(recipe.name + ".ipynb"))
                } catch {
                    printError("\(recipe.name): \(error)")
                    throw ExitCode(1)
                }
                let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
                let manifest = RunManifest(command: "neurodyn reproduce \(recipe.name)\(quick ? " --quick" : "")", parameters: parameters,
                                           seed: seed, versions: softwareVersions, kernels: computeKernels, files: files, elapsedSeconds: Date().timeIntervalSince(start))
                do { try AtomicFile.write(manifest.json.serialized() + "\n", to: manifestURL) } catch {
                    printError(error.description)
                    throw ExitCode(1)
                }
            } else {
                printMessage("\(recipe.name): complete, skipped (--force recomputes)", quiet: progress.quiet)
            }
            guard let python else { continue }
            // The recipe's notebook and those its steps wrote beside their data (phase, boundary, distances).
            for notebook in NotebookRunner.notebooks(in: directory) {
                let folder = notebook.deletingLastPathComponent(), name = notebook.deletingPathExtension().lastPathComponent
                switch NotebookRunner.execute(python: python, directory: folder, name: name) {
                case .success(let pngs): figures += pngs.map { folder.appendingPathComponent($0).path }
                case .failure(let reason):
                    printError("\(recipe.name): executing \(notebook.path) failed (data and notebook are kept): \(reason)")
                    failures.append(recipe.name)
                }
            }
        }
        if !figures.isEmpty {
            print("figures:")
            for figure in figures { print("  \(figure)") }
        } else {
            print("data and notebooks: \(out)")
        }
        if !failures.isEmpty { throw ExitCode(1) }
    }

    /// Complete = run.json written (it is written last) for the same experiment, sizes and seed.
    static func isComplete(_ url: URL, parameters: [(String, JSONValue)], seed: UInt64) -> Bool {
        guard let text = try? String(contentsOf: url, encoding: .utf8), let json = try? JSONValue(parsing: text) else { return false }
        return json["parameters"] == .object(parameters) && json["seed"]?.stringValue == String(seed)
    }

    /// Hidden temporary files an interrupted run may have left (AtomicFile's `.NAME.UUID.partial`,
    /// nbconvert's `.NAME.executing.partial.ipynb`, the notebooks' `.NAME.tmp.png`).
    static func removePartialFiles(in directory: URL) {
        guard let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) else { return }
        for case let url as URL in enumerator where url.lastPathComponent.hasPrefix(".") && (url.lastPathComponent.contains(".partial") || url.lastPathComponent.hasSuffix(".tmp.png")) {
            try? FileManager.default.removeItem(at: url)
        }
    }
}

/// Finding a Python that can execute notebooks, and executing one.
enum NotebookRunner {
    /// Every output-free notebook under `directory` (not the executed copies), sorted.
    static func notebooks(in directory: URL) -> [URL] {
        guard let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) else { return [] }
        return enumerator.compactMap { $0 as? URL }
            .filter { $0.pathExtension == "ipynb" && !$0.lastPathComponent.hasSuffix(".executed.ipynb") && !$0.lastPathComponent.hasPrefix(".") }
            .sorted { $0.path < $1.path }
    }

    /// NEURODYN_PYTHON when set (and then only it), else ./.venv/bin/python, else /usr/bin/python3.
    static func find() -> String? {
        let candidates = ProcessInfo.processInfo.environment["NEURODYN_PYTHON"].map { [$0] }
            ?? [FileManager.default.currentDirectoryPath + "/.venv/bin/python", "/usr/bin/python3"]
        return candidates.first { path in
            FileManager.default.isExecutableFile(atPath: path) && (try? run(path, ["-c", "import nbconvert, matplotlib"], in: nil).status) == 0
        }
    }

    /// Executes DIR/NAME.ipynb into DIR/NAME.executed.ipynb (atomically) with the directory as
    /// working directory; returns the PNGs the notebook saved.
    static func execute(python: String, directory: URL, name: String) -> Result<[String], RecipeError> {
        let temporary = ".\(name).executing.partial"
        let result: (status: Int32, stderr: String)
        do {
            result = try run(python, ["-m", "nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=600",
                                      "--output", temporary, name + ".ipynb"], in: directory)
        } catch { return .failure(RecipeError("\(error)")) }
        let produced = directory.appendingPathComponent(temporary + ".ipynb")
        guard result.status == 0 else {
            try? FileManager.default.removeItem(at: produced)
            let lines = result.stderr.split(separator: "\n").suffix(6).joined(separator: "\n")
            return .failure(RecipeError(lines))
        }
        guard rename(produced.path, directory.appendingPathComponent(name + ".executed.ipynb").path) == 0 else {
            return .failure(RecipeError("cannot rename the executed notebook"))
        }
        let after = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return .success(after.filter { $0.hasSuffix(".png") && !$0.hasPrefix(".") }.sorted())
    }

    static func run(_ executable: String, _ arguments: [String], in directory: URL?) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
