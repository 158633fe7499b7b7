import ExecutionControl

/// Principal component analysis as scikit-learn's `PCA` (full solver):
/// components are the eigenvectors of the sample covariance (n − 1), the
/// same as the right singular vectors of the centred data, in decreasing
/// variance; each component's sign makes its largest-magnitude loading
/// positive (scikit-learn ≥ 1.5 `svd_flip(u_based_decision=False)`).
/// The d × d covariance is diagonalised with cyclic Jacobi rotations, which is
/// accurate to rounding for the small d of feature tables.
public struct PCAModel: Codable, Sendable {
    public let features: [String]
    public let mean: [Double]
    /// Row-major nComponents × d.
    public let components: [Double]
    public let explainedVariance: [Double]
    public let explainedVarianceRatio: [Double]
    public let nComponents: Int

    public static func fit(_ data: ClusterData, nComponents: Int) throws -> PCAModel {
        let n = data.n, d = data.d
        guard n >= 2 else { throw ClusterError.invalid("PCA needs at least 2 rows, got \(n)") }
        guard nComponents >= 1, nComponents <= min(n, d) else {
            throw ClusterError.invalid("n_components must be in 1...\(min(n, d)) (rows and features), got \(nComponents)")
        }
        var mean = [Double](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { mean[j] += data.x[i * d + j] } }
        for j in 0..<d { mean[j] /= Double(n) }
        // Covariance from fixed row chunks, combined in order.
        let parts: [[Double]] = data.x.withUnsafeBufferPointer { x in
            Parallel.mapChunks(n, chunks: ClusterData.chunks(n)) { range in
                var c = [Double](repeating: 0, count: d * d)
                var row = [Double](repeating: 0, count: d)
                for i in range {
                    for j in 0..<d { row[j] = x[i * d + j] - mean[j] }
                    for a in 0..<d { let ra = row[a]; for b in a..<d { c[a * d + b] += ra * row[b] } }
                }
                return c
            }
        }
        try ExecutionContext.check()
        var cov = [Double](repeating: 0, count: d * d)
        for p in parts { for t in 0..<(d * d) { cov[t] += p[t] } }
        for a in 0..<d { for b in a..<d { cov[a * d + b] /= Double(n - 1); cov[b * d + a] = cov[a * d + b] } }
        let total = (0..<d).reduce(0.0) { $0 + cov[$1 * d + $1] }
        let (values, vectors) = jacobiEigen(cov, d)
        let order = (0..<d).sorted { values[$0] != values[$1] ? values[$0] > values[$1] : $0 < $1 }
        var comps: [Double] = []
        var ev: [Double] = []
        for c in order.prefix(nComponents) {
            var v = (0..<d).map { vectors[$0 * d + c] }
            var big = 0
            for j in 1..<d where abs(v[j]) > abs(v[big]) { big = j }
            if v[big] < 0 { v = v.map { -$0 } }
            comps += v
            ev.append(max(values[c], 0))
        }
        return PCAModel(features: data.names, mean: mean, components: comps, explainedVariance: ev,
                        explainedVarianceRatio: ev.map { total > 0 ? $0 / total : 0 }, nComponents: nComponents)
    }

    /// Scores: (x − mean) · componentsᵀ, row-major n × nComponents.
    public func transform(_ data: ClusterData) throws -> [Double] {
        let d = mean.count, m = nComponents
        guard data.d == d else { throw ClusterError.invalid("the PCA was fitted on \(d) features, got \(data.d)") }
        try ExecutionContext.checkMemory(data.n * m * 8, for: "PCA scores")
        var out = [Double](repeating: 0, count: data.n * m)
        for i in 0..<data.n {
            for c in 0..<m {
                var s = 0.0
                for j in 0..<d { s += (data.x[i * d + j] - mean[j]) * components[c * d + j] }
                out[i * m + c] = s
            }
        }
        return out
    }

    /// Eigen-decomposition of a symmetric d × d matrix by cyclic Jacobi
    /// rotations; returns eigenvalues and eigenvectors as columns (row-major).
    static func jacobiEigen(_ m: [Double], _ d: Int) -> ([Double], [Double]) {
        var a = m
        var v = [Double](repeating: 0, count: d * d)
        for i in 0..<d { v[i * d + i] = 1 }
        for _ in 0..<100 {
            var off = 0.0
            for p in 0..<d { for q in (p + 1)..<max(p + 1, d) { off += a[p * d + q] * a[p * d + q] } }
            if off < 1e-300 { break }
            for p in 0..<d {
                for q in (p + 1)..<max(p + 1, d) {
                    let apq = a[p * d + q]
                    if apq == 0 { continue }
                    let theta = (a[q * d + q] - a[p * d + p]) / (2 * apq)
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<d {
                        let akp = a[k * d + p], akq = a[k * d + q]
                        a[k * d + p] = c * akp - s * akq
                        a[k * d + q] = s * akp + c * akq
                    }
                    for k in 0..<d {
                        let apk = a[p * d + k], aqk = a[q * d + k]
                        a[p * d + k] = c * apk - s * aqk
                        a[q * d + k] = s * apk + c * aqk
                    }
                    for k in 0..<d {
                        let vkp = v[k * d + p], vkq = v[k * d + q]
                        v[k * d + p] = c * vkp - s * vkq
                        v[k * d + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        return ((0..<d).map { a[$0 * d + $0] }, v)
    }
}
