import Foundation

/// Shape statistics and correlation with pandas' definitions, so numbers agree
/// with what an analyst checks in a notebook: `skew` and `kurtosis` are the
/// bias-corrected sample estimators G1 and G2 (excess kurtosis) that
/// `Series.skew()` / `Series.kurt()` report; `corr` is pairwise-complete
/// (each pair uses the rows where both values are present), Pearson or
/// Spearman (Pearson on average ranks).
extension Column {
    /// Non-null, non-NaN values as doubles (pandas' skipna).
    func presentDoubles() throws -> [Double] {
        guard let v = toDoubles(), dtype != .date, dtype != .timestamp else {
            throw FrameError.invalid("column '\(name)' is \(dtype.rawValue), numbers expected")
        }
        return v.filter { !$0.isNaN }
    }

    /// Sample skewness G1 = g1·√(n(n−1))/(n−2); NaN below 3 values, 0 for a constant column (pandas).
    public func skew() throws -> Double {
        let x = try presentDoubles()
        let n = Double(x.count)
        guard x.count >= 3 else { return .nan }
        let mean = x.reduce(0, +) / n
        var m2 = 0.0, m3 = 0.0
        for v in x { let d = v - mean; m2 += d * d; m3 += d * d * d }
        if m2 <= 1e-14 * Swift.max(1, mean * mean) * n { return 0 }
        m2 /= n; m3 /= n
        return (m3 / Foundation.pow(m2, 1.5)) * (n * (n - 1)).squareRoot() / (n - 2)
    }

    /// Sample excess kurtosis G2 = ((n+1)g2 + 6)(n−1)/((n−2)(n−3)); NaN below 4 values, 0 for a constant column (pandas).
    public func kurtosis() throws -> Double {
        let x = try presentDoubles()
        let n = Double(x.count)
        guard x.count >= 4 else { return .nan }
        let mean = x.reduce(0, +) / n
        var s2 = 0.0, s4 = 0.0
        for v in x { let d2 = (v - mean) * (v - mean); s2 += d2; s4 += d2 * d2 }
        if s2 <= 1e-14 * Swift.max(1, mean * mean) * n { return 0 }
        let num = n * (n + 1) * (n - 1) * s4, den = (n - 2) * (n - 3) * s2 * s2
        return num / den - 3 * (n - 1) * (n - 1) / ((n - 2) * (n - 3))
    }
}

public enum CorrelationMethod: String, Sendable, CaseIterable { case pearson, spearman }

extension Frame {
    /// The correlation matrix of `columns` (default: every numeric column) as a
    /// frame: a `column` name column, then one float column per input column.
    public func corr(columns: [String]? = nil, method: CorrelationMethod = .pearson) throws -> Frame {
        let cols = try (columns ?? self.columns.filter { $0.data.isNumeric }.map(\.name)).map { try column($0) }
        guard !cols.isEmpty else { throw FrameError.invalid("corr: no numeric columns") }
        let data = try cols.map { c -> [Double] in
            guard c.data.isNumeric, let v = c.toDoubles() else {
                throw FrameError.invalid("corr: column '\(c.name)' is \(c.dtype.rawValue), numbers expected")
            }
            return v
        }
        let p = cols.count
        var m = [[Double]](repeating: [Double](repeating: .nan, count: p), count: p)
        for i in 0..<p {
            try ExecutionContext.check()
            for j in i..<p {
                let r = Frame.correlation(data[i], data[j], method: method)
                m[i][j] = r; m[j][i] = r
            }
        }
        var out = [Column.string("column", cols.map(\.name))]
        for j in 0..<p { out.append(.float(cols[j].name, (0..<p).map { m[$0][j] })) }
        return try Frame(out)
    }

    /// Correlation of two equal-length vectors over the rows where both are not NaN.
    public static func correlation(_ a: [Double], _ b: [Double], method: CorrelationMethod) -> Double {
        var x: [Double] = [], y: [Double] = []
        x.reserveCapacity(a.count); y.reserveCapacity(a.count)
        for i in 0..<Swift.min(a.count, b.count) where !a[i].isNaN && !b[i].isNaN { x.append(a[i]); y.append(b[i]) }
        guard x.count >= 2 else { return .nan }
        if method == .spearman { x = averageRanks(x); y = averageRanks(y) }
        let n = Double(x.count)
        let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for k in 0..<x.count {
            let dx = x[k] - mx, dy = y[k] - my
            sxy += dx * dy; sxx += dx * dx; syy += dy * dy
        }
        guard sxx > 0, syy > 0 else { return .nan }
        return Swift.max(-1, Swift.min(1, sxy / (sxx * syy).squareRoot()))
    }

    /// 1-based ranks with ties averaged (no NaN expected).
    static func averageRanks(_ v: [Double]) -> [Double] {
        let order = v.indices.sorted { v[$0] != v[$1] ? v[$0] < v[$1] : $0 < $1 }
        var r = [Double](repeating: 0, count: v.count)
        var k = 0
        while k < order.count {
            var e = k
            while e + 1 < order.count && v[order[e + 1]] == v[order[k]] { e += 1 }
            for j in k...e { r[order[j]] = Double(k + e + 2) / 2 }
            k = e + 1
        }
        return r
    }
}
