import Foundation
import MeanField
import Testing

@Suite struct PhaseDiagramTests {
    @Test func sameBitsWithOneOrTwoThreads() throws {
        let diagram = try PhaseDiagram(activation: .tanh, sigmaW2: GridAxis(parsing: "0.5:4:23", name: "w"),
                                       sigmaB2: GridAxis(parsing: "0:0.3:17", name: "b"))
        let one = diagram.solve(threads: 1), two = diagram.solve(threads: 2)
        #expect(one == two)
        #expect(one.count == 23 * 17)
        #expect(one.allSatisfy { $0.status == .ok })
    }

    @Test func gridPointsMatchSinglePointAnalysis() throws {
        // Warm starts inside a row must not change the answer.
        let diagram = try PhaseDiagram(activation: .sigmoid, sigmaW2: GridAxis(parsing: "2:150:9", name: "w"),
                                       sigmaB2: GridAxis(parsing: "0:1:3", name: "b"))
        for point in diagram.solve() {
            let single = try MeanFieldModel(activation: .sigmoid, sigmaW2: point.sigmaW2, sigmaB2: point.sigmaB2)
                .analyse(using: GaussianIntegrator(activation: .sigmoid))
            #expect(abs(point.analysis!.qStar / single.qStar - 1) < 1e-12)
            #expect(abs(point.analysis!.cStar - single.cStar) < 1e-12)
        }
    }

    @Test func onePointWithoutSolutionDoesNotStopTheSweep() throws {
        // relu at sigma_w^2 >= 2 with sigma_b^2 > 0 has no fixed point.
        let diagram = try PhaseDiagram(activation: .relu, sigmaW2: GridAxis(parsing: "1:3:5", name: "w"),
                                       sigmaB2: GridAxis(parsing: "0.1:0.1:1", name: "b"))
        let points = diagram.solve()
        #expect(points.map(\.status) == [.ok, .ok, .noFixedPoint, .noFixedPoint, .noFixedPoint])
        #expect(points[2].message?.contains("without bound") == true)
        #expect(points[2].analysis == nil)
    }

    @Test func absurdGridIsRefused() throws {
        #expect(throws: MeanFieldError.self) {
            try PhaseDiagram(activation: .tanh, sigmaW2: GridAxis(parsing: "0:1:100000", name: "w"),
                             sigmaB2: GridAxis(parsing: "0:1:100000", name: "b"))
        }
    }

    @Test func rowsSolvedApartEqualRowsSolvedTogether() throws {
        // The unit of sharding: any subset of rows, in any order, gives the same bits.
        let diagram = try PhaseDiagram(activation: .erf, sigmaW2: GridAxis(parsing: "1:3:4", name: "w"),
                                       sigmaB2: GridAxis(parsing: "0:0.2:3", name: "b"))
        let all = diagram.solve()
        let some = diagram.solve(rows: [2, 0])
        #expect(some == Array(all[8..<12]) + Array(all[0..<4]))
        #expect(diagram.parameters(at: 5) == (diagram.sigmaW2[1], diagram.sigmaB2[1]))
    }
}
