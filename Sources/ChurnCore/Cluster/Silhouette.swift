import ExecutionControl

/// Silhouette coefficient (Rousseeuw 1987) with Euclidean distances, as
/// scikit-learn's `silhouette_score`: s(i) = (b − a) / max(a, b), a = mean
/// distance to the rest of i's cluster, b = the lowest mean distance to another
/// cluster; a row alone in its cluster scores 0. Exact cost is O(n² d), so
/// `sampleSize` draws rows without replacement (seeded) and scores those only.
public enum Silhouette {
    public static func samples(_ data: ClusterData, labels: [Int]) throws -> [Double] {
        let n = data.n, d = data.d
        guard labels.count == n else { throw ClusterError.invalid("\(labels.count) labels for \(n) rows") }
        var ids: [Int: Int] = [:]
        var code = [Int](repeating: 0, count: n)
        for i in 0..<n { code[i] = ids[labels[i]] ?? { let c = ids.count; ids[labels[i]] = c; return c }() }
        let k = ids.count
        guard k >= 2, k <= n - 1 else {
            throw ClusterError.invalid("silhouette needs 2 to n − 1 clusters (n = \(n)), got \(k)")
        }
        var size = [Double](repeating: 0, count: k)
        for c in code { size[c] += 1 }
        try ExecutionContext.checkMemory(n * 8 * 2, for: "silhouette")
        // Rows in blocks of 64: few cancellation checks, fixed work per block.
        let blocks = (n + 63) / 64
        var out = [Double](repeating: 0, count: n)
        out.withUnsafeMutableBufferPointer { ob in
            let op = ob.baseAddress!
            data.x.withUnsafeBufferPointer { x in
                let xp = x.baseAddress!
                Parallel.forEach(blocks) { b in
                    if (try? ExecutionContext.check()) == nil { return }   // cancelled: the check after the loop throws
                    var sums = [Double](repeating: 0, count: k)
                    for i in (b * 64)..<min(n, b * 64 + 64) {
                        for c in 0..<k { sums[c] = 0 }
                        let xi = xp + i * d
                        for j in 0..<n {
                            sums[code[j]] += ClusterData.sqDist(xi, xp + j * d, d).squareRoot()
                        }
                        let own = code[i]
                        if size[own] <= 1 { op[i] = 0; continue }
                        let a = sums[own] / (size[own] - 1)
                        var bMin = Double.infinity
                        for c in 0..<k where c != own { bMin = min(bMin, sums[c] / size[c]) }
                        let m = max(a, bMin)
                        op[i] = m > 0 ? (bMin - a) / m : 0
                    }
                }
            }
        }
        try ExecutionContext.check()   // cancellation is sticky: a block that stopped early is never used
        return out
    }

    /// Mean silhouette; with `sampleSize` (< n) over a seeded sample of rows.
    public static func score(_ data: ClusterData, labels: [Int], sampleSize: Int? = nil, seed: UInt64 = 42) throws -> Double {
        guard labels.count == data.n else { throw ClusterError.invalid("\(labels.count) labels for \(data.n) rows") }
        if let m = sampleSize, m < data.n {
            guard m >= 2 else { throw ClusterError.invalid("sample_size must be at least 2") }
            var rng = SeededRandom(seed: seed)
            var idx = Array(0..<data.n)
            for i in 0..<m { idx.swapAt(i, i + rng.below(data.n - i)) }
            let rows = Array(idx[0..<m])
            var x: [Double] = []
            x.reserveCapacity(m * data.d)
            for r in rows { x += data.x[r * data.d ..< (r + 1) * data.d] }
            let sub = try ClusterData(n: m, d: data.d, x: x, names: data.names)
            let s = try samples(sub, labels: rows.map { labels[$0] })
            return s.reduce(0, +) / Double(m)
        }
        let s = try samples(data, labels: labels)
        return s.reduce(0, +) / Double(data.n)
    }
}
