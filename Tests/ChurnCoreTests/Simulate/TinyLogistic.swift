import Foundation
@testable import ChurnCore

/// A small ridge logistic regression (Newton/IRLS on standardised columns) and
/// ROC AUC, only to check that simulated features predict churn.
enum TinyLogistic {
    static func fit(_ X: [[Double]], _ y: [Double], ridge: Double = 1e-3, iterations: Int = 25) -> (w: [Double], mean: [Double], sd: [Double]) {
        let p = X.count, n = y.count
        let mean = X.map { $0.reduce(0, +) / Double(n) }
        let sd = X.enumerated().map { j, c in max(1e-12, (c.map { ($0 - mean[j]) * ($0 - mean[j]) }.reduce(0, +) / Double(n)).squareRoot()) }
        let Z = X.enumerated().map { j, c in c.map { ($0 - mean[j]) / sd[j] } }
        var w = [Double](repeating: 0, count: p + 1)   // w[p] = intercept
        for _ in 0..<iterations {
            var g = [Double](repeating: 0, count: p + 1)
            var H = [[Double]](repeating: [Double](repeating: 0, count: p + 1), count: p + 1)
            for i in 0..<n {
                var z = w[p]
                for j in 0..<p { z += w[j] * Z[j][i] }
                let q = 1 / (1 + exp(-z)), s = q * (1 - q)
                var xi = (0..<p).map { Z[$0][i] }; xi.append(1)
                for a in 0...p { g[a] += (q - y[i]) * xi[a]; for b in 0...p { H[a][b] += s * xi[a] * xi[b] } }
            }
            for a in 0..<p { g[a] += ridge * w[a]; H[a][a] += ridge }
            let step = solve(H, g)
            for a in 0...p { w[a] -= step[a] }
        }
        return (w, mean, sd)
    }

    static func predict(_ m: (w: [Double], mean: [Double], sd: [Double]), _ X: [[Double]]) -> [Double] {
        let p = X.count, n = X.first?.count ?? 0
        return (0..<n).map { i in
            var z = m.w[p]
            for j in 0..<p { z += m.w[j] * (X[j][i] - m.mean[j]) / m.sd[j] }
            return 1 / (1 + exp(-z))
        }
    }

    /// Gaussian elimination with partial pivoting.
    static func solve(_ A: [[Double]], _ b: [Double]) -> [Double] {
        var M = A, v = b
        let n = v.count
        for k in 0..<n {
            let piv = (k..<n).max { abs(M[$0][k]) < abs(M[$1][k]) }!
            M.swapAt(k, piv); v.swapAt(k, piv)
            for i in (k + 1)..<n {
                let f = M[i][k] / M[k][k]
                for j in k..<n { M[i][j] -= f * M[k][j] }
                v[i] -= f * v[k]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for i in stride(from: n - 1, through: 0, by: -1) {
            var s = v[i]
            for j in (i + 1)..<n { s -= M[i][j] * x[j] }
            x[i] = s / M[i][i]
        }
        return x
    }

    /// ROC AUC by the rank-sum (ties get mid-ranks).
    static func auc(_ score: [Double], _ y: [Double]) -> Double {
        let order = score.indices.sorted { score[$0] < score[$1] }
        var ranks = [Double](repeating: 0, count: score.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && score[order[j + 1]] == score[order[i]] { j += 1 }
            for k in i...j { ranks[order[k]] = Double(i + j) / 2 + 1 }
            i = j + 1
        }
        let pos = y.filter { $0 == 1 }.count, neg = y.count - pos
        let sumPos = zip(ranks, y).filter { $0.1 == 1 }.map { $0.0 }.reduce(0, +)
        return (sumPos - Double(pos * (pos + 1)) / 2) / Double(pos * neg)
    }
}
