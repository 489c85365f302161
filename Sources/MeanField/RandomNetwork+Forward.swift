import Activations
import Foundation
import GSLKit

extension RandomNetwork {
    /// One network's forward pass. Network `network` of run `seed` draws everything from
    /// GSL's MT19937 seeded by `SplitMix64.derive(base: seed, index: network)`; each layer takes,
    /// in order, its N_l biases (when sigma_b^2 > 0) and then W^l row by row (or, for
    /// ``WeightSampling/kernel``, the N_l x B standard normals of its rows). After each layer
    /// `observe(layer, gram, h)` sees the Gram matrix q_hat = h^T h / N_l (B x B) and h (N_l x B,
    /// row-major); tangent columns are then rescaled to q_hat = 1. With `lengthsOnly`, only the
    /// diagonal of the Gram matrix is computed (O(N B) instead of O(N B^2)) and the rest is 0.
    public func forward(network: Int, seed: UInt64, input: NetworkInput, sampling: WeightSampling = .automatic,
                        lengthsOnly: Bool = false,
                        observe: (_ layer: Int, _ gram: UnsafeBufferPointer<Double>, _ h: UnsafeBufferPointer<Double>) -> Void) {
        if case .preactivations(let values) = input.source {
            precondition(values.count == widths[0] * input.batch, "h^1 must be N_1 x B = \(widths[0]) x \(input.batch)")
        }
        if case .given(let weights) = sampling {
            precondition((try? weights.validate(for: self, input: input)) != nil, "the given weights must match the network's widths")
        }
        let workspace = ForwardWorkspace(network: self, input: input, sampling: sampling, lengthsOnly: lengthsOnly)
        let stream = GaussianStream(seed: SplitMix64.derive(base: seed, index: UInt64(network)))
        workspace.run(stream: stream, observe: observe)
    }

    /// Bytes one forward pass holds (the buffers of ``ForwardWorkspace``).
    public func workspaceBytes(input: NetworkInput, sampling: WeightSampling) -> Double {
        workspaceBytes(batch: input.batch, signalDimension: input.signalDimension, sampling: sampling)
    }

    /// Bytes one forward pass of `batch` columns holds, before any input exists (for preflights);
    /// `signalDimension` when the input is signals sent through a first layer of weights.
    public func workspaceBytes(batch: Int, signalDimension: Int? = nil, sampling: WeightSampling) -> Double {
        Double(ForwardWorkspace.layout(network: self, batch: batch, signalDimension: signalDimension, sampling: sampling).total)
            * Double(MemoryLayout<Double>.size)
    }
}

/// One task's buffers: states h^l and layer inputs A (N x B), the weight block (or the normals
/// of the kernel route), the biases and the Gram matrix. Reused across layers; not shared.
final class ForwardWorkspace {
    let network: RandomNetwork
    let input: NetworkInput
    let sampling: WeightSampling
    let lengthsOnly: Bool
    let rowsPerBlock: Int
    let batch: Int
    let state: UnsafeMutableBufferPointer<Double>
    let layerInput: UnsafeMutableBufferPointer<Double>
    let block: UnsafeMutableBufferPointer<Double>
    let bias: UnsafeMutableBufferPointer<Double>
    let gram: UnsafeMutableBufferPointer<Double>
    /// Columns that get a bias (states), as 1 or 0.
    let biasMask: [Double]
    let columnPlan: ColumnPlan

    struct Layout {
        var state: Int, layerInput: Int, block: Int, bias: Int, gram: Int, rowsPerBlock: Int
        var total: Int { state + layerInput + block + bias + gram }
    }

    static func layout(network: RandomNetwork, input: NetworkInput, sampling: WeightSampling) -> Layout {
        layout(network: network, batch: input.batch, signalDimension: input.signalDimension, sampling: sampling)
    }

    static func layout(network: RandomNetwork, batch b: Int, signalDimension: Int?, sampling: WeightSampling) -> Layout {
        let widest = network.widths.max()!
        var fanIns = Array(network.widths.dropLast())
        if let signalDimension { fanIns.append(signalDimension) }
        let widestIn = fanIns.max() ?? 0
        var rows = 0, block = widest * b
        switch sampling {
        case .kernel, .given:
            break
        case .full:
            rows = widest
            block = Swift.max(block, widest * widestIn)
        case .streamed(let requested):
            // About 2 MiB of weights per block, in multiples of 64 rows, and at least B rows so
            // that OpenBLAS's packing of the layer input (fan-in x B) is amortised over the block.
            rows = requested ?? Swift.max(64, (1 << 18) / Swift.max(widestIn, 1) / 64 * 64, (b + 63) / 64 * 64)
            block = Swift.max(block, Swift.min(rows, widest) * widestIn)
        }
        return Layout(state: widest * b, layerInput: Swift.max(widest, widestIn) * b, block: block,
                      bias: widest, gram: b * b, rowsPerBlock: rows)
    }

