import Foundation
import ExecutionControl

extension CoxPHModel {
    /// Robust (sandwich) covariance as lifelines' `fit(robust=True)`
    /// (`_compute_sandwich_estimator`): V (Σᵢ sᵢ sᵢᵀ) V with V the model-based
    /// covariance and sᵢ the Lin–Wei score residuals, computed per stratum over the
    /// rows in lifelines' order (duration ascending, censored before events, then
    /// row order) with positional risk sets — like lifelines it does not treat tied
    /// times specially. sᵢ = wᵢ (δᵢ (xᵢ − x̄ᵣ(i)) − φᵢ Σ_{j ≤ i} δⱼ wⱼ / Rⱼ · (xᵢ − x̄ᵣ(j))),
    /// Rⱼ = Σ_{k ≥ j} wₖ φₖ, x̄ᵣ(j) = Σ_{k ≥ j} wₖ φₖ xₖ / Rⱼ: O(n p) with a reverse and
    /// a forward running sum instead of lifelines' O(n² p) loop. Centring and
    /// scaling the columns leave the result unchanged (so it is done on centred x).
    static func robustVariance(X: CoxCovariates, mean: [Double], risk: [Double], data: SurvivalData, orders: [[Int]],
                               variance: [Double], p: Int) throws -> [Double] {
        let n = data.count
        try ExecutionContext.checkMemory(n * p * 16 + n * 24, for: "cox robust variance")
        var meat = [Double](repeating: 0, count: p * p)
        let w = data.weights ?? [Double](repeating: 1, count: n)
        for order in orders where !order.isEmpty {
            try ExecutionContext.check()
            // `order` is duration descending with ties in reverse row order: reversed, ties
            // are in row order; then censored before events within each time (a stable split).
            var rows: [Int] = []
            rows.reserveCapacity(order.count)
            let asc = Array(order.reversed())
            var i = 0
            while i < asc.count {
                var j = i
                while j < asc.count && data.durations[asc[j]] == data.durations[asc[i]] { j += 1 }
                for k in i..<j where !data.events[asc[k]] { rows.append(asc[k]) }
                for k in i..<j where data.events[asc[k]] { rows.append(asc[k]) }
                i = j
            }
            let m = rows.count
            var x = [Double](repeating: 0, count: m * p), phi = [Double](repeating: 0, count: m)
            x.withUnsafeMutableBufferPointer { x in
                for (k, r) in rows.enumerated() { X.centredRow(r, into: x.baseAddress! + k * p, mean: mean) }
            }
            for (k, r) in rows.enumerated() { phi[k] = exp(risk[r]) }
            // Reverse running sums R_j and (Σ w φ x)_j.
            var R = [Double](repeating: 0, count: m), Rx = [Double](repeating: 0, count: m * p)
            var s = 0.0, sx = [Double](repeating: 0, count: p)
            for k in stride(from: m - 1, through: 0, by: -1) {
                let wp = w[rows[k]] * phi[k]
                s += wp; R[k] = s
                for a in 0..<p { sx[a] += wp * x[k * p + a]; Rx[k * p + a] = sx[a] }
            }
            // Forward: C1 = Σ_{j ≤ i} δⱼ wⱼ / Rⱼ, C2 = Σ_{j ≤ i} δⱼ wⱼ (Rx)ⱼ / Rⱼ².
            var c1 = 0.0, c2 = [Double](repeating: 0, count: p), score = [Double](repeating: 0, count: p)
            for k in 0..<m {
                let r = rows[k], wr = w[r], event = data.events[r]
                if event {
                    let q = wr / R[k]
                    c1 += q
                    for a in 0..<p { c2[a] += q * Rx[k * p + a] / R[k] }
                }
                for a in 0..<p {
                    var v = -phi[k] * (x[k * p + a] * c1 - c2[a])
                    if event { v += x[k * p + a] - Rx[k * p + a] / R[k] }
                    score[a] = wr * v
                }
                for a in 0..<p { let u = score[a]; for b in 0...a { meat[a * p + b] += u * score[b] } }
            }
        }
        for a in 0..<p { for b in 0..<a { meat[b * p + a] = meat[a * p + b] } }
        // V M V.
        var vm = [Double](repeating: 0, count: p * p), out = vm
        for a in 0..<p { for b in 0..<p { var t = 0.0; for c in 0..<p { t += variance[a * p + c] * meat[c * p + b] }; vm[a * p + b] = t } }
        for a in 0..<p { for b in 0..<p { var t = 0.0; for c in 0..<p { t += vm[a * p + c] * variance[c * p + b] }; out[a * p + b] = t } }
        return out
    }
}
