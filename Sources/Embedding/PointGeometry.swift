/// The geometry of a k-dimensional manifold at one point, from the inner products of its
/// tangent vectors v_a = d_a h and second derivatives a_ab = d_a d_b h (<doc:Geometry>).
///
/// With the local Gram matrix G of the point's columns (h, v_1..v_k, a_ab for a <= b):
/// metric g_ab = v_a . v_b; normal parts n_ab = a_ab - v_e g^{ef} (v_f . a_ab), so
/// n_ab . n_cd = a_ab . a_cd - (a_ab . v_e) g^{ef} (v_f . a_cd); second fundamental form
/// |II|^2 = g^{ac} g^{bd} n_ab . n_cd; mean curvature |H|^2 = |g^{ab} n_ab|^2; scalar curvature
/// by the Gauss equation R = |H|^2 - |II|^2 (flat ambient space). For a curve |II|^2 = |H|^2 = kappa^2
/// = ((v.v)(a.a) - (v.a)^2)/(v.v)^3 and R = 0.
struct PointGeometry {
    let k: Int
    /// g_ab, k x k row-major.
    var metric: [Double]
    var secondFundamentalForm: Double
    var meanCurvature: Double
    var scalarCurvature: Double { meanCurvature - secondFundamentalForm }

    /// Index of a_ab (a <= b) among the point's columns.
    static func secondIndex(_ a: Int, _ b: Int, k: Int) -> Int {
        let (i, j) = a <= b ? (a, b) : (b, a)
        return 1 + k + i * k - i * (i - 1) / 2 + (j - i)
    }

    /// `gram` is the m x m local Gram matrix, m = 1 + k + k(k+1)/2.
    init(gram: UnsafeBufferPointer<Double>, k: Int) {
        let m = 1 + k + k * (k + 1) / 2
        self.k = k
        metric = (0..<(k * k)).map { gram[(1 + $0 / k) * m + 1 + $0 % k] }
        let inverse = invertSymmetric(metric, size: k)
        func normal(_ a: Int, _ b: Int, _ c: Int, _ d: Int) -> Double {
            let p = Self.secondIndex(a, b, k: k), q = Self.secondIndex(c, d, k: k)
            var value = gram[p * m + q]
            for e in 0..<k {
                for f in 0..<k { value -= gram[p * m + 1 + e] * inverse[e * k + f] * gram[(1 + f) * m + q] }
            }
            return value
        }
        var ii = 0.0, h = 0.0
        for a in 0..<k {
            for b in 0..<k {
                for c in 0..<k {
                    for d in 0..<k {
                        let n = normal(a, b, c, d)
                        ii += inverse[a * k + c] * inverse[b * k + d] * n
                        h += inverse[a * k + b] * inverse[c * k + d] * n
                    }
                }
            }
        }
        secondFundamentalForm = ii
        meanCurvature = h
    }
}

/// Inverse of a small symmetric positive definite matrix (Gauss-Jordan; k <= 3 here).
func invertSymmetric(_ matrix: [Double], size n: Int) -> [Double] {
    var a = matrix, inverse = [Double](repeating: 0, count: n * n)
    for i in 0..<n { inverse[i * n + i] = 1 }
    for column in 0..<n {
        let pivot = (column..<n).max { abs(a[$0 * n + column]) < abs(a[$1 * n + column]) }!
        if pivot != column {
            for j in 0..<n {
                a.swapAt(pivot * n + j, column * n + j)
                inverse.swapAt(pivot * n + j, column * n + j)
            }
        }
        let scale = 1 / a[column * n + column]
        for j in 0..<n { a[column * n + j] *= scale; inverse[column * n + j] *= scale }
        for i in 0..<n where i != column {
            let factor = a[i * n + column]
            for j in 0..<n { a[i * n + j] -= factor * a[column * n + j]; inverse[i * n + j] -= factor * inverse[column * n + j] }
        }
    }
    return inverse
}

/// Eigenvalues of B^{-1} A for symmetric A and positive definite B (k x k, k <= 3): those of
/// L^{-1} A L^{-T} with B = L L^T, by cyclic Jacobi rotations.
func relativeEigenvalues(_ a: [Double], to b: [Double], size n: Int) -> [Double] {
    var l = [Double](repeating: 0, count: n * n)
    for j in 0..<n {
        var d = b[j * n + j]
        for k in 0..<j { d -= l[j * n + k] * l[j * n + k] }
        l[j * n + j] = d.squareRoot()
        for i in (j + 1)..<n {
            var s = b[i * n + j]
            for k in 0..<j { s -= l[i * n + k] * l[j * n + k] }
            l[i * n + j] = s / l[j * n + j]
        }
    }
    // X = L^{-1} A, then S = X L^{-T} = L^{-1} (L^{-1} A)^T.
    func solveLower(_ rhs: [Double]) -> [Double] {
        var x = rhs
        for c in 0..<n {
            for i in 0..<n {
                var s = x[i * n + c]
                for k in 0..<i { s -= l[i * n + k] * x[k * n + c] }
                x[i * n + c] = s / l[i * n + i]
            }
        }
        return x
    }
    let x = solveLower(a)
    let transposed = (0..<(n * n)).map { x[($0 % n) * n + $0 / n] }
    var s = solveLower(transposed)
    for _ in 0..<50 {
        var off = 0.0
        for p in 0..<n { for q in (p + 1)..<n { off += s[p * n + q] * s[p * n + q] } }
        if off < 1e-30 { break }
        for p in 0..<n {
            for q in (p + 1)..<n where s[p * n + q] != 0 {
                let theta = (s[q * n + q] - s[p * n + p]) / (2 * s[p * n + q])
                let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                let c = 1 / (t * t + 1).squareRoot(), sn = t * c
                for k in 0..<n {
                    let (skp, skq) = (s[k * n + p], s[k * n + q])
                    s[k * n + p] = c * skp - sn * skq
                    s[k * n + q] = sn * skp + c * skq
                }
                for k in 0..<n {
                    let (spk, sqk) = (s[p * n + k], s[q * n + k])
                    s[p * n + k] = c * spk - sn * sqk
                    s[q * n + k] = sn * spk + c * sqk
                }
            }
        }
    }
    return (0..<n).map { s[$0 * n + $0] }
}
