extension Frame {
    /// Summary statistics, one row per column (typed, so it renders and exports cleanly):
    /// `column`, `type`, `count` (non-null), `nulls`, then for numeric columns (float, int)
    /// `mean`, `std` (ddof = 1), `min`, `25%`, `50%`, `75%`, `max`; for text, bool, date
    /// and timestamp columns `unique`, `top` (most frequent value, ties: first seen) and
    /// `freq`. Bool columns also get `mean` (the share of true). Other cells are null.
    public func describe() throws -> Frame {
        let n = ncol
        var count = [Int64](repeating: 0, count: n), nulls = count
        var stats = [[Double?]](repeating: [Double?](repeating: nil, count: n), count: 7)
        var unique = [Int64?](repeating: nil, count: n), freq = unique
        var top = [String?](repeating: nil, count: n)
        for (j, c) in columns.enumerated() {
            count[j] = Int64(c.validCount)
            nulls[j] = Int64(c.nullCount)
            switch c.dtype {
            case .float64, .int64:
                let v = try c.nonNullDoubles()
                guard !v.isEmpty else { continue }
                stats[0][j] = Column.blockedSum(v) { $0 } / Double(v.count)
                stats[1][j] = Column.std(v, ddof: 1)
                let q = try c.quantiles([0, 0.25, 0.5, 0.75, 1])
                for k in 0..<5 { stats[2 + k][j] = q[k] }
            case .bool, .string, .category, .date, .timestamp:
                if c.dtype == .bool { stats[0][j] = try c.mean() }
                let vc = c.valueCounts()
                unique[j] = Int64(vc.nrow)
                if vc.nrow > 0 {
                    top[j] = CellText.plain(vc.columns[0], 0)
                    freq[j] = vc.columns[1].double(at: 0).map { Int64($0) }
                }
            }
        }
        func floatCol(_ name: String, _ v: [Double?]) -> Column {
            .float(name, v.map { $0 ?? 0 }, nulls: v.map { $0 == nil })
        }
        func intCol(_ name: String, _ v: [Int64?]) -> Column {
            .int(name, v.map { $0 ?? 0 }, nulls: v.map { $0 == nil })
        }
        var cols: [Column] = [
            .string("column", names), .string("type", columns.map { $0.dtype.rawValue }),
            .int("count", count), .int("nulls", nulls),
        ]
        for (k, name) in ["mean", "std", "min", "25%", "50%", "75%", "max"].enumerated() { cols.append(floatCol(name, stats[k])) }
        cols += [intCol("unique", unique), .string("top", top), intCol("freq", freq)]
        return try Frame(cols)
    }
}
