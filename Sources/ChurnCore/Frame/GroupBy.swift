/// group_by(keys):agg{...}. Rows are hash-grouped once (see `Factorizer`);
/// each aggregate is then one pass over its column writing per-group
/// accumulators. Large inputs are cut into a fixed number of row chunks
/// (independent of the thread count), aggregated in parallel and combined in
/// chunk order, so results are bit-identical on any machine.
///
/// Semantics follow pandas: nulls are skipped by every aggregate; `sum` of a
/// group with no values is 0; `mean`/`std`/`quantile`/`min`/`max` of it are
/// null; `first`/`last` are the first/last non-null values; `std` uses ddof=1.
/// Float NaN is skipped by min/max/quantile (as pandas does) but propagates
/// through sum/mean/std. Unlike pandas, rows whose key is null form a group
/// of their own (sorted last).

public enum AggOp: Sendable, Equatable, Codable {
    /// Non-null values of the column; without a column, rows in the group.
    case count
    case sum, mean, min, max
    /// Sample standard deviation (ddof = 1).
    case std
    /// Distinct non-null values.
    case nunique
    case first, last
    /// Linear-interpolated quantile, q in [0, 1] (numpy/pandas default).
    case quantile(Double)

    public var name: String {
        switch self {
        case .count: return "count"
        case .sum: return "sum"
        case .mean: return "mean"
        case .min: return "min"
        case .max: return "max"
        case .std: return "std"
        case .nunique: return "nunique"
        case .first: return "first"
        case .last: return "last"
        case .quantile(let q): return "q" + String(q * 100).replacingOccurrences(of: ".0", with: "")
        }
    }
}

/// One aggregate: `op` over `column` (nil only for `count`), output called
/// `name` (default `column_op`, or `count` for a row count).
public struct AggSpec: Sendable {
    public var column: String?
    public var op: AggOp
    public var name: String

    public init(_ column: String?, _ op: AggOp, as name: String? = nil) {
        self.column = column
        self.op = op
        self.name = name ?? (column.map { "\($0)_\(op.name)" } ?? op.name)
    }
}

/// A frame with its rows grouped by key columns; call `agg`.
public struct GroupedFrame: Sendable {
    public let frame: Frame
    public let keys: [String]
    let groups: Factorized

    /// One row per group: the key columns, then one column per spec. With
    /// `sort` (default, as pandas) groups are ordered by key, nulls last;
    /// otherwise by first appearance.
    public func agg(_ specs: [AggSpec], sort: Bool = true) throws -> Frame {
        var cols = try keys.map { try frame.column($0).take(groups.firstRow) }
        var seen = Set(keys)
        var cache = GroupCache()
        for s in specs {
            try ExecutionContext.check()   // per aggregate: one pass over the rows
            guard seen.insert(s.name).inserted else {
                throw FrameError.invalid("group_by: two output columns called '\(s.name)'")
            }
            cols.append(try aggregate(s, cache: &cache).renamed(s.name))
        }
        let out = try Frame(cols)
        guard sort, groups.count > 1 else { return out }
        return try out.sortBy(keys.map { SortKey($0) })
    }

    /// Group ids per row and the first row of each group (for callers that
    /// aggregate themselves).
    public var groupIds: [Int32] { groups.ids }
    public var groupCount: Int { groups.count }

    private func aggregate(_ s: AggSpec, cache: inout GroupCache) throws -> Column {
        guard let name = s.column else {
            guard s.op == .count else { throw FrameError.invalid("group_by: \(s.op.name) needs a column") }
            return Column(name: "count", data: .int64(cache.sizes(groups)), validity: nil)
        }
        let col = try frame.column(name)
        let g = groups
        func numeric() throws {
            guard col.data.isNumeric else {
                throw FrameError.typeMismatch(column: name, expected: "a numeric column for \(s.op.name)", got: col.dtype)
            }
        }
        switch s.op {
        case .count:
            return Column(name: name, data: .int64(cache.counts(col, g)), validity: nil)
        case .sum:
            try numeric()
            if case .float64 = col.data { return Column(name: name, data: .float64(cache.sums(col, g)), validity: nil) }
            return Column(name: name, data: .int64(try GroupKernels.intSums(col, g)), validity: nil)
        case .mean:
            try numeric()
            return cache.means(col, g)
        case .std:
            try numeric()
            return GroupKernels.std(col, g, means: cache.means(col, g), counts: cache.counts(col, g))
        case .min, .max:
            return GroupKernels.minMax(col, g, max: s.op == .max)
        case .first, .last:
            return col.take(GroupKernels.firstLast(col, g, last: s.op == .last))
        case .nunique:
            return Column(name: name, data: .int64(try GroupKernels.nunique(col, g)), validity: nil)
        case .quantile(let q):
            try numeric()
            guard q >= 0 && q <= 1 else { throw FrameError.invalid("quantile: q = \(q) must be in [0, 1]") }
            return GroupKernels.quantile(col, g, q: q)
        }
    }
}

extension Frame {
    /// Groups rows by the key columns (one or more; any type; text by value).
    public func groupBy(_ keys: [String]) throws -> GroupedFrame {
        guard !keys.isEmpty else { throw FrameError.invalid("group_by needs at least one key column") }
        let cols = try keys.map { try column($0) }
        let f = nrow == 0 ? Factorized(ids: [], count: 0, firstRow: [])
                          : try Factorizer.factorize(keys: cols.map { [$0] })
        return GroupedFrame(frame: self, keys: keys, groups: f)
    }
}

/// Per-agg-call memo so mean/std/count of one column share their passes.
struct GroupCache {
    private var countMemo: [String: [Int64]] = [:]
    private var sumMemo: [String: [Double]] = [:]
    private var meanMemo: [String: Column] = [:]
    private var sizeMemo: [Int64]? = nil

    mutating func sizes(_ g: Factorized) -> [Int64] {
        if let s = sizeMemo { return s }
        let s = GroupKernels.counts(nil, g)
        sizeMemo = s
        return s
    }
    mutating func counts(_ c: Column, _ g: Factorized) -> [Int64] {
        if c.validity == nil { return sizes(g) }
        if let v = countMemo[c.name] { return v }
        let v = GroupKernels.counts(c.validity, g)
        countMemo[c.name] = v
        return v
    }
    mutating func sums(_ c: Column, _ g: Factorized) -> [Double] {
        if let v = sumMemo[c.name] { return v }
        let v = GroupKernels.doubleSums(c, g)
        sumMemo[c.name] = v
        return v
    }
    mutating func means(_ c: Column, _ g: Factorized) -> Column {
        if let v = meanMemo[c.name] { return v }
        let s = sums(c, g), n = counts(c, g)
        var m = [Double](repeating: 0, count: g.count)
        var valid = Validity(count: g.count, allValid: true)
        for i in 0..<g.count { if n[i] > 0 { m[i] = s[i] / Double(n[i]) } else { valid.set(i, false) } }
        let col = Column(name: c.name, data: .float64(m), validity: valid)
        meanMemo[c.name] = col
        return col
    }
}
