/// Column statistics behind Lua's `col:sum() :mean() :std() :min() :max()
/// :quantile(q) :unique() :value_counts() :is_null()` and `describe`.
///
/// Nulls are skipped. NaN is a value (ChurnLab keeps it apart from null), so
/// a NaN in a float column makes sum, mean, std, min, max and quantiles NaN.
/// Numeric statistics accept float, int, bool (0/1), date (days since the
/// epoch) and timestamp (µs since the epoch) columns; text columns throw.
/// Sums run over fixed 64 Ki-row blocks combined in order, so results do not
/// depend on the thread count.
extension Column {
    static let statBlock = 1 << 16

    /// Non-null values as Float64, in row order.
    public func nonNullDoubles() throws -> [Double] {
        guard var v = toDoubles() else { throw FrameError.typeMismatch(column: name, expected: "a numeric column", got: dtype) }
        if let validity {
            var k = 0
            v.withUnsafeMutableBufferPointer { b in
                for i in 0..<b.count where validity.isValid(i) { b[k] = b[i]; k += 1 }
            }
            v.removeLast(v.count - k)
        }
        return v
    }

    /// Number of non-null values.
    public var validCount: Int { count - nullCount }

    /// Sum of the non-null values (0 for none).
    public func sum() throws -> Double {
        let v = try nonNullDoubles()
        return Column.blockedSum(v) { $0 }
    }

    /// Exact integer sum of an int or bool column; nil when it overflows Int64.
    public func integerSum() throws -> Int64? {
        var s: Int64 = 0
        switch data {
        case .int64(let v):
            for i in 0..<v.count where !isNull(i) {
                let (r, o) = s.addingReportingOverflow(v[i]); if o { return nil }; s = r
            }
        case .bool(let v):
            for i in 0..<v.count where !isNull(i) && v[i] { s += 1 }
        default:
            throw FrameError.typeMismatch(column: name, expected: "int or bool", got: dtype)
        }
        return s
    }

    /// Mean of the non-null values; nil when there are none.
    public func mean() throws -> Double? {
        let v = try nonNullDoubles()
        return v.isEmpty ? nil : Column.blockedSum(v) { $0 } / Double(v.count)
    }

    /// Standard deviation with `ddof` delta degrees of freedom (1 = sample std, as pandas);
    /// nil when fewer than `ddof + 1` values.
    public func std(ddof: Int = 1) throws -> Double? {
        guard ddof >= 0 else { throw FrameError.invalid("std of column '\(name)': ddof must be ≥ 0, got \(ddof)") }
        let v = try nonNullDoubles()
        return Column.std(v, ddof: ddof)
    }

    static func std(_ v: [Double], ddof: Int) -> Double? {
        guard v.count > ddof else { return nil }
        let m = blockedSum(v) { $0 } / Double(v.count)
        let ss = blockedSum(v) { ($0 - m) * ($0 - m) }
        return (ss / Double(v.count - ddof)).squareRoot()
    }

    /// Smallest non-null value (dates in days, timestamps in µs); nil when none.
    public func min() throws -> Double? { try extreme(<) }
    /// Largest non-null value; nil when none.
    public func max() throws -> Double? { try extreme(>) }

    private func extreme(_ better: (Double, Double) -> Bool) throws -> Double? {
        let v = try nonNullDoubles()
        guard var best = v.first else { return nil }
        for x in v {
            if x.isNaN { return .nan }
            if better(x, best) { best = x }
        }
        return best
    }

    /// Exact smallest / largest value of an int or timestamp column (Int64
    /// storage); nil when none. `min()`/`max()` go through Double, which rounds
    /// values beyond 2^53 and turns Int64.max into 2^63, which no Int64 holds.
    public func integerMin() throws -> Int64? { try integerExtreme(<) }
    public func integerMax() throws -> Int64? { try integerExtreme(>) }

    private func integerExtreme(_ better: (Int64, Int64) -> Bool) throws -> Int64? {
        let v: [Int64]
        switch data {
        case .int64(let x), .timestamp(let x): v = x
        default: throw FrameError.typeMismatch(column: name, expected: "int or timestamp", got: dtype)
        }
        var best: Int64? = nil
        for i in 0..<v.count where !isNull(i) {
            if best == nil || better(v[i], best!) { best = v[i] }
        }
        return best
    }

    /// Smallest / largest text of a string or category column (byte order); nil when none.
    public func minText() throws -> String? { try textExtreme(<) }
    public func maxText() throws -> String? { try textExtreme(>) }

    private func textExtreme(_ better: (String, String) -> Bool) throws -> String? {
        guard case let (codes, dict)? = textStorage else {
            throw FrameError.typeMismatch(column: name, expected: "string or category", got: dtype)
        }
        var used = [Bool](repeating: false, count: dict.count)
        for i in 0..<codes.count where !isNull(i) { used[Int(codes[i])] = true }
        var best: String? = nil
        for (k, s) in dict.enumerated() where used[k] {
            if best == nil || better(s, best!) { best = s }
        }
        return best
    }

    /// Quantile `q` in [0, 1] with linear interpolation (pandas' and numpy's default).
    public func quantile(_ q: Double) throws -> Double? {
        try quantiles([q])[0]
    }

