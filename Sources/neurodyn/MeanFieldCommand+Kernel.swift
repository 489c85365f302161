import ArgumentParser
import Foundation
import GSLKit
import MeanField
import RunOutput

extension MeanFieldCommand {
    struct Kernel: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The infinite-width NNGP and NTK kernels of a dataset.",
            discussion: """
                Network: h^1 = W^1 x + b^1, W^1_ij ~ N(0, sigma_w^2/d); h^l = W^l phi(h^{l-1}) + b^l,
                W^l_ij ~ N(0, sigma_w^2/N); L = --depth layers in all (1: the input layer alone).
                nngp: Sigma^L_ij = E[h^L(x_i) h^L(x_j)] per unit; ntk: Theta^L in the NTK
                parameterization (Jacot et al. 2018, neural-tangents' default), Theta^1 = Sigma^1,
                Theta^{l+1} = Sigma^{l+1} + sigma_w^2 E[phi'(u) phi'(v)] Theta^l. Closed forms where
                the activation has them (relu, erf, leaky relu, ...), the project's quadrature otherwise.
                neural-tangents' W_std and b_std are standard deviations: sigma_w2 = W_std^2.
                JSON: the parameters, layer, nngp and ntk (n x n); with --all-layers, layers: [{layer,
                nngp, ntk}] for l = 1...L. CSV: i, j, nngp, ntk for i <= j. --out DIR writes nngp.npy
                and ntk.npy (float64, n x n, of layer L) atomically.
                """)

        @OptionGroup var model: ModelOptions
        @Option(parsing: .unconditional, help: "Layers L (>= 1).")
        var depth: Int
        @Option(help: "The inputs: one per line, d values separated by commas or spaces ('#' lines skipped).")
        var inputs: String
        @Flag(help: "Every layer's kernels in the JSON, not only layer L's.")
        var allLayers = false
        @Option(help: "Directory for nngp.npy and ntk.npy.")
        var out: String?
        @Option(parsing: .unconditional, help: "Worker threads (default: all cores); the kernels do not depend on it.")
        var threads: Int?
        @OptionGroup var progress: ProgressOptions
        @OptionGroup var output: FormatOptions

        func validate() throws {
            try requireValidThreads(threads)
            if depth < 1 { throw ValidationError("invalid depth: must be >= 1 (1 = the input layer alone), got \(depth)") }
        }

        func run() throws {
            let model = try model.model()
            let (points, dimension) = try PointsFile.read(inputs)
            let kernels = try model.datasetKernels(inputs: points, dimension: dimension, depth: depth, allLayers: allLayers,
                                                   threads: threads, progress: progress.handler(label: "kernel rows"))
            let n = kernels.count
            if let out {
                let directory = URL(fileURLWithPath: out)
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                try AtomicFile.write(NumpyArray.data(kernels.finalNNGP, rows: n, columns: n), to: directory.appendingPathComponent("nngp.npy"))
                try AtomicFile.write(NumpyArray.data(kernels.finalNTK, rows: n, columns: n), to: directory.appendingPathComponent("ntk.npy"))
            }
            let matrix = { (values: [Double]) -> JSONValue in
                .array((0..<n).map { i in .array((0..<n).map { .number(values[i * n + $0]) }) })
            }
            let parameters: [(String, JSONValue)] = [
                ("activation", .string(model.activation.name)), ("sigma_w2", .number(model.sigmaW2)),
                ("sigma_b2", .number(model.sigmaB2)), ("depth", .int(depth)), ("inputs", .int(n)), ("dimension", .int(dimension))]
            switch output.format {
            case .json:
                var pairs = parameters + [("layer", .int(depth)), ("nngp", matrix(kernels.finalNNGP)), ("ntk", matrix(kernels.finalNTK))]
                if allLayers {
                    pairs.append(("layers", .array(kernels.layers.indices.map { k in
                        .object([("layer", .int(kernels.layers[k])), ("nngp", matrix(kernels.nngp[k])), ("ntk", matrix(kernels.ntk[k]))])
                    })))
                }
                JSONValue.object(pairs).print()
            case .csv:
                var table = CSVTable(columns: ["i", "j", "nngp", "ntk"])
                for i in 0..<n {
                    for j in i..<n { table.append([.int(i), .int(j), .number(kernels.finalNNGP[i * n + j]), .number(kernels.finalNTK[i * n + j])]) }
                }
                print(table.text, terminator: "")
            case .table:
                let diagonal = (0..<n).map { kernels.finalNNGP[$0 * n + $0] }
                print(TableText.keyValues([("activation", model.activation.name), ("inputs", "\(n) of dimension \(dimension)"),
                                           ("layer", "\(depth)"),
                                           ("nngp diagonal", diagonal.prefix(4).map(TableText.number).joined(separator: ", ") + (n > 4 ? ", ..." : "")),
                                           ("ntk diagonal", (0..<min(n, 4)).map { TableText.number(kernels.finalNTK[$0 * n + $0]) }.joined(separator: ", ") + (n > 4 ? ", ..." : ""))]),
                      terminator: "")
            }
        }
    }
}
