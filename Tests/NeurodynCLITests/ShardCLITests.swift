import Foundation
import RunOutput
import Testing

@Suite struct ShardCLITests {
    static func temporary(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("neurodyn-\(name)-\(UUID().uuidString)")
    }

    static let phase = ["meanfield", "phase", "--activation", "tanh", "--sigma-w2", "0.5:4:15", "--sigma-b2", "0:0.3:11", "--quiet"]
    static let boundary = ["simulate", "boundary", "--activation", "tanh", "--sigma-w2", "1:3:4", "--sigma-b2", "0:0.2:3",
                           "--widths", "8,16", "--nets", "3", "--depth", "8", "--burn-in", "2", "--seed", "9", "--quiet"]

    @Test(arguments: [(phase, "phase"), (boundary, "boundary")])
    func mergedShardsAreTheUnshardedBytes(sweep: [String], kind: String) throws {
        let whole = Self.temporary("whole")
        defer { try? FileManager.default.removeItem(at: whole) }
        #expect(try CLI.run(sweep + ["--out", whole.path]).status == 0)
        let expected = try Data(contentsOf: whole.appendingPathComponent(kind + ".csv"))
        for count in [1, 3, 8] {
            let directory = Self.temporary("shards")
            defer { try? FileManager.default.removeItem(at: directory) }
            for index in (0..<count).reversed() {
                let run = try CLI.run(sweep + ["--out", directory.path, "--shard-index", String(index), "--shard-count", String(count)])
                #expect(run.status == 0, "\(run.stderr)")
            }
            if count > 1 {
                let merged = try CLI.run(["merge", directory.path])
                #expect(merged.status == 0, "\(merged.stderr)")
                let manifest = try String(contentsOf: directory.appendingPathComponent("run.json"), encoding: .utf8)
                #expect(manifest.contains("\"shards\": \(count)"))
            }
            #expect(try Data(contentsOf: directory.appendingPathComponent(kind + ".csv")) == expected, "\(kind), \(count) shards")
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(kind + ".ipynb").path))
        }
    }

    @Test func missingAndForeignShardsAreNamed() throws {
        let directory = Self.temporary("bad")
        defer { try? FileManager.default.removeItem(at: directory) }
        for index in [0, 2] {
            _ = try CLI.run(Self.phase + ["--out", directory.path, "--shard-index", String(index), "--shard-count", "4"])
        }
        let missing = try CLI.run(["merge", directory.path])
        #expect(missing.status == 1 && missing.stderr.contains("missing shards 1, 3 of 4"), "\(missing.stderr)")
        let list = try CLI.run(["merge", directory.path, "--list-missing", "--shard-count", "4"])
        #expect(list.stdout == "1,3\n")
        // Shard 1 from another grid: refused, naming the file and the parameters.
        var other = Self.phase
        other[other.firstIndex(of: "0:0.3:11")!] = "0:0.2:11"
        _ = try CLI.run(other + ["--out", directory.path, "--shard-index", "1", "--shard-count", "4"])
        let foreign = try CLI.run(["merge", directory.path])
        #expect(foreign.status == 1 && foreign.stderr.contains("shard-0001-of-0004.json was run with different parameters"), "\(foreign.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("phase.csv").path))
    }

    @Test func shardsDefaultFromSlurmAndBadShardsExit64() throws {
        let directory = Self.temporary("slurm")
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try CLI.run(Self.phase + ["--out", directory.path, "--format", "json"],
                              environment: ["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "5"])
        #expect(run.json?["shard_index"] as? Int == 2 && run.json?["shard_count"] as? Int == 5, "\(run.stdout) \(run.stderr)")
        let bad = try CLI.run(Self.phase + ["--out", directory.path, "--shard-index", "5", "--shard-count", "5"])
        #expect(bad.status == 64 && bad.stderr.contains("shard-index"))
    }

    @Test func slurmScriptSubmitsTheMissingShardsAndADependentMerge() throws {
        let script = try CLI.run(["slurm", "--shards", "4", "--", "meanfield", "phase", "--activation", "tanh",
                                  "--sigma-w2", "0.5:4:200", "--sigma-b2", "0:0.3:200", "--out", "/scratch/phase"])
        #expect(script.status == 0, "\(script.stderr)")
        for fragment in ["--list-missing --shard-count 4", "--array=\"$MISSING\"", "--dependency=afterok:", "--shard-count 4",
                         "SLURM_CPUS_PER_TASK", "merge \"$DIR\""] {
            #expect(script.stdout.contains(fragment), "\(fragment)")
        }
        let notSweep = try CLI.run(["slurm", "--shards", "4", "--", "meanfield", "point", "--activation", "tanh"])
        #expect(notSweep.status == 64)
    }

    @Test(arguments: [
        ["simulate", "lengths", "--activation", "tanh", "--sigma-w2", "1.69", "--sigma-b2", "0.09", "--q1", "1", "--width", "40",
         "--depth", "3", "--trials", "7", "--batch", "2", "--seed", "3", "--format", "json", "--quiet"],
        ["simulate", "correlations", "--activation", "tanh", "--sigma-w2", "1.69", "--sigma-b2", "0.09", "--q1", "1", "--c1", "0.5",
         "--width", "30", "--depth", "3", "--trials", "6", "--format", "json", "--quiet"],
        ["embedding", "simulate", "--activation", "tanh", "--sigma-w2", "6.25", "--sigma-b2", "0.09", "--k", "2", "--depth", "3",
         "--width", "40", "--nets", "5", "--points", "9", "--format", "csv", "--quiet"],
    ])
    func mergedEnsembleShardsPrintTheUnshardedOutput(command: [String]) throws {
        let whole = try CLI.run(command)
        #expect(whole.status == 0, "\(whole.stderr)")
        for count in [3, 8] {
            let directory = Self.temporary("ensemble")
            defer { try? FileManager.default.removeItem(at: directory) }
            for index in 0..<count {
                let run = try CLI.run(command + ["--shard-dir", directory.path, "--shard-index", String(index), "--shard-count", String(count)])
                #expect(run.status == 0, "\(run.stderr)")
            }
            let merged = try CLI.run(["merge", directory.path])
            #expect(merged.status == 0, "\(merged.stderr)")
            #expect(merged.stdout == whole.stdout, "\(command[0]) \(command[1]), \(count) shards")
        }
    }

    @Test func anEnsembleCellThatIsNotANumberIsRefusedNotReadAsNaN() throws {
        // The first releases merged a cell "x" as NaN, silently (exit 0): the manifest's SHA-256
        // is recomputed here so that only the cell check stands between the edit and the report.
        let command = ["simulate", "lengths", "--activation", "tanh", "--sigma-w2", "1.69", "--sigma-b2", "0.09", "--q1", "1",
                       "--width", "20", "--depth", "2", "--trials", "4", "--seed", "3", "--format", "json", "--quiet"]
        let directory = Self.temporary("ensemble-cell")
        defer { try? FileManager.default.removeItem(at: directory) }
        for index in 0..<2 {
            let run = try CLI.run(command + ["--shard-dir", directory.path, "--shard-index", String(index), "--shard-count", "2"])
            #expect(run.status == 0, "\(run.stderr)")
        }
        let csvURL = directory.appendingPathComponent("shard-0001-of-0002.csv")
        let jsonURL = directory.appendingPathComponent("shard-0001-of-0002.json")
        let original = try String(contentsOf: csvURL, encoding: .utf8)
        var lines = original.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var cells = lines[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        cells[1] = "x"
        lines[1] = cells.joined(separator: ",")
        let edited = lines.joined(separator: "\n")
        try Data(edited.utf8).write(to: csvURL)
        let manifest = try String(contentsOf: jsonURL, encoding: .utf8)
            .replacingOccurrences(of: SHA256.hex(original.utf8), with: SHA256.hex(edited.utf8))
        try Data(manifest.utf8).write(to: jsonURL)
        let merged = try CLI.run(["merge", directory.path])
        #expect(merged.status == 1 && merged.stderr.contains("holds 'x', not a number"), "\(merged.status) \(merged.stderr)")
        #expect(merged.stdout.isEmpty)
    }

    /// Runs the phase sweep as 4 shards into a new directory.
    func shardedPhase() throws -> URL {
        let directory = Self.temporary("proof")
        for index in 0..<4 {
            let run = try CLI.run(Self.phase + ["--out", directory.path, "--shard-index", String(index), "--shard-count", "4"])
            #expect(run.status == 0, "\(run.stderr)")
        }
        return directory
    }

    @Test func truncatedAndSwappedShardsAreRefusedAndRecomputed() throws {
        // The first release merged a truncated shard CSV (a half row in phase.csv, exit 0), merged
        // a shard whose file was another's, and a rerun skipped both as "already complete".
        let directory = try shardedPhase()
        defer { try? FileManager.default.removeItem(at: directory) }
        let csv1 = directory.appendingPathComponent("shard-0001-of-0004.csv")
        let intact = try Data(contentsOf: csv1)
        // Truncated in the middle of a row.
        try intact.prefix(intact.count - 17).write(to: csv1)
        let truncated = try CLI.run(["merge", directory.path])
        #expect(truncated.status == 1 && truncated.stderr.contains("shard-0001-of-0004.csv is not the file its manifest describes"),
                "\(truncated.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("phase.csv").path))
        // Replaced by another shard's content.
        try Data(contentsOf: directory.appendingPathComponent("shard-0002-of-0004.csv")).write(to: csv1)
        let swapped = try CLI.run(["merge", directory.path])
        #expect(swapped.status == 1 && swapped.stderr.contains("rerun shard 1"), "\(swapped.stderr)")
        // Both files of shard 2 copied over shard 3's names.
        for ext in ["csv", "json"] {
            let from = directory.appendingPathComponent("shard-0002-of-0004.\(ext)"), to = directory.appendingPathComponent("shard-0003-of-0004.\(ext)")
            try FileManager.default.removeItem(at: to)
            try FileManager.default.copyItem(at: from, to: to)
        }
        let copied = try CLI.run(["merge", directory.path])
        #expect(copied.status == 1, "\(copied.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("phase.csv").path))
        // A rerun recomputes the broken shards and the merge is the unsharded bytes again.
        for index in [1, 3] {
            let run = try CLI.run(Self.phase + ["--out", directory.path, "--shard-index", String(index), "--shard-count", "4", "--format", "json"])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.json?["skipped"] as? Bool != true, "shard \(index) was skipped: \(run.stdout)")
        }
        #expect(try Data(contentsOf: csv1) == intact)
        let merged = try CLI.run(["merge", directory.path])
        #expect(merged.status == 0, "\(merged.stderr)")
        let whole = Self.temporary("whole-proof")
        defer { try? FileManager.default.removeItem(at: whole) }
        _ = try CLI.run(Self.phase + ["--out", whole.path])
        #expect(try Data(contentsOf: directory.appendingPathComponent("phase.csv")) == Data(contentsOf: whole.appendingPathComponent("phase.csv")))
    }

    @Test func manifestsRecordRowsHashAndKernels() throws {
        let directory = try shardedPhase()
        defer { try? FileManager.default.removeItem(at: directory) }
        let manifest = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: directory.appendingPathComponent("shard-0000-of-0004.json"))) as? [String: Any])
        let csv = try Data(contentsOf: directory.appendingPathComponent("shard-0000-of-0004.csv"))
        #expect(manifest["data_rows"] as? Int == 3 * 15)  // rows 0, 4, 8 of 11, 15 points each
        // SHA-256 against the system's sha256sum (coreutils), an independent implementation.
        let sum = Process()
        sum.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        sum.arguments = [directory.appendingPathComponent("shard-0000-of-0004.csv").path]
        let pipe = Pipe()
        sum.standardOutput = pipe
        try sum.run()
        sum.waitUntilExit()
        let expected = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).prefix(64)
        #expect(manifest["data_sha256"] as? String == String(expected))
        #expect(!csv.isEmpty)
        let run = try #require(manifest["run"] as? [String: Any])
        #expect((run["kernels"] as? String)?.contains("OpenBLAS") == true)
    }

    @Test func shardsFromAnotherKernelFamilyMergeWithANote() throws {
        // Shard 0 with the AVX2 family forced: the merge accepts it, says so, and records each
        // shard's kernels; the values agree with the native run to the stated accuracy.
        let directory = Self.temporary("families")
        defer { try? FileManager.default.removeItem(at: directory) }
        for index in 0..<2 {
            let environment = index == 0 ? ["NEURODYN_ISA": "x86-64", "OPENBLAS_CORETYPE": "Prescott"] : [:]
            let run = try CLI.run(Self.phase + ["--out", directory.path, "--shard-index", String(index), "--shard-count", "2"],
                                  environment: environment)
            #expect(run.status == 0, "\(run.stderr)")
        }
        let merged = try CLI.run(["merge", directory.path])
        #expect(merged.status == 0, "\(merged.stderr)")
        let manifest = try String(contentsOf: directory.appendingPathComponent("run.json"), encoding: .utf8)
        let mixed = manifest.contains("shard_kernels")
        // On a CPU whose own family is the baseline both shards agree and nothing is noted.
        #expect(mixed == merged.stderr.contains("different kernel families"), "\(merged.stderr)")
        let whole = Self.temporary("families-whole")
        defer { try? FileManager.default.removeItem(at: whole) }
        _ = try CLI.run(Self.phase + ["--out", whole.path])
        let a = try String(contentsOf: directory.appendingPathComponent("phase.csv"), encoding: .utf8).split(separator: "\n")
        let b = try String(contentsOf: whole.appendingPathComponent("phase.csv"), encoding: .utf8).split(separator: "\n")
        #expect(a.count == b.count)
        for (x, y) in zip(a.dropFirst(), b.dropFirst()) {
            for (u, v) in zip(x.split(separator: ",", omittingEmptySubsequences: false), y.split(separator: ",", omittingEmptySubsequences: false)) {
                if let p = Double(u), let q = Double(v) { #expect(abs(p - q) <= 1e-10 * max(abs(q), 1e-300) + 1e-300, "\(x) vs \(y)") }
                else { #expect(u == v) }
            }
        }
    }
}
