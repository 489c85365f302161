import Activations
import Foundation
import GSLKit

/// An inclusive, evenly spaced range of `count` values from `lower` to `upper` (count = 1: `lower` alone).
public struct GridAxis: Sendable, Equatable {
    public var lower: Double
    public var upper: Double
    public var count: Int

    public init(lower: Double, upper: Double, count: Int) throws(MeanFieldError) {
        guard lower.isFinite, upper.isFinite else {
            throw .invalidParameter(name: "range", reason: "bounds must be finite")
        }
        guard count >= 1 else { throw .invalidParameter(name: "range", reason: "COUNT must be >= 1, got \(count)") }
        guard upper >= lower else { throw .invalidParameter(name: "range", reason: "HI (\(upper)) < LO (\(lower))") }
        self.lower = lower
        self.upper = upper
        self.count = count
    }

    public subscript(index: Int) -> Double {
        count == 1 ? lower : lower + (upper - lower) * Double(index) / Double(count - 1)
    }

    public var values: [Double] { (0..<count).map { self[$0] } }
}

/// The outcome of one grid point: never a thrown error, so one bad point cannot kill a sweep.
public enum PointStatus: String, Sendable, Codable {
    case ok
    case noFixedPoint = "no_fixed_point"
    case noConvergence = "no_convergence"
    case invalid
}

/// One row of a phase diagram.
public struct PhasePoint: Sendable, Equatable {
    public var sigmaW2: Double
    public var sigmaB2: Double
    public var status: PointStatus
    /// Present when status is ok.
    public var analysis: PointAnalysis?
    /// The error's message when status is not ok.
    public var message: String?
}

/// A (sigma_w^2, sigma_b^2) sweep of ``MeanFieldModel/analyse(q0:qGuess:solver:using:)``.
public struct PhaseDiagram: Sendable {
    public var activation: Activation
    public var sigmaW2: GridAxis
    public var sigmaB2: GridAxis
    public var q0: Double
    public var solver: CorrelationSolver

    public init(activation: Activation, sigmaW2: GridAxis, sigmaB2: GridAxis, q0: Double = 1,
                solver: CorrelationSolver = .automatic) throws(MeanFieldError) {
        guard sigmaW2.lower >= 0 else { throw .invalidParameter(name: "sigma_w2", reason: "variances must be >= 0") }
        guard sigmaB2.lower >= 0 else { throw .invalidParameter(name: "sigma_b2", reason: "variances must be >= 0") }
        guard q0 > 0, q0.isFinite else { throw .invalidParameter(name: "q0", reason: "must be finite and > 0") }
        guard sigmaW2.count.multipliedReportingOverflow(by: sigmaB2.count).partialValue <= Self.maximumPoints,
              sigmaW2.count <= Self.maximumPoints, sigmaB2.count <= Self.maximumPoints else {
            throw .invalidParameter(name: "sigma_w2 x sigma_b2",
                                    reason: "\(sigmaW2.count) x \(sigmaB2.count) points exceed \(Self.maximumPoints) in one run; split it into shards")
        }
        self.activation = activation
        self.sigmaW2 = sigmaW2
        self.sigmaB2 = sigmaB2
        self.q0 = q0
        self.solver = solver
    }

    public var count: Int { sigmaW2.count * sigmaB2.count }

    /// The largest grid one run holds in memory (about 100 bytes a point).
    public static let maximumPoints = 20_000_000

    /// The points with flat index `index` (sigma_b^2 major, sigma_w^2 minor), i.e.
    /// index = iB * sigmaW2.count + iW.
    public func parameters(at index: Int) -> (sigmaW2: Double, sigmaB2: Double) {
        (sigmaW2[index % sigmaW2.count], sigmaB2[index / sigmaW2.count])
    }

    /// Number of rows (points of equal sigma_b^2): the unit of work and of sharding.
    public var rowCount: Int { sigmaB2.count }

    /// Solves the given rows (all by default), in the order given; the points of row r are
    /// flat indices r * sigmaW2.count ..< (r + 1) * sigmaW2.count.
    ///
    /// A row is one task with its own integrator, solved left to right, each point warm-starting
    /// Newton from its left neighbours' q* (accepted only on a stable root on the right side of
    /// q0). A point's bits therefore depend on its row alone: the same for any number of
    /// threads and for any split of the rows into shards.
    public func solve(rows: [Int]? = nil, threads: Int? = nil, progress: ProgressHandler? = nil) -> [PhasePoint] {
        let rowList = rows ?? Array(0..<rowCount)
        let width = sigmaW2.count
        let results = SharedResults<PhasePoint?>(repeating: nil, count: rowList.count * width)
        parallelTasks(count: rowList.count, threads: threads, progress: progress) { task in
            let integrator = GaussianIntegrator(activation: activation)
            var previous: [Double] = []
            for column in 0..<width {
                let (w, b) = parameters(at: rowList[task] * width + column)
                // Linear extrapolation from the two left neighbours' q*.
                let guess = previous.count == 2 ? Swift.max(2 * previous[1] - previous[0], 0.5 * previous[1])
                    : previous.last
                let point = solvePoint(sigmaW2: w, sigmaB2: b, guess: guess, integrator: integrator)
                results[task * width + column] = point
                if let q = point.analysis?.qStar, q > 0 {
                    previous = (previous + [q]).suffix(2)
                } else {
                    previous = []
                }
            }
        }
        return results.array.map { $0! }
    }

    private func solvePoint(sigmaW2 w: Double, sigmaB2 b: Double, guess: Double?,
                            integrator: GaussianIntegrator) -> PhasePoint {
        do {
            let model = try MeanFieldModel(activation: activation, sigmaW2: w, sigmaB2: b)
            let analysis = try model.analyse(q0: q0, qGuess: guess, solver: solver, using: integrator)
            return PhasePoint(sigmaW2: w, sigmaB2: b, status: .ok, analysis: analysis, message: nil)
        } catch {
            let status: PointStatus = switch error {
            case .noFixedPoint: .noFixedPoint
            case .invalid: .invalid
            case .noConvergence, .noCriticalPoint: .noConvergence
            }
            return PhasePoint(sigmaW2: w, sigmaB2: b, status: status, analysis: nil, message: error.description)
        }
    }
}
