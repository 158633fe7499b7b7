/// Small dense symmetric-positive-definite algebra for Newton steps and
/// covariance matrices (sizes are the number of coefficients, so O(p³) is cheap).
enum DenseSPD {
    /// Cholesky factor L (row-major, lower) of the d×d matrix `a`, or nil when
    /// `a` is not numerically positive definite.
    static func cholesky(_ a: [Double], _ d: Int) -> [Double]? {
        var l = [Double](repeating: 0, count: d * d)
        var maxDiag = 0.0
        for i in 0..<d { maxDiag = max(maxDiag, abs(a[i * d + i])) }
        for j in 0..<d {
            var s = a[j * d + j]
            for k in 0..<j { s -= l[j * d + k] * l[j * d + k] }
            guard s > 1e-13 * max(maxDiag, 1e-300) else { return nil }
            let ljj = s.squareRoot()
            l[j * d + j] = ljj
            for i in (j + 1)..<max(j + 1, d) {
                var t = a[i * d + j]
                for k in 0..<j { t -= l[i * d + k] * l[j * d + k] }
                l[i * d + j] = t / ljj
            }
        }
        return l
    }

    /// Solves (L Lᵀ) x = b.
    static func solve(cholesky l: [Double], _ d: Int, _ b: [Double]) -> [Double] {
        var z = b
        for i in 0..<d {
            var s = z[i]
            for k in 0..<i { s -= l[i * d + k] * z[k] }
            z[i] = s / l[i * d + i]
        }
        for i in stride(from: d - 1, through: 0, by: -1) {
            var s = z[i]
            for k in (i + 1)..<max(i + 1, d) { s -= l[k * d + i] * z[k] }
            z[i] = s / l[i * d + i]
        }
        return z
    }

    /// Inverse of an SPD matrix from its Cholesky factor (row-major).
    static func inverse(cholesky l: [Double], _ d: Int) -> [Double] {
        var inv = [Double](repeating: 0, count: d * d)
        for j in 0..<d {
            var e = [Double](repeating: 0, count: d); e[j] = 1
            let col = solve(cholesky: l, d, e)
            for i in 0..<d { inv[i * d + j] = col[i] }
        }
        return inv
    }
}