    /// Several quantiles with one sort.
    public func quantiles(_ qs: [Double]) throws -> [Double?] {
        for q in qs where !(q >= 0 && q <= 1) {
            throw FrameError.invalid("quantile of column '\(name)' must be between 0 and 1, got \(q)")
        }
        var v = try nonNullDoubles()
        if v.isEmpty { return qs.map { _ in nil } }
        if v.contains(where: { $0.isNaN }) { return qs.map { _ in .nan } }
        v.sort()
        return qs.map { Column.interpolate(sorted: v, q: $0) }
    }

    /// numpy's "linear" method, reproduced operation for operation so results match to the last bit.
    static func interpolate(sorted v: [Double], q: Double) -> Double {
        let n = Double(v.count)
        let virtualIndex = q * n + (1 + q * -1) - 1
        let lo = Swift.max(0, Swift.min(Int(virtualIndex.rounded(.down)), v.count - 1))
        let hi = Swift.min(lo + 1, v.count - 1)
        let t = virtualIndex - virtualIndex.rounded(.down)
        let a = v[lo], b = v[hi]
        let d = b - a
        return t >= 0.5 ? b - d * (1 - t) : a + d * t
    }

    /// Sum of `f(x)` over fixed-size blocks, combined in block order.
    static func blockedSum(_ v: [Double], _ f: @escaping (Double) -> Double) -> Double {
        let blocks = (v.count + statBlock - 1) / statBlock
        if blocks <= 1 { return v.reduce(0) { $0 + f($1) } }
        let partial = v.withUnsafeBufferPointer { b in
            Parallel.mapChunks(v.count, chunks: blocks) { r -> Double in
                var s = 0.0
                for i in r { s += f(b[i]) }
                return s
            }
        }
        return partial.reduce(0, +)
    }

    var textStorage: (codes: [Int32], dictionary: [String])? {
        switch data {
        case .string(let c, let d), .category(let c, let d): return (c, d)
        default: return nil
        }
    }

    /// Distinct values in order of first appearance (a null, if any, appears once where first met).
    public func unique() -> Column {
        ioTake(firstOccurrences().rows)
    }

    /// Number of distinct non-null values.
    public func nunique() -> Int {
        let f = firstOccurrences()
        return f.rows.count - (f.hasNull ? 1 : 0)
    }

    /// Value counts: a frame with this column's distinct non-null values and `count`,
    /// most frequent first, ties in order of first appearance.
    /// `normalize`: shares of the counted rows in a column `proportion` (pandas'
    /// `value_counts(normalize=True)`); `dropna = false` counts nulls as one value.
    public func valueCounts(normalize: Bool = false, dropna: Bool = true) -> Frame {
        let f = firstOccurrences()
        var pairs: [(row: Int, n: Int)] = []
        for (k, r) in f.rows.enumerated() where !dropna || !isNull(r) { pairs.append((r, f.counts[k])) }
        let order = pairs.indices.sorted { a, b in pairs[a].n != pairs[b].n ? pairs[a].n > pairs[b].n : a < b }
        let values = ioTake(order.map { pairs[$0].row })
        let outName = normalize ? "proportion" : "count"
        let countName = name == outName ? (normalize ? "share" : "n") : outName
        let total = Double(pairs.reduce(0) { $0 + $1.n })
        let counts = normalize ? Column.float(countName, order.map { Double(pairs[$0].n) / total })
                               : Column.int(countName, order.map { Int64(pairs[$0].n) })
        return try! Frame([values, counts])
    }

    /// A bool column, true where this column is null.
    public func isNullMask() -> Column {
        .bool(name, (0..<count).map { isNull($0) })
    }

    /// First row of each distinct value and how often it occurs; nulls form one group.
    func firstOccurrences() -> (rows: [Int], counts: [Int], hasNull: Bool) {
        var rows: [Int] = [], counts: [Int] = []
        var nullGroup = -1
        func add<K: Hashable>(_ key: (Int) -> K) {
            var seen: [K: Int] = [:]
            for i in 0..<count {
                if isNull(i) {
                    if nullGroup < 0 { nullGroup = rows.count; rows.append(i); counts.append(0) }
                    counts[nullGroup] += 1
                    continue
                }
                let k = key(i)
                if let g = seen[k] { counts[g] += 1 } else { seen[k] = rows.count; rows.append(i); counts.append(1) }
            }
        }
        switch data {
        case .float64(let v): add { v[$0].isNaN ? UInt64.max : (v[$0] == 0 ? 0 : v[$0].bitPattern) }  // one NaN, one zero
        case .int64(let v): add { v[$0] }
        case .bool(let v): add { v[$0] }
        case .string(let c, _), .category(let c, _): add { c[$0] }
        case .date(let v): add { v[$0] }
        case .timestamp(let v): add { v[$0] }
        }
        return (rows, counts, nullGroup >= 0)
    }

    /// Rows at `indices` (all in range).
    func ioTake(_ indices: [Int]) -> Column {
        let data: ColumnData
        switch self.data {
        case .float64(let v): data = .float64(indices.map { v[$0] })
        case .int64(let v): data = .int64(indices.map { v[$0] })
        case .bool(let v): data = .bool(indices.map { v[$0] })
        case .string(let c, let d): data = .string(codes: indices.map { c[$0] }, dictionary: d)
        case .category(let c, let l): data = .category(codes: indices.map { c[$0] }, levels: l)
        case .date(let v): data = .date(indices.map { v[$0] })
        case .timestamp(let v): data = .timestamp(indices.map { v[$0] })
        }
        let valid = validity.map { _ in Validity(indices.map { !isNull($0) }) }
        return Column(name: name, data: data, validity: valid)
    }
}
