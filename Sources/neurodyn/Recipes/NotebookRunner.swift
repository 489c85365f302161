import Foundation
import RunOutput

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