    init(network: RandomNetwork, input: NetworkInput, sampling: WeightSampling, lengthsOnly: Bool = false) {
        let layout = Self.layout(network: network, input: input, sampling: sampling)
        self.network = network
        self.lengthsOnly = lengthsOnly
        self.input = input
        self.sampling = sampling
        self.rowsPerBlock = layout.rowsPerBlock
        self.batch = input.batch
        state = .allocate(capacity: layout.state)
        layerInput = .allocate(capacity: layout.layerInput)
        block = .allocate(capacity: layout.block)
        bias = .allocate(capacity: layout.bias)
        gram = .allocate(capacity: layout.gram)
        biasMask = input.roles.map { $0 == .state ? 1 : 0 }
        columnPlan = ColumnPlan(input.roles)
    }

    deinit {
        for buffer in [state, layerInput, block, bias, gram] { buffer.deallocate() }
    }

    func run(stream: GaussianStream, observe: (Int, UnsafeBufferPointer<Double>, UnsafeBufferPointer<Double>) -> Void) {
        let b = batch
        for (index, width) in network.widths.enumerated() {
            if index == 0 {
                switch input.source {
                case .kernel(let kernel):
                    sampleRows(width: width, kernel: kernel, stream: stream)
                case .preactivations(let values):
                    values.withUnsafeBufferPointer { x in
                        _ = UnsafeMutableBufferPointer(rebasing: state[0..<x.count]).initialize(from: x)
                    }
                case .signals(let signals, let dimension):
                    signals.withUnsafeBufferPointer { x in
                        _ = UnsafeMutableBufferPointer(rebasing: layerInput[0..<x.count]).initialize(from: x)
                    }
                    propagate(layer: 0, fanIn: dimension, width: width, stream: stream)
                }
            } else {
                let fanIn = network.widths[index - 1]
                prepareInput(rows: fanIn)
                propagate(layer: index, fanIn: fanIn, width: width, stream: stream)
            }
            if lengthsOnly {
                gram.initialize(repeating: 0)
                for i in 0..<width {
                    for a in 0..<b { gram[a * b + a] += state[i * b + a] * state[i * b + a] }
                }
                for a in 0..<b { gram[a * b + a] /= Double(width) }
            } else {
                BLAS.gemm(m: b, n: b, k: width, alpha: 1 / Double(width), a: state.baseAddress!, transposeA: true,
                          b: state.baseAddress!, c: gram.baseAddress!)
            }
            observe(index + 1, UnsafeBufferPointer(gram), UnsafeBufferPointer(rebasing: state[0..<(width * b)]))
            for (column, role) in input.roles.enumerated() where input.renormalizesTangents && role != .state {
                let length = gram[column * b + column]
                guard length > 0, length.isFinite else { continue }
                let scale = 1 / length.squareRoot()
                for i in 0..<width { state[i * b + column] *= scale }
            }
        }
    }

    /// A = phi(h) for state columns, phi'(h_s) * h_t for tangent columns.
    private func prepareInput(rows: Int) {
        network.activation.withKernel(LayerInputLoop(
            state: UnsafeBufferPointer(state), output: layerInput, rows: rows, batch: batch, plan: columnPlan))
    }

