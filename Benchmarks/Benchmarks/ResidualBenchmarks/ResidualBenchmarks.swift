import Benchmark
import GSLKit
import Residual

/// circles-anode3 (DESIGN.md section 4) at the initial parameters, one thread: the loss and its
/// gradient by each benchmark route (one training step without the optimiser), and the two
/// kernels a step is made of, the field's tanh layer (1000 x 32) and its pullback.
let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(metrics: [.wallClock, .mallocCountTotal], maxDuration: .seconds(3))
    BLAS.threads = 1
    Memory.keepLargeBlocksOnTheHeap()  // as neurodyn does at start-up
    let (inputs, labels) = ResidualProblem.circlesAnode3.data()
    let (fieldParameters, readoutParameters) = ResidualProblem.initialParameters()
    let field = MLPField(parameters: fieldParameters), readout = Readout(parameters: readoutParameters)

    for (name, method) in [("rk4:10 discrete", nil), ("dopri5 1e-5 backsolve", AdjointMethod.backsolve), ("dopri5 1e-5 checkpoint", .checkpoint)] {
        Benchmark("circles-anode3 gradient, \(name)", configuration: configuration) { benchmark in
            let route = try method.map { try GradientRoute(.dopri5, controller: StepSizeController(rtol: 1e-5, atol: 1e-5, maxSteps: 100_000), method: $0) }
                ?? .discrete(.rk4, steps: 10)
            for _ in benchmark.scaledIterations {
                blackHole(try lossAndGradient(field: field, readout: readout, inputs: inputs, labels: labels, route: route, threads: 1))
            }
        }
    }

    Benchmark("field evaluation 1000 x 3 -> 32 tanh -> 3", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(field.evaluate(inputs, time: 0, batch: labels.count)) }
    }

    Benchmark("field pullback 1000 x 3 (VJP in x and theta)", configuration: configuration) { benchmark in
        let saved = field.evaluate(inputs, time: 0, batch: labels.count).saved
        var gradient = [Double](repeating: 0, count: field.parameterCount)
        for _ in benchmark.scaledIterations {
            blackHole(field.pullback(saved, cotangent: inputs, batch: labels.count, scale: 1, gradient: &gradient))
        }
    }
}
