import Foundation
import MeanField
import Testing

@Suite struct PhaseDiagramTests {
    @Test func sameBitsWithOneOrTwoThreads() throws {
        let diagram = try PhaseDiagram(activation: .tanh, sigmaW2: GridAxis(lower: 0.5, upper: 4, count: 23),
                                       sigmaB2: GridAxis(lower: 0, upper: 0.3, count: 17))
        let one = diagram.solve(threads: 1), two = diagram.solve(threads: 2)
        #expect(one == two)
        #expect(one.count == 23 * 17)
        #expect(one.allSatisfy { $0.status == .ok })
    }

    @Test func gridPointsMatchSinglePointAnalysis() throws {
        // Warm starts inside a row must not change the answer.
        let diagram = try PhaseDiagram(activation: .sigmoid, sigmaW2: GridAxis(lower: 2, upper: 150, count: 9),
                                       sigmaB2: GridAxis(lower: 0, upper: 1, count: 3))
        for point in diagram.solve() {
            let single = try MeanFieldModel(activation: .sigmoid, sigmaW2: point.sigmaW2, sigmaB2: point.sigmaB2)
                .analyse(using: GaussianIntegrator(activation: .sigmoid))
            #expect(abs(point.analysis!.qStar / single.qStar - 1) < 1e-12)
            #expect(abs(point.analysis!.cStar - single.cStar) < 1e-12)
        }
    }

    @Test func onePointWithoutSolutionDoesNotStopTheSweep() throws {
        // relu at sigma_w^2 >= 2 with sigma_b^2 > 0 has no fixed point.
        let diagram = try PhaseDiagram(activation: .relu, sigmaW2: GridAxis(lower: 1, upper: 3, count: 5),
                                       sigmaB2: GridAxis(lower: 0.1, upper: 0.1, count: 1))
        let points = diagram.solve()
        #expect(points.map(\.status) == [.ok, .ok, .noFixedPoint, .noFixedPoint, .noFixedPoint])
        #expect(points[2].message?.contains("without bound") == true)
        #expect(points[2].analysis == nil)
    }

    @Test func absurdGridIsRefused() throws {
        #expect(throws: MeanFieldError.self) {
            try PhaseDiagram(activation: .tanh, sigmaW2: GridAxis(lower: 0, upper: 1, count: 100000),
                             sigmaB2: GridAxis(lower: 0, upper: 1, count: 100000))
        }
    }

    @Test func rowsSolvedApartEqualRowsSolvedTogether() throws {
        // The unit of sharding: any subset of rows, in any order, gives the same bits.
        let diagram = try PhaseDiagram(activation: .erf, sigmaW2: GridAxis(lower: 1, upper: 3, count: 4),
                                       sigmaB2: GridAxis(lower: 0, upper: 0.2, count: 3))
        let all = diagram.solve()
        let some = diagram.solve(rows: [2, 0])
        #expect(some == Array(all[8..<12]) + Array(all[0..<4]))
        #expect(diagram.parameters(at: 5) == (diagram.sigmaW2[1], diagram.sigmaB2[1]))
    }
}
