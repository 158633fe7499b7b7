import Foundation

/// Partial dependence and ICE curves (Friedman 2001; Goldstein et al. 2015),
/// model-agnostic: the caller scores one stacked frame — every row of the
/// data once per grid value, with the feature set to that value — and
/// `curves` averages the scores per grid value. One scoring call for the
/// whole grid keeps the per-call overhead of any model out of the loop.
public enum PartialDependence {
    /// scikit-learn's grid (`_grid_from_X`): the feature's sorted unique
    /// values when there are fewer than `resolution` of them, else
    /// `resolution` evenly spaced values between the `lower` and `upper`
    /// quantiles, computed as scipy's `mquantiles` (alphap = betap = 0.4),
    /// which scikit-learn uses. Missing values are ignored.
    public static func grid(_ values: [Double], resolution: Int = 100, lower: Double = 0.05, upper: Double = 0.95) throws -> [Double] {
        guard resolution >= 2 else { throw MetricsError.invalidOption("grid_resolution must be >= 2, got \(resolution)") }
        guard lower >= 0, upper <= 1, lower < upper else {
            throw MetricsError.invalidOption("percentiles must satisfy 0 <= lower < upper <= 1, got \(lower), \(upper)")
        }
        let v = values.filter { $0.isFinite }.sorted()
        guard !v.isEmpty else { throw MetricsError.invalidOption("partial dependence: the feature has no finite values") }
        var unique: [Double] = []
        for x in v where unique.last != x { unique.append(x) }
        if unique.count < resolution { return unique }
        let n = Double(v.count)
        func mquantile(_ p: Double) -> Double {
            let aleph = n * p + 0.4 + 0.2 * p
            let k = min(max(aleph.rounded(.down), 1), n - 1)
            let gamma = min(max(aleph - k, 0), 1)
            let i = Int(k)
            return (1 - gamma) * v[i - 1] + gamma * v[i]
        }
        let a = mquantile(lower), b = mquantile(upper)
        guard abs(b - a) > 1e-8 + 1e-5 * abs(a) else {
            throw MetricsError.invalidOption("partial dependence: the percentiles give the same value (\(a)); widen them or give `grid =`")
        }
        return (0..<resolution).map { a + (b - a) * Double($0) / Double(resolution - 1) }
    }

    /// Row indices of the stacked frame: the data's rows repeated once per grid value.
    public static func stackedRows(n: Int, gridCount: Int) throws -> [Int] {
        let total = n.multipliedReportingOverflow(by: gridCount)
        guard !total.overflow else { throw MetricsError.invalidOption("partial dependence: \(n) rows × \(gridCount) grid values is too large") }
        try ExecutionContext.checkMemory(total.partialValue &* 16, for: "partial dependence stacked rows")
        var rows = [Int](); rows.reserveCapacity(total.partialValue)
        for _ in 0..<gridCount { rows.append(contentsOf: 0..<n) }
        return rows
    }

    /// Averages (and ICE lines) from the scores of the stacked frame:
    /// `scores[g·n + i]` is row i at grid value g. `ice[i][g]`.
    public static func curves(scores: [Double], n: Int, gridCount: Int, ice: Bool) throws -> (average: [Double], ice: [[Double]]?) {
        guard scores.count == n * gridCount else {
            throw MetricsError.invalidOption("partial dependence: the model returned \(scores.count) scores for \(n * gridCount) stacked rows")
        }
        var avg = [Double](repeating: 0, count: gridCount)
        for g in 0..<gridCount {
            var s = 0.0
            for i in 0..<n { s += scores[g * n + i] }
            avg[g] = n > 0 ? s / Double(n) : .nan
        }
        guard ice else { return (avg, nil) }
        return (avg, (0..<n).map { i in (0..<gridCount).map { scores[$0 * n + i] } })
    }
}

extension PartialDependence {
    /// The frame to score: `frame`'s rows once per grid value, `feature`
    /// set to that value (an integer column stays integer when every grid
    /// value is whole; otherwise the column becomes float).
    public static func stackedFrame(_ frame: Frame, feature: String, grid: [Double]) throws -> Frame {
        let col = try frame.column(feature)
        guard col.toDoubles() != nil else {
            throw MetricsError.invalidOption("partial dependence: feature '\(feature)' is \(col.dtype.rawValue); a numeric column is needed")
        }
        let n = frame.nrow
        try ExecutionContext.checkMemory(frame.storageBytes &* grid.count, for: "partial dependence: \(n) rows × \(grid.count) grid values")
        let stacked = try frame.take(rows: try stackedRows(n: n, gridCount: grid.count))
        var values = [Double](); values.reserveCapacity(n * grid.count)
        for g in grid { values.append(contentsOf: repeatElement(g, count: n)) }
        let replaced: Column = col.dtype == .int64 && grid.allSatisfy({ $0 == $0.rounded() && abs($0) < 9e15 })
            ? .int(feature, values.map { Int64($0) }) : .float(feature, values)
        return try stacked.withColumns([replaced])
    }
}
