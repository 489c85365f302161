import ArgumentParser
import Foundation
import RunOutput

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

    var recipes: [Recipe] { name == "all" ? Recipe.all : Recipe.all.filter { $0.name == name } }

    func validate() throws {
        guard !recipes.isEmpty else {
            throw ValidationError("invalid NAME: '\(name)' is not one of \(Recipe.all.map(\.name).joined(separator: ", ")), all")
        }
    }

    func run() throws {
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
                    throw CommandFailure("\(recipe.name): \(error)")
                }
                let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
                let manifest = RunManifest(command: "neurodyn reproduce \(recipe.name)\(quick ? " --quick" : "")", parameters: parameters,
                                           seed: seed, versions: softwareVersions, kernels: computeKernels, files: files, elapsedSeconds: Date().timeIntervalSince(start))
                try AtomicFile.write(manifest.json.serialized() + "\n", to: manifestURL)
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
