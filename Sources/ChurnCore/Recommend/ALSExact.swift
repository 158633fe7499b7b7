import ExecutionControl

/// The exact ALS half-step (`solver = "cholesky"`), in double precision: each
/// row's normal equations (YᵀY + λI + Yᵀ(C − I)Y) x = YᵀC p are formed and solved
/// by a Cholesky factorisation, O(n_row · f² + f³) per row. The reference the CG
/// solver approximates, and the monotone-descent baseline (an exact block
/// minimisation never raises the objective).
enum ALSExact {
    /// y += alpha · x over n values (vectorises: each y[a] is independent).
    @inline(__always)
    static func axpy(_ alpha: Double, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int) {
        for a in 0..<n { y[a] += alpha * x[a] }
    }

    /// out = scale · G v for a symmetric n × n G (row-major), as a sum of G's
    /// columns (= rows) weighted by v: axpy steps, no horizontal sums.
    @inline(__always)
    static func symv(_ g: UnsafePointer<Double>, _ v: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>, _ n: Int, scale: Double) {
        out.initialize(repeating: 0, count: n)
        for b in 0..<n { axpy(scale * v[b], g + b * n, out, n) }
    }

    /// Every row's exact solution against the fixed factors Y (rows of f); rows
    /// without interactions solve (YᵀY + λI) x = 0. Fixed chunks in parallel.
    static func solve(rows: [[(Int, Double)]], fixed Y: [Double], current X: [Double], f: Int, o: ALSOptions) throws -> [Double] {
        let nFixed = Y.count / f
        var yty = [Double](repeating: 0, count: f * f)
        Y.withUnsafeBufferPointer { yb in
            yty.withUnsafeMutableBufferPointer { gb in
                let y = yb.baseAddress!, g = gb.baseAddress!
                for i in 0..<nFixed { for a in 0..<f { axpy(y[i * f + a], y + i * f, g + a * f, f) } }
            }
        }
        for a in 0..<f { yty[a * f + a] += o.regularization }
        var out = X
        let ranges = Parallel.ranges(rows.count, chunks: max(1, min(256, rows.count / 64)))
        out.withUnsafeMutableBufferPointer { ob in
            Y.withUnsafeBufferPointer { yb in
                yty.withUnsafeBufferPointer { gb in
                    let xp = ob.baseAddress!, y = yb.baseAddress!, g = gb.baseAddress!
                    Parallel.forEach(ranges.count) { r in
                        if ExecutionContext.isCancelled { return }   // the check after the loop throws
                        let a = UnsafeMutablePointer<Double>.allocate(capacity: f * f + f)
                        defer { a.deallocate() }
                        let b = a + f * f
                        for u in ranges[r] {
                            a.update(from: g, count: f * f)
                            b.initialize(repeating: 0, count: f)
                            for (i, w) in rows[u] {
                                let yi = y + i * f, e = o.alpha * w
                                for c in 0..<f { axpy(e * yi[c], yi, a + c * f, f) }
                                axpy(1 + e, yi, b, f)
                            }
                            choleskySolve(a, b, f)
                            (xp + u * f).update(from: b, count: f)
                        }
                    }
                }
            }
        }
        try ExecutionContext.check()
        return out
    }

    /// Solves A x = b in place (x into b) for a symmetric positive definite n × n A
    /// (row-major; overwritten by its Cholesky factor L in the lower triangle).
    /// A is YᵀC Y + λI with λ ≥ 0; a non-positive pivot (λ = 0 and a rank-deficient
    /// row) is replaced by the smallest positive double so the solve stays finite.
    static func choleskySolve(_ a: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>, _ n: Int) {
        for j in 0..<n {
            var d = a[j * n + j]
            for k in 0..<j { d -= a[j * n + k] * a[j * n + k] }
            let l = d > 0 ? d.squareRoot() : Double.leastNormalMagnitude.squareRoot()
            a[j * n + j] = l
            for i in (j + 1)..<max(j + 1, n) {
                var s = a[i * n + j]
                for k in 0..<j { s -= a[i * n + k] * a[j * n + k] }
                a[i * n + j] = s / l
            }
        }
        for i in 0..<n {   // L z = b
            var s = b[i]
            for k in 0..<i { s -= a[i * n + k] * b[k] }
            b[i] = s / a[i * n + i]
        }
        for i in stride(from: n - 1, through: 0, by: -1) {   // Lᵀ x = z
            var s = b[i]
            for k in (i + 1)..<max(i + 1, n) { s -= a[k * n + i] * b[k] }
            b[i] = s / a[i * n + i]
        }
    }
}
