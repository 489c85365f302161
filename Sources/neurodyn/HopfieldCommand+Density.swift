import Activations
import ArgumentParser
import Foundation
import GSLKit
import Hopfield
import RunOutput

extension HopfieldCommand {
    struct Density: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The stochastic network's density over time: diffusion-machine particles and the proximal recursion (PROX-RECUR).",
            discussion: """
                Both start from theta(x0) + spread N(0, 1) in the flat chart theta = sqrt(C) Theta(x)
                and run d theta = -grad psi_theta dt + sqrt(2T) dW, psi_theta = E - (T/2) sum log a_i,
                reflected at the box. The particles give histograms; the proximal recursion carries
                pdf values on its own cloud (eps, h = --dt, beta = 1/T, delta). With n <= 3 the Gibbs
                density exp(-E/T) is the reference they relax to. --out DIR writes
                density-machine.csv, density-prox.csv, density.json and run.json.
                """)

        @OptionGroup var file: HopfieldModelOption
        @Option(parsing: .unconditional, help: "Temperature T (> 0).")
        var temperature: Double
        @Option(parsing: .unconditional, help: ArgumentHelp("Centre of the initial density (default: the middle of the box).", valueName: "X1,X2,.."),
                transform: CommaList.numbers)
        var x0: [Double]?
        @Option(parsing: .unconditional, help: "Standard deviation of the initial density in the flat chart (> 0).")
        var spread: Double = 0.1
        @Option(parsing: .unconditional, help: "Diffusion-machine particles.")
        var particles: Int = 2000
        @Option(parsing: .unconditional, help: "Points of the proximal recursion's cloud.")
        var points: Int = 400
        @Option(parsing: .unconditional, help: "Time steps.")
        var steps: Int = 1000
        @Option(parsing: .unconditional, help: "Time step h of both.")
        var dt: Double = 1e-3
        @Option(parsing: .unconditional, help: "Entropic regularisation eps of the proximal step.")
        var eps: Double = 0.05
        @Option(parsing: .unconditional, help: "Stopping tolerance delta of the proximal iterations (relative change of y and z).")
        var delta: Double = 1e-3
        @Option(name: .customLong("record-every"), parsing: .unconditional, help: "Record the densities every this many steps.")
        var recordEvery: Int = 100
        @Option(parsing: .unconditional, help: "Seed of the run (recorded); particle block b and cloud point i use streams derived from it.")
        var seed: UInt64 = 1
        @Option(parsing: .unconditional, help: "Worker threads for the particles (default: all cores); the result does not depend on it.")
        var threads: Int?
        @OptionGroup var directory: DirectoryOption
        @OptionGroup var progress: ProgressOptions
        @OptionGroup var output: FormatOptions

        func validate() throws {
            try requireValidThreads(threads)
            for (name, value) in [("particles", particles), ("points", points), ("record-every", recordEvery)] where value < 1 {
                throw ValidationError("invalid \(name): must be >= 1, got \(value)")
            }
            guard (0...10_000_000).contains(steps) else { throw ValidationError("invalid steps: must lie in 0...10000000, got \(steps)") }
        }

        func run() throws {
            let model = try file.load()
            let n = model.n
            if let x0 { try requireCount(x0, n, name: "x0") }
            let centre = x0 ?? [Double](repeating: (model.activation.range.lower + model.activation.range.upper) / 2, count: n)
            // The initial pdf values scale as spread^-n: keep them representable.
            guard spread >= 1e-100, spread <= 1e100 else {
                throw ValidationError("invalid spread: must lie in [1e-100, 1e100] (the initial density's values scale as spread^-\(n)), got \(spread)")
            }
            // Before anything is allocated: the recursion's N x N kernel and cost (and their
            // scratch), the records of both clouds, the machine's particles.
            let recordCount = steps / recordEvery + 1
            let bytes = 4 * MemoryBudget.bytes(points, points) + MemoryBudget.bytes(recordCount, points, n + 1)
                + MemoryBudget.bytes(particles, n) * (directory.out != nil ? Double(recordCount) : 2)
            if let refusal = MemoryBudget.refusal(bytes: bytes, for: "\(points) points (an N x N kernel), \(particles) particles and \(recordCount) records") {
                throw ValidationError("invalid points, particles or steps: \(refusal)")
            }
            let start = Date()
            let (machine, dynamics, prox, theta0) = (try DiffusionMachine(model: model, schedule: .constant(temperature), timeStep: dt),
                                                     try GradientDiffusion.hopfield(model, temperature: temperature),
                                                     try ProximalRecursion(epsilon: eps, step: dt, tolerance: delta),
                                                     try model.chart(centre))
            let machineStart = Date()
            let run = try machine.run(x0: centre, spread: spread, particles: particles, steps: steps, recordEvery: recordEvery, seed: seed,
                                      threads: threads, keepParticles: directory.out != nil, progress: progress.handler(label: "diffusion machine"))
            // The cloud draws from its own stream; its weights are the initial Gaussian's pdf values in the chart.
            let (cloud, weights) = try dynamics.gaussianCloud(centre: theta0, spread: spread, count: points, seed: DensityRunSeeds.cloud(seed))
            let machineSeconds = Date().timeIntervalSince(machineStart), proxStart = Date()
            let propagation = try prox.propagate(dynamics, points: cloud, weights: weights, steps: steps, recordEvery: recordEvery,
                                                 seed: DensityRunSeeds.propagation(seed),
                                                 progress: progress.handler(label: "proximal recursion"))
            let proxSeconds = Date().timeIntervalSince(proxStart)
            let gibbs = n <= 3 && model.isSymmetric ? try? model.stationary(temperature: temperature) : nil
            let outputs = propagation.points.map { model.chartInverse(rows: $0) }
            func cloudMean(_ k: Int, weighted: Bool) -> [Double] { propagation.mean(outputs[k], record: k, weighted: weighted) }
            let records = run.times.count
            let json = JSONValue.object([
                ("temperature", .number(temperature)), ("seed", .string(String(seed))), ("times", .numbers(run.times)),
                ("machine_mean_x", jsonRows(run.meanX, width: n)), ("machine_stderr_x", jsonRows(run.stderrX, width: n)),
                ("machine_mean_energy", .numbers(run.meanEnergy)), ("machine_stderr_energy", .numbers(run.stderrEnergy)),
                ("prox_mean_x", .array((0..<records).map { .numbers(cloudMean($0, weighted: false)) })),
                ("prox_weighted_mean_x", .array((0..<records).map { .numbers(cloudMean($0, weighted: true)) })),
                ("prox_mass", .numbers(propagation.weights.map { $0.reduce(0, +) })),
                ("prox_iterations", .array(propagation.iterations.map { .int($0) })), ("prox_residuals", .numbers(propagation.residuals)),
                ("gibbs_mean", gibbs.map { .numbers($0.mean) } ?? .null), ("gibbs_mean_energy", .optional(gibbs?.meanEnergy)),
                ("machine_seconds", .number(machineSeconds)), ("prox_seconds", .number(proxSeconds)),
            ])
            switch output.format {
            case .json: json.print()
            case .csv, .table:
                let header = ["t"] + (1...n).map { "machine_x\($0)" } + (1...n).map { "prox_x\($0)" } + ["machine_energy", "prox_mass"]
                let rows = (0..<records).map { k in
                    [run.times[k]] + Array(run.meanX[k * n ..< (k + 1) * n]) + cloudMean(k, weighted: false)
                        + [run.meanEnergy[k], propagation.weights[k].reduce(0, +)]
                }
                printRows(header, rows, format: output.format)
            }
            if let out = directory.out {
                var machineTable = CSVTable(columns: ["t", "particle"] + (1...n).map { "x\($0)" })
                let recorded = run.recordedX ?? []
                for k in 0..<records {
                    for p in 0..<particles {
                        machineTable.append([.number(run.times[k]), .int(p)] + (0..<n).map { .number(recorded[(k * particles + p) * n + $0]) })
                    }
                }
                var proxTable = CSVTable(columns: ["t", "point"] + (1...n).map { "theta\($0)" } + (1...n).map { "x\($0)" } + ["weight"])
                for k in 0..<propagation.times.count {
                    for p in 0..<points {
                        proxTable.append([.number(propagation.times[k]), .int(p)]
                                         + (0..<n).map { .number(propagation.points[k][p * n + $0]) }
                                         + (0..<n).map { .number(outputs[k][p * n + $0]) } + [.number(propagation.weights[k][p])])
                    }
                }
                let manifest = RunManifest(
                    command: "neurodyn hopfield density",
                    parameters: [("model", .string(file.model)), ("temperature", .number(temperature)), ("x0", .numbers(centre)),
                                 ("spread", .number(spread)), ("particles", .int(particles)), ("points", .int(points)),
                                 ("steps", .int(steps)), ("dt", .number(dt)), ("eps", .number(eps)), ("delta", .number(delta)),
                                 ("record_every", .int(recordEvery))],
                    seed: seed, versions: softwareVersions, kernels: computeKernels,
                    files: ["density-machine.csv", "density-prox.csv", "density.json"], elapsedSeconds: Date().timeIntervalSince(start))
                let url = URL(fileURLWithPath: out)
                try AtomicFile.write(machineTable.text, to: url.appendingPathComponent("density-machine.csv"))
                try AtomicFile.write(proxTable.text, to: url.appendingPathComponent("density-prox.csv"))
                try AtomicFile.write(json.serialized() + "\n", to: url.appendingPathComponent("density.json"))
                try AtomicFile.write(manifest.json.serialized() + "\n", to: url.appendingPathComponent("run.json"))
            }
        }
    }
}
