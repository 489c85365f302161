import Foundation
import GSLKit
import Testing

@Suite struct TanhKernelTests {
    /// tanh against glibc's on a fine grid and at the edges; the slope 1 - tanh^2 against 1/cosh^2,
    /// in relative terms (the kernel keeps the slope's relative accuracy deep in saturation).
    @Test func tanhAndSlopeAgreeWithLibmToAFewUlp() {
        var z = stride(from: -25.0, through: 25.0, by: 1.0 / 1024).map { $0 }
        z += [0, -0.0, 1e-300, -5e-324, 1e-8, 0.3465735902799726, 0.34657359027997264, 18.5, 19.06, 40, -100, 300, 350, 700, -710]
        var values = [Double](repeating: .nan, count: z.count), slopes = values
        z.withUnsafeBufferPointer { z in
            values.withUnsafeMutableBufferPointer { v in slopes.withUnsafeMutableBufferPointer { VectorMath.tanhAndSlope(z, values: v, slopes: $0) } }
        }
        var worstValue = 0.0, worstSlope = 0.0
        for (x, (t, s)) in zip(z, zip(values, slopes)) {
            let exact = tanh(x)
            worstValue = max(worstValue, exact == 0 ? abs(t) : abs(t - exact) / abs(exact))
            #expect(t.sign == x.sign, "tanh(\(x)) = \(t) has the wrong sign")
            if abs(x) <= 350 {  // 1/cosh^2 is normal up to |x| ~ 354
                let c = cosh(x)
                worstSlope = max(worstSlope, abs(s - 1 / (c * c)) * c * c)
            }
        }
        // 4 ulp for tanh (measured 4.8e-16); the slope's reference 1/cosh^2 itself carries ~3 ulp.
        #expect(worstValue <= 4 * Double.ulpOfOne, "max relative error of tanh \(worstValue)")
        #expect(worstSlope <= 8 * Double.ulpOfOne, "max relative error of the slope \(worstSlope)")
    }

    @Test func nonFiniteInputsPropagateAndInfinitiesSaturate() {
        let z: [Double] = [.nan, .infinity, -.infinity]
        var values = [Double](repeating: 0, count: 3), slopes = values
        z.withUnsafeBufferPointer { z in
            values.withUnsafeMutableBufferPointer { v in slopes.withUnsafeMutableBufferPointer { VectorMath.tanhAndSlope(z, values: v, slopes: $0) } }
        }
        #expect(values[0].isNaN && slopes[0].isNaN)
        #expect(values[1] == 1 && values[2] == -1 && slopes[1] == 0 && slopes[2] == 0)
    }

    /// The kernel may run in place (values over z), as the residual field uses it.
    @Test func inPlaceEqualsOutOfPlace() {
        var generator = SplitMix64(seed: 7)
        let z = (0..<1000).map { _ in 8 * generator.nextDouble() - 4 }
        var values = [Double](repeating: 0, count: z.count), slopes = values, inPlace = z, inPlaceSlopes = values
        z.withUnsafeBufferPointer { z in
            values.withUnsafeMutableBufferPointer { v in slopes.withUnsafeMutableBufferPointer { VectorMath.tanhAndSlope(z, values: v, slopes: $0) } }
        }
        inPlace.withUnsafeMutableBufferPointer { v in
            inPlaceSlopes.withUnsafeMutableBufferPointer { VectorMath.tanhAndSlope(UnsafeBufferPointer(v), values: v, slopes: $0) }
        }
        #expect(values == inPlace && slopes == inPlaceSlopes)
    }
}

@Suite struct PerceptronKernelTests {
    /// affine, linear and pullback against naive triple loops, for the specialised input dimensions
    /// (2, 3) and a generic one (5), hidden sizes with and without a tail of the 8 lanes, and
    /// batches with and without a tail of the 8-row blocks. Only the order of summation differs.
    @Test(arguments: [(2, 32, 8), (3, 32, 21), (3, 13, 1), (5, 9, 19)])
    func kernelsMatchNaiveLoops(shape: (Int, Int, Int)) {
        let (d, h, batch) = shape
        var generator = SplitMix64(seed: UInt64(100 * d + h))
        func random(_ n: Int) -> [Double] { (0..<n).map { _ in 2 * generator.nextDouble() - 1 } }
        let x = random(batch * d), w1 = random(h * d), b1 = random(h), w2 = random(d * h), b2 = random(d), p = random(batch * d)
        let t = random(batch * h), s = random(batch * h)
        func close(_ a: [Double], _ b: [Double]) -> Bool { zip(a, b).allSatisfy { abs($0 - $1) <= 1e-13 * max(1, abs($1)) } }

        func sum(_ n: Int, _ term: (Int) -> Double) -> Double { (0..<n).reduce(0.0) { $0 + term($1) } }
        func table(_ rows: Int, _ columns: Int, _ entry: (Int, Int) -> Double) -> [Double] {
            (0..<rows).flatMap { i in (0..<columns).map { j in entry(i, j) } }
        }

        var z = [Double](repeating: .nan, count: batch * h)
        x.withUnsafeBufferPointer { x in z.withUnsafeMutableBufferPointer { Perceptron.affine(x, batch: batch, w1: w1, b1: b1, into: $0) } }
        #expect(close(z, table(batch, h) { i, j in b1[j] + sum(d) { w1[j * d + $0] * x[i * d + $0] } }))

        var f = [Double](repeating: .nan, count: batch * d)
        t.withUnsafeBufferPointer { t in f.withUnsafeMutableBufferPointer { Perceptron.linear(t, batch: batch, w2: w2, b2: b2, into: $0) } }
        #expect(close(f, table(batch, d) { i, k in b2[k] + sum(h) { w2[k * h + $0] * t[i * h + $0] } }))

        // Start the gradient from nonzero values: the kernel adds to it.
        let (dW10, db10, dW20, db20) = (random(h * d), random(h), random(d * h), random(d))
        var gradient = dW10 + db10 + dW20 + db20
        let scale = 0.37
        let xBar = x.withUnsafeBufferPointer { x in
            t.withUnsafeBufferPointer { t in
                s.withUnsafeBufferPointer { s in
                    p.withUnsafeBufferPointer { p in
                        gradient.withUnsafeMutableBufferPointer {
                            Perceptron.pullback(x, hidden: t, slopes: s, cotangent: p, batch: batch, dimension: d, w1: w1, w2: w2,
                                                scale: scale, gradient: $0)
                        }
                    }
                }
            }
        }
        let g = table(batch, h) { i, j in s[i * h + j] * sum(d) { p[i * d + $0] * w2[$0 * h + j] } }
        let xBarNaive = table(batch, d) { i, k in sum(h) { g[i * h + $0] * w1[$0 * d + k] } }
        #expect(close(xBar, xBarNaive))
        let dW1Naive = table(h, d) { j, k in dW10[j * d + k] + scale * sum(batch) { g[$0 * h + j] * x[$0 * d + k] } }
        let db1Naive = table(h, 1) { j, _ in db10[j] + scale * sum(batch) { g[$0 * h + j] } }
        let dW2Naive = table(d, h) { k, j in dW20[k * h + j] + scale * sum(batch) { p[$0 * d + k] * t[$0 * h + j] } }
        let db2Naive = table(d, 1) { k, _ in db20[k] + scale * sum(batch) { p[$0 * d + k] } }
        #expect(close(gradient, dW1Naive + db1Naive + dW2Naive + db2Naive))
    }
}
