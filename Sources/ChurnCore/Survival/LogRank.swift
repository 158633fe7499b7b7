import Foundation
import ExecutionControl

/// Log-rank test of equal survival across k groups (lifelines'
/// `multivariate_logrank_test`; `logrank_test` is its k = 2 case):
/// Z = observed − expected events per group, V the hypergeometric covariance
/// Σᵢ dᵢ(nᵢ − dᵢ)/(nᵢ²(nᵢ − 1)) (nᵢ nᵢⱼ δⱼₖ − nᵢⱼ nᵢₖ), statistic Z′V⁻¹Z over the
/// first k − 1 groups, χ² with k − 1 df. The p-value is also given as log10 so a
/// p below 1e-308 is still reported (not 0).
public struct LogRankResult: Sendable {
    public let statistic: Double
    public let df: Int
    public let pValue: Double
    public let log10P: Double
    public let observed: [Double]
    public let expected: [Double]
}

public enum LogRank {
    /// `group[i]` in 0..<groupCount for each row of `data` (weights and entry are not used by the test).
    public static func test(_ data: SurvivalData, group: [Int], groupCount k: Int) throws -> LogRankResult {
        guard group.count == data.count else { throw SurvivalError.invalid("group has \(group.count) values but duration has \(data.count)") }
        guard k >= 2 else { throw SurvivalError.invalid("logrank needs at least 2 groups, got \(k)") }
        var sizes = [Int](repeating: 0, count: k)
        for g in group { guard g >= 0 && g < k else { throw SurvivalError.invalid("group code \(g) out of 0..<\(k)") }; sizes[g] += 1 }
        if let empty = sizes.firstIndex(of: 0) { throw SurvivalError.invalid("group \(empty + 1) has no rows") }
        let n = data.count
        let order = try TimeRanks(data.durations).ascendingRows()
        var atRisk = sizes.map(Double.init)
        var total = Double(n)
        var obs = [Double](repeating: 0, count: k), exp_ = obs
        var V = [Double](repeating: 0, count: k * k)
        var dj = [Double](repeating: 0, count: k), removed = dj
        var i = 0
        while i < n {
            if i & 0xFFFF == 0 { try ExecutionContext.check() }
            let t = data.durations[order[i]]
            for g in 0..<k { dj[g] = 0; removed[g] = 0 }
            var d = 0.0
            while i < n && data.durations[order[i]] == t {
                let r = order[i], g = group[r]
                removed[g] += 1
                if data.events[r] { dj[g] += 1; d += 1 }
                i += 1
            }
            if d > 0 {
                let f = (total > 1 ? (total - d) / (total - 1) : 1) * d / (total * total)
                for a in 0..<k {
                    obs[a] += dj[a]; exp_[a] += atRisk[a] * d / total
                    V[a * k + a] += f * total * atRisk[a]
                    for b in 0..<k { V[a * k + b] -= f * atRisk[a] * atRisk[b] }
                }
            }
            for g in 0..<k { atRisk[g] -= removed[g] }
            total -= removed.reduce(0, +)
        }
        // Solve V₍k−1₎ x = Z₍k−1₎ (Gaussian elimination with partial pivoting; k is small).
        let m = k - 1
        var A = [Double](repeating: 0, count: m * m), z = [Double](repeating: 0, count: m)
        for a in 0..<m { z[a] = obs[a] - exp_[a]; for b in 0..<m { A[a * m + b] = V[a * k + b] } }
        let x = try solve(A, z, m)
        var stat = 0.0
        for a in 0..<m { stat += z[a] * x[a] }
        let lq = Special.logGammaQ(Double(m) / 2, stat / 2)
        return LogRankResult(statistic: stat, df: m, pValue: exp(lq), log10P: lq / M_LN10, observed: obs, expected: exp_)
    }

    static func solve(_ a0: [Double], _ b0: [Double], _ m: Int) throws -> [Double] {
        var a = a0, b = b0
        for c in 0..<m {
            var p = c
            for r in c + 1..<max(m, c + 1) where abs(a[r * m + c]) > abs(a[p * m + c]) { p = r }
            guard abs(a[p * m + c]) > 1e-300 else {
                throw SurvivalError.invalid("logrank: singular variance (a group with no one at risk at any event time?)")
            }
            if p != c { for j in 0..<m { a.swapAt(c * m + j, p * m + j) }; b.swapAt(c, p) }
            for r in c + 1..<max(m, c + 1) {
                let f = a[r * m + c] / a[c * m + c]
                if f == 0 { continue }
                for j in c..<m { a[r * m + j] -= f * a[c * m + j] }
                b[r] -= f * b[c]
            }
        }
        var x = [Double](repeating: 0, count: m)
        for r in stride(from: m - 1, through: 0, by: -1) {
            var s = b[r]
            for j in r + 1..<max(m, r + 1) { s -= a[r * m + j] * x[j] }
            x[r] = s / a[r * m + r]
        }
        return x
    }
}
