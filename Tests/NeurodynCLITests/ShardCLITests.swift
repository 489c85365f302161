import Foundation
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
}
