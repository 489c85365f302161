import Benchmark
import GSLKit
import MeanField

/// The GSL-backed pieces: one Gaussian-moment quadrature, a q* solve, c* solves by both routes,
/// OpenBLAS dgemm (1024^3, one thread: divide 2.147 GFLOP by the time for GFLOP/s), and a
/// 50 x 50 phase diagram on all cores.
let benchmarks: @Sendable () -> Void = {
    let quick = Benchmark.Configuration(metrics: [.wallClock, .mallocCountTotal], maxDuration: .seconds(3))

    Benchmark("length moments tanh q=1 (composite Gauss-Legendre)", configuration: quick) { benchmark in
        let integrator = GaussianIntegrator(activation: .tanh)
        for i in benchmark.scaledIterations { blackHole(integrator.length(q: 1 + 1e-9 * Double(i))) }
    }

    Benchmark("q* solve tanh (1.69, 0.09) from q0=1", configuration: quick) { benchmark in
        let integrator = GaussianIntegrator(activation: .tanh)
        let model = try MeanFieldModel(activation: .tanh, sigmaW2: 1.69, sigmaB2: 0.09)
        for _ in benchmark.scaledIterations { blackHole(try model.qStar(from: 1, using: integrator)) }
    }

    Benchmark("c* solve tanh (6.25, 0.09) Mehler series", configuration: quick) { benchmark in
        let integrator = GaussianIntegrator(activation: .tanh)
        let model = try MeanFieldModel(activation: .tanh, sigmaW2: 6.25, sigmaB2: 0.09)
        let q = try model.qStar(from: 1, using: integrator)
        let chi1 = model.chi1(at: q, using: integrator)
        for _ in benchmark.scaledIterations { blackHole(try model.cStar(qStar: q, chi1: chi1, using: integrator)) }
    }

    Benchmark("c* solve tanh (6.25, 0.09) direct 2-D quadrature", configuration: quick) { benchmark in
        let integrator = GaussianIntegrator(activation: .tanh)
        let model = try MeanFieldModel(activation: .tanh, sigmaW2: 6.25, sigmaB2: 0.09)
        let q = try model.qStar(from: 1, using: integrator)
        let chi1 = model.chi1(at: q, using: integrator)
        for _ in benchmark.scaledIterations { blackHole(try model.cStar(qStar: q, chi1: chi1, solver: .direct, using: integrator)) }
    }

    Benchmark("dgemm 1024x1024x1024 OpenBLAS 1 thread",
              configuration: .init(metrics: [.wallClock], maxDuration: .seconds(5))) { benchmark in
        BLAS.threads = 1
        let n = 1024
        let a = (0..<(n * n)).map { Double($0 % 17) * 0.01 }
        let b = (0..<(n * n)).map { Double($0 % 13) * 0.02 }
        var c = [Double](repeating: 0, count: n * n)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { BLAS.gemm(m: n, n: n, k: n, a: a, b: b, c: &c) }
        benchmark.stopMeasurement()
        blackHole(c)
    }

    Benchmark("phase diagram tanh 50x50 (all cores)",
              configuration: .init(metrics: [.wallClock], maxDuration: .seconds(5))) { benchmark in
        let diagram = try PhaseDiagram(activation: .tanh, sigmaW2: GridAxis(lower: 0.5, upper: 4, count: 50),
                                       sigmaB2: GridAxis(lower: 0, upper: 0.3, count: 50))
        for _ in benchmark.scaledIterations { blackHole(diagram.solve()) }
    }

    // One streamed layer of width 4096 (W^2 generated in blocks and multiplied): 2 N^2 B flops,
    // so GFLOP/s = 2 * 4096^2 * B / 1e9 / median seconds, against the dgemm benchmark above.
    for batch in [16, 256, 1024] {
        Benchmark("random network layer N=4096 B=\(batch) streamed (1 thread)",
                  configuration: .init(metrics: [.wallClock], maxDuration: .seconds(5))) { benchmark in
            BLAS.threads = 1
            let network = try RandomNetwork(activation: .tanh, sigmaW2: 1.69, sigmaB2: 0.09, widths: [4096, 4096])
            let input = try NetworkInput.orthogonal(q1: 1, batch: batch)
            for i in benchmark.scaledIterations {
                network.forward(network: i, seed: 1, input: input, lengthsOnly: true) { _, gram, _ in blackHole(gram[0]) }
            }
        }
    }

    Benchmark("GaussianStream 1M normals (MT19937 + ziggurat)", configuration: quick) { benchmark in
        let stream = GaussianStream(seed: 1)
        let buffer = UnsafeMutableBufferPointer<Double>.allocate(capacity: 1 << 20)
        defer { buffer.deallocate() }
        for _ in benchmark.scaledIterations { stream.fill(buffer); blackHole(buffer[0]) }
    }
}
