import Foundation

/// Maximum likelihood for models with positive parameters (BG/NBD, Gamma–Gamma):
/// L-BFGS on log θ of the mean negative log-likelihood (+ penalizer Σ(cθ)², as
/// lifetimes' `penalizer_coef`), then standard errors from the inverse of the
/// observed information −∂²LL/∂θ² (central differences of the analytic gradient).
struct LogParameterMLE {
    /// Total log-likelihood at θ; writes ∂LL/∂θ into `grad`.
    typealias LogLikelihood = ([Double], inout [Double]) -> Double

    struct Fit { var params: [Double]; var logLikelihood: Double; var standardErrors: [Double]; var iterations: Int; var converged: Bool }

    /// `penaltyScale[j]` multiplies θⱼ inside the penalty (empty: 1 each): lifetimes
    /// fits BG/NBD and Pareto/NBD on times scaled to max T = 1, so its L2 term sees
    /// the rate parameters α, β divided by max T.
    static func fit(initial: [Double], totalWeight: Double, penalizer: Double, penaltyScale: [Double] = [], _ ll: LogLikelihood) throws -> Fit {
        let p = initial.count
        let c2 = (0..<p).map { j in j < penaltyScale.count ? penaltyScale[j] * penaltyScale[j] : 1 }
        var solver = LBFGS()
        solver.gtol = 1e-10; solver.ftol = 1e-15; solver.maxIterations = 2000
        let r = try solver.minimize(initial.map { log($0) }) { u, g in
            let th = u.map { exp($0) }
            var gt = [Double](repeating: 0, count: p)
            let v = ll(th, &gt)
            var f = -v / totalWeight
            for j in 0..<p {
                f += penalizer * c2[j] * th[j] * th[j]
                g[j] = (-gt[j] / totalWeight + 2 * penalizer * c2[j] * th[j]) * th[j]
            }
            return f.isFinite ? f : .infinity
        }
        let th = r.x.map { exp($0) }
        guard th.allSatisfy({ $0.isFinite && $0 > 0 }) else { throw CLVError.invalid("the likelihood maximisation diverged (parameters \(th))") }
        var g0 = [Double](repeating: 0, count: p)
        let value = ll(th, &g0)
        // Observed information by central differences of the gradient.
        var H = [Double](repeating: 0, count: p * p)
        for j in 0..<p {
            let h = 1e-5 * th[j]
            var tp = th, tm = th; tp[j] += h; tm[j] -= h
            var gp = [Double](repeating: 0, count: p), gm = gp
            _ = ll(tp, &gp); _ = ll(tm, &gm)
            for i in 0..<p { H[i * p + j] = -(gp[i] - gm[i]) / (2 * h) }
        }
        for i in 0..<p { for j in 0..<i { let s = (H[i * p + j] + H[j * p + i]) / 2; H[i * p + j] = s; H[j * p + i] = s } }
        let se = invertDiagonal(H, p).map { $0 > 0 ? $0.squareRoot() : .nan }
        return Fit(params: th, logLikelihood: value, standardErrors: se, iterations: r.iterations, converged: r.converged)
    }

    /// Diagonal of A⁻¹ (Gauss–Jordan with partial pivoting); NaNs when A is singular.
    static func invertDiagonal(_ a0: [Double], _ p: Int) -> [Double] {
        var a = a0, inv = [Double](repeating: 0, count: p * p)
        for i in 0..<p { inv[i * p + i] = 1 }
        for c in 0..<p {
            var piv = c
            for r in c..<p where abs(a[r * p + c]) > abs(a[piv * p + c]) { piv = r }
            guard abs(a[piv * p + c]) > 0 else { return [Double](repeating: .nan, count: p) }
            if piv != c { for j in 0..<p { a.swapAt(c * p + j, piv * p + j); inv.swapAt(c * p + j, piv * p + j) } }
            let d = a[c * p + c]
            for j in 0..<p { a[c * p + j] /= d; inv[c * p + j] /= d }
            for r in 0..<p where r != c {
                let f = a[r * p + c]
                if f == 0 { continue }
                for j in 0..<p { a[r * p + j] -= f * a[c * p + j]; inv[r * p + j] -= f * inv[c * p + j] }
            }
        }
        return (0..<p).map { inv[$0 * p + $0] }
    }
}