    /// h = W A + b for layer `layer` (0-based) with fan-in `fanIn` (A in `layerInput`), into `state`.
    private func propagate(layer: Int, fanIn: Int, width: Int, stream: GaussianStream) {
        let b = batch
        if case .given(let given) = sampling {
            var slot = layer
            if case .signals = input.source {} else { slot -= 1 }
            given.weights[slot].withUnsafeBufferPointer {
                BLAS.gemm(m: width, n: b, k: fanIn, a: $0.baseAddress!, b: layerInput.baseAddress!, c: state.baseAddress!)
            }
            for i in 0..<width {
                for a in 0..<b { state[i * b + a] += given.biases[slot][i] * biasMask[a] }
            }
            return
        }
        if case .kernel = sampling {
            var g = [Double](repeating: 0, count: b * b)
            g.withUnsafeMutableBufferPointer {
                BLAS.gemm(m: b, n: b, k: fanIn, alpha: network.sigmaW2 / Double(fanIn), a: layerInput.baseAddress!, transposeA: true,
                          b: layerInput.baseAddress!, c: $0.baseAddress!)
            }
            for i in 0..<b { for j in 0..<b { g[i * b + j] += network.sigmaB2 * biasMask[i] * biasMask[j] } }
            sampleRows(width: width, kernel: g, stream: stream)
            return
        }
        let hasBias = network.sigmaB2 > 0
        if hasBias { stream.fill(UnsafeMutableBufferPointer(rebasing: bias[0..<width]), sigma: network.sigmaB2.squareRoot()) }
        let sigma = (network.sigmaW2 / Double(fanIn)).squareRoot()
        let rows = Swift.min(rowsPerBlock, width)
        var first = 0
        while first < width {
            let count = Swift.min(rows, width - first)
            stream.fill(UnsafeMutableBufferPointer(rebasing: block[0..<(count * fanIn)]), sigma: sigma)
            BLAS.gemm(m: count, n: b, k: fanIn, a: block.baseAddress!, b: layerInput.baseAddress!,
                      c: state.baseAddress! + first * b)
            first += count
        }
        if hasBias {
            for i in 0..<width {
                for a in 0..<b { state[i * b + a] += bias[i] * biasMask[a] }
            }
        }
    }

    /// Rows of `state` (width x B) i.i.d. N(0, kernel): h_i = L z_i, z_i ~ N(0, I).
    private func sampleRows(width: Int, kernel: [Double], stream: GaussianStream) {
        let b = batch
        let normals = UnsafeMutableBufferPointer(rebasing: block[0..<(width * b)])
        stream.fill(normals)
        if (0..<b).allSatisfy({ i in (0..<b).allSatisfy { j in i == j || kernel[i * b + j] == 0 } }) {
            // Uncorrelated columns: L is the diagonal of standard deviations.
            let sd = (0..<b).map { kernel[$0 * b + $0].squareRoot() }
            for i in 0..<width { for a in 0..<b { state[i * b + a] = normals[i * b + a] * sd[a] } }
            return
        }
        let factor = choleskyFactor(kernel, size: b, verify: false)!
        factor.withUnsafeBufferPointer {
            BLAS.gemm(m: width, n: b, k: b, a: normals.baseAddress!, b: $0.baseAddress!, transposeB: true, c: state.baseAddress!)
        }
    }
}

/// The next layer's input from h: phi(h) in state columns, phi'(h_s) v in tangent columns,
/// phi'(h_s) a + phi''(h_s) v_1 v_2 in second-derivative columns.
struct LayerInputLoop: KernelBody {
    let state: UnsafeBufferPointer<Double>
    let output: UnsafeMutableBufferPointer<Double>
    let rows: Int
    let batch: Int
    let plan: ColumnPlan

    @inline(__always)
    func run<K: ActivationKernel>(_ kernel: K) -> Void {
        let b = batch
        if plan.states.count == b {
            for k in 0..<(rows * b) { output[k] = kernel.valueAndSlope(state[k]).0 }
            return
        }
        // phi' and phi'' of each state, evaluated once per row and shared by its derivative
        // columns.
        let slopes = UnsafeMutableBufferPointer<Double>.allocate(capacity: 2 * b)
        defer { slopes.deallocate() }
        for i in 0..<rows {
            let row = i * b
            for a in plan.states {
                let d = kernel.derivatives(state[row + a])
                output[row + a] = d.d0
                slopes[2 * a] = d.d1
                slopes[2 * a + 1] = d.d2
            }
            var k = 0
            while k < plan.tangents.count {
                let (a, s) = (plan.tangents[k], plan.tangents[k + 1])
                output[row + a] = slopes[2 * s] * state[row + a]
                k += 2
            }
            k = 0
            while k < plan.seconds.count {
                let (a, s, t1, t2) = (plan.seconds[k], plan.seconds[k + 1], plan.seconds[k + 2], plan.seconds[k + 3])
                output[row + a] = slopes[2 * s] * state[row + a] + slopes[2 * s + 1] * state[row + t1] * state[row + t2]
                k += 4
            }
        }
    }
}

/// A batch's column roles as flat index lists: states; (column, state) per tangent;
/// (column, state, first tangent, second tangent) per second derivative.
struct ColumnPlan {
    var states: [Int] = [], tangents: [Int] = [], seconds: [Int] = []

    init(_ roles: [NetworkInput.ColumnRole]) {
        for (a, role) in roles.enumerated() {
            switch role {
            case .state: states.append(a)
            case .tangent(let s): tangents += [a, s]
            case .secondDerivative(let s, let t1, let t2): seconds += [a, s, t1, t2]
            }
        }
    }
}
