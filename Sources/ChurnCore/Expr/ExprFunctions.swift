import Foundation

/// The vocabulary of column functions beyond arithmetic: math, rounding,
/// clipping, casts, text, date parts and month arithmetic, and the
/// order-dependent window functions (shift, cumsum, rank) with `over`.
/// Null semantics follow polars: a null input row gives a null output row;
/// NaN is a float value (log(-1) is NaN, as in numpy and polars).
extension Expr {
    /// Element-wise float functions (ints and bools are read as floats).
    public enum MathFunction: String, Sendable, CaseIterable {
        case log, log1p, exp, sqrt, abs, asinh, floor, ceil, log10, log2, expm1, sign
    }

    /// Text functions. Patterns are literal text (not regular expressions).
    public enum TextFunction: Sendable {
        case lower, upper, length, strip
        case contains(String), startsWith(String), endsWith(String)
        case replace(String, String)
    }

    /// Calendar fields of dates and timestamps (UTC). `weekday` is pandas'
    /// `dayofweek`: Monday = 0 … Sunday = 6.
    public enum DatePart: String, Sendable, CaseIterable {
        case year, quarter, month, day, weekday, dayOfYear = "day_of_year", hour, minute, second
    }

    /// Functions of the row order (within a partition under `over`).
    public enum WindowFunction: Sendable {
        /// Value `n` rows earlier (n > 0, pandas `shift(n)`) or later (n < 0); null outside.
        case shift(Int)
        /// Running sum; a null row stays null and does not reset the sum (pandas `cumsum`, skipna).
        case cumsum
        /// 1-based rank among non-null values; ties by `RankMethod`; null stays null.
        case rank(RankMethod, descending: Bool)
        /// Row number 1, 2, … in order (pandas `cumcount() + 1`).
        case rowNumber
        /// The partition's aggregate on every row of it (pandas
        /// `groupby().transform(op)`; the whole column without `over`), or with
        /// `over(…, orderBy:)` its running value up to the row (see `Aggregate`).
        case aggregate(Aggregate)
    }

    /// Aggregates of `aggregate`, skipping nulls and NaN as pandas does. Whole
    /// partition: sum (0 when nothing to add), mean/min/max (null when nothing),
    /// count (non-null values), first/last (first/last non-null value).
    /// Running (ordered `over`): sum/min/max as pandas cumsum/cummin/cummax (null
    /// and NaN rows stay null); mean as pandas `expanding().mean()` and count as
    /// `expanding().count()` (the value so far on every row); first/last the
    /// first / latest non-null value so far (last is a forward fill).
    public enum Aggregate: String, Sendable, CaseIterable { case sum, mean, min, max, count, first, last }

    /// Ties in `rank`, as pandas' `method`.
    public enum RankMethod: String, Sendable, CaseIterable { case average, min, max, dense, first }

    public func math(_ f: MathFunction) -> Expr { .math(f, self) }
    public func round(_ digits: Int = 0) -> Expr { .round(self, digits: digits) }
    /// Values below `lower` become `lower`, above `upper` become `upper` (pandas `clip`).
    public func clip(lower: Double?, upper: Double?) -> Expr { .clip(self, lower: lower, upper: upper) }
    /// Nulls replaced by `value` (an expression or literal); NaN is not null (polars `fill_null`).
    public func fillNull(_ value: Expr) -> Expr { .when(.unary(.isNotNull, self), self, value) }
    public func cast(_ to: DType) -> Expr { .cast(self, to) }
    public func text(_ f: TextFunction) -> Expr { .text(f, self) }
    public func datePart(_ p: DatePart) -> Expr { .datePart(p, self) }
    /// Shifts dates/timestamps by calendar months, clamping the day to the
    /// month's end (pandas `DateOffset(months=n)`: 2024-01-31 + 1 → 2024-02-29).
    public func addMonths(_ n: Int) -> Expr { .addMonths(self, n) }
    public func window(_ f: WindowFunction) -> Expr { .window(f, self) }
    /// Evaluates window functions inside each group of `partitionBy`, rows
    /// ordered by `orderBy` (stable; input order when empty); results go back
    /// to the input rows (polars `over`, SQL `OVER (PARTITION BY … ORDER BY …)`).
    public func over(_ partitionBy: [String], orderBy: [String] = [], descending: Bool = false) -> Expr {
        .over(self, partitionBy: partitionBy, orderBy: orderBy, descending: descending)
    }
}

/// Row ranges [start, end) the window functions run in: one range for the
/// whole column, or one per partition (rows already sorted by `over`).
struct Segments {
    var bounds: [Int]   // starts, then the total count
    /// Rows are ordered (`over` with `orderBy`): aggregates are running values.
    var running = false
    static func whole(_ n: Int) -> Segments { Segments(bounds: [0, n]) }
    func forEach(_ body: (Range<Int>) throws -> Void) rethrows {
        for k in 0..<(bounds.count - 1) { try body(bounds[k]..<bounds[k + 1]) }
    }
}

enum ExprFunctionKernels {
    static func fail(_ expr: Expr, _ what: String) -> ExprError { ExprError("in \(expr): \(what)") }

    /// Runs `body` on a one-row column for a scalar input, unwrapping the result.
    static func lifted(_ x: Evaluated, _ body: (Column) throws -> Column) throws -> Evaluated {
        switch x {
        case .scalar(.null): return .scalar(.null)
        case .scalar: return .scalar(try body(try x.column(1)).value(at: 0))
        case .column(let c): return .column(try body(c))
        }
    }

    static func doubles(_ c: Column, _ expr: Expr, _ what: String) throws -> [Double] {
        switch c.data {
        case .float64(let v): return v
        case .int64(let v): return v.map(Double.init)
        case .bool(let v): return v.map { $0 ? 1 : 0 }
        default: throw fail(expr, "\(what) needs a number column, got \(c.dtype.rawValue)")
        }
    }

    // MARK: math

    static func math(_ f: Expr.MathFunction, _ x: Evaluated, expr: Expr) throws -> Evaluated {
        try lifted(x) { c in
            // Integer-preserving cases: abs, floor, ceil, sign of ints stay ints (pandas/polars).
            if case .int64(let v) = c.data, [.abs, .floor, .ceil, .sign].contains(f) {
                switch f {
                case .abs:
                    if let i = v.indices.first(where: { v[$0] == .min && !c.isNull($0) }) {
                        throw fail(expr, "abs of \(v[i]) (row \(i + 1)) does not fit a 64-bit integer")
                    }
                    return Column(name: "expr", data: .int64(v.map { $0 < 0 ? -$0 : $0 }), validity: c.validity)
                case .sign: return Column(name: "expr", data: .int64(v.map { $0.signum() }), validity: c.validity)
                default: return c
                }
            }
            let v = try doubles(c, expr, f.rawValue)
            let g: (Double) -> Double
            switch f {
            case .log: g = Foundation.log
            case .log1p: g = Foundation.log1p
            case .log10: g = Foundation.log10
            case .log2: g = Foundation.log2
            case .exp: g = Foundation.exp
            case .expm1: g = Foundation.expm1
            case .sqrt: g = Foundation.sqrt
            case .abs: g = Swift.abs
            case .asinh: g = Foundation.asinh
            case .floor: g = Foundation.floor
            case .ceil: g = Foundation.ceil
            case .sign: g = { $0 > 0 ? 1 : $0 < 0 ? -1 : $0 }   // NaN and ±0 unchanged, as numpy
            }
            return Column(name: "expr", data: .float64(v.map(g)), validity: c.validity)
        }
    }

    /// Half to even at `digits` decimals (numpy's `around`, which pandas' `round` uses).
    static func round(_ x: Evaluated, digits: Int, expr: Expr) throws -> Evaluated {
        try lifted(x) { c in
            if case .int64 = c.data, digits >= 0 { return c }
            let v = try doubles(c, expr, "round")
            let scale = Foundation.pow(10.0, Double(digits))
            let r = v.map { x -> Double in
                let y = (x * scale).rounded(.toNearestOrEven) / scale
                return y.isFinite ? y : x
            }
            return Column(name: "expr", data: .float64(r), validity: c.validity)
        }
    }

    static func clip(_ x: Evaluated, lower: Double?, upper: Double?, expr: Expr) throws -> Evaluated {
        if let lower, let upper, lower > upper { throw fail(expr, "clip: lower \(lower) is above upper \(upper)") }
        return try lifted(x) { c in
            if case .int64(let v) = c.data,
               lower.map({ Int64(exactly: $0) != nil }) ?? true, upper.map({ Int64(exactly: $0) != nil }) ?? true {
                let lo = lower.map { Int64($0) } ?? .min, hi = upper.map { Int64($0) } ?? .max
                return Column(name: "expr", data: .int64(v.map { Swift.min(Swift.max($0, lo), hi) }), validity: c.validity)
            }
            let v = try doubles(c, expr, "clip")
            let lo = lower ?? -.infinity, hi = upper ?? .infinity
            // NaN stays NaN (pandas).
            return Column(name: "expr", data: .float64(v.map { $0.isNaN ? $0 : Swift.min(Swift.max($0, lo), hi) }), validity: c.validity)
        }
    }

    // MARK: text

    static func text(_ f: Expr.TextFunction, _ x: Evaluated, expr: Expr) throws -> Evaluated {
        try lifted(x) { c in
            guard case .string(let codes, let dict) = c.data.textView else {
                throw fail(expr, "text functions need a string column, got \(c.dtype.rawValue)")
            }
            // Decided once per dictionary entry, then gathered by code.
            func byEntry<T>(_ g: (String) -> T) -> [T] {
                let table = dict.map(g)
                if table.isEmpty { return [] }
                return table.withUnsafeBufferPointer { t in codes.map { t[Int($0)] } }
            }
            switch f {
            case .lower, .upper, .strip, .replace:
                let mapped: [String] = dict.map { s in
                    switch f {
                    case .lower: return s.lowercased()
                    case .upper: return s.uppercased()
                    case .strip: return s.trimmingCharacters(in: .whitespacesAndNewlines)
                    case .replace(let a, let b): return a.isEmpty ? s : s.replacingOccurrences(of: a, with: b)
                    default: return s
                    }
                }
                // Entries may collide after mapping ("A", "a" → "a"): re-code.
                var merger = DictionaryMerger()
                let remap = merger.add(mapped)
                let newCodes = remap.isEmpty ? codes : remap.withUnsafeBufferPointer { r in codes.map { r[Int($0)] } }
                return Column(name: "expr", data: .string(codes: newCodes, dictionary: merger.strings), validity: c.validity)
            case .length:
                return Column(name: "expr", data: .int64(dict.isEmpty ? codes.map { _ in 0 } : byEntry { Int64($0.count) }), validity: c.validity)
            case .contains(let p):
                return Column(name: "expr", data: .bool(dict.isEmpty ? codes.map { _ in false } : byEntry { p.isEmpty || $0.contains(p) }), validity: c.validity)
            case .startsWith(let p):
                return Column(name: "expr", data: .bool(dict.isEmpty ? codes.map { _ in false } : byEntry { $0.hasPrefix(p) }), validity: c.validity)
            case .endsWith(let p):
                return Column(name: "expr", data: .bool(dict.isEmpty ? codes.map { _ in false } : byEntry { $0.hasSuffix(p) }), validity: c.validity)
            }
        }
    }

    // MARK: dates

    static func datePart(_ p: Expr.DatePart, _ x: Evaluated, expr: Expr) throws -> Evaluated {
        try lifted(x) { c in
            let days: [Int32], micros: [Int64]?
            switch c.data {
            case .date(let d): days = d; micros = nil
            case .timestamp(let t):
                micros = t
                days = t.map { Int32(truncatingIfNeeded: floorDiv($0, DateText.microsPerDay)) }
            default: throw fail(expr, "\(p.rawValue) needs a date or timestamp column, got \(c.dtype.rawValue)")
            }
            var out = [Int64](repeating: 0, count: c.count)
            for i in 0..<c.count {
                let d = Int(days[i])
                switch p {
                case .year, .month, .day, .quarter, .dayOfYear:
                    let (y, m, dd) = DateText.civil(days: d)
                    switch p {
                    case .year: out[i] = Int64(y)
                    case .month: out[i] = Int64(m)
                    case .day: out[i] = Int64(dd)
                    case .quarter: out[i] = Int64((m - 1) / 3 + 1)
                    default: out[i] = Int64(d - DateText.days(year: y, month: 1, day: 1) + 1)
                    }
                case .weekday:
                    // 1970-01-01 was a Thursday (pandas dayofweek 3).
                    out[i] = Int64(((d % 7) + 7 + 3) % 7)
                case .hour, .minute, .second:
                    guard let micros else { out[i] = 0; continue }
                    let inDay = micros[i] - Int64(d) * DateText.microsPerDay
                    let secs = inDay / 1_000_000
                    out[i] = p == .hour ? secs / 3600 : p == .minute ? (secs / 60) % 60 : secs % 60
                }
            }
            return Column(name: "expr", data: .int64(out), validity: c.validity)
        }
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    /// Calendar-month shift with the day clamped to the target month's length.
    static func addMonths(_ x: Evaluated, _ n: Int, expr: Expr) throws -> Evaluated {
        func shift(_ d: Int) throws -> Int {
            let (y, m, dd) = DateText.civil(days: d)
            let total = y * 12 + (m - 1) + n
            let ny = Int(floorDiv(Int64(total), 12)), nm = total - ny * 12 + 1
            guard (-200_000...200_000).contains(ny) else { throw fail(expr, "add_months(\(n)) leaves the date range") }
            let nextMonthStart = nm == 12 ? DateText.days(year: ny + 1, month: 1, day: 1) : DateText.days(year: ny, month: nm + 1, day: 1)
            let length = nextMonthStart - DateText.days(year: ny, month: nm, day: 1)
            return DateText.days(year: ny, month: nm, day: Swift.min(dd, length))
        }
        return try lifted(x) { c in
            switch c.data {
            case .date(let v):
                var out = [Int32](repeating: 0, count: v.count)
                for i in 0..<v.count where !c.isNull(i) {
                    let s = try shift(Int(v[i]))
                    guard let t = Int32(exactly: s) else { throw fail(expr, "add_months(\(n)) leaves the date range at row \(i + 1)") }
                    out[i] = t
                }
                return Column(name: "expr", data: .date(out), validity: c.validity)
            case .timestamp(let v):
                var out = [Int64](repeating: 0, count: v.count)
                for i in 0..<v.count where !c.isNull(i) {
                    let d = floorDiv(v[i], DateText.microsPerDay)
                    let inDay = v[i] - d * DateText.microsPerDay
                    out[i] = Int64(try shift(Int(d))) * DateText.microsPerDay + inDay
                }
                return Column(name: "expr", data: .timestamp(out), validity: c.validity)
            default: throw fail(expr, "add_months needs a date or timestamp column, got \(c.dtype.rawValue)")
            }
        }
    }

    // MARK: windows

    static func window(_ f: Expr.WindowFunction, _ x: Evaluated, segments: Segments, n: Int, expr: Expr) throws -> Evaluated {
        try ExecutionContext.check()   // one pass over the rows follows
        let c = try x.column(n)
        switch f {
        case .shift(let k):
            var idx = [Int](repeating: -1, count: n)
            segments.forEach { r in
                for i in r { let j = i - k; if j >= r.lowerBound && j < r.upperBound { idx[i] = j } }
            }
            return .column(c.take(idx))
        case .rowNumber:
            var out = [Int64](repeating: 0, count: n)
            segments.forEach { r in for i in r { out[i] = Int64(i - r.lowerBound + 1) } }
            return .column(Column(name: "expr", data: .int64(out)))
        case .cumsum:
            switch c.data {
            case .int64(let v):
                var out = [Int64](repeating: 0, count: n)
                try segments.forEach { r in
                    var s: Int64 = 0
                    for i in r where !c.isNull(i) {
                        let (t, o) = s.addingReportingOverflow(v[i])
                        if o { throw fail(expr, "cumsum passes the 64-bit integer range at row \(i + 1); cast to float first") }
                        s = t; out[i] = s
                    }
                }
                return .column(Column(name: "expr", data: .int64(out), validity: c.validity))
            default:
                let v = try doubles(c, expr, "cumsum")
                var out = [Double](repeating: 0, count: n)
                segments.forEach { r in
                    var s = 0.0
                    // pandas skips NaN too (the NaN row stays NaN, the sum goes on).
                    for i in r where !c.isNull(i) { if v[i].isNaN { out[i] = .nan } else { s += v[i]; out[i] = s } }
                }
                return .column(Column(name: "expr", data: .float64(out), validity: c.validity))
            }
        case .rank(let method, let descending):
            let words = Frame.orderWords(c, descending: descending)
            var out = [Double](repeating: 0, count: n)
            var valid = Validity(count: n, allValid: true)
            // Null and NaN rows get no rank (pandas na_option='keep').
            var skip = [Bool](repeating: false, count: n)
            for i in 0..<n where c.isNull(i) { skip[i] = true }
            if case .float64(let v) = c.data { for i in 0..<n where v[i].isNaN { skip[i] = true } }
            try segments.forEach { r in
                let rows = r.filter { !skip[$0] }
                for i in r where skip[i] { valid.set(i, false) }
                let order = try RadixSort.stableOrder(rows, by: words)
                var k = 0, dense = 0
                while k < order.count {
                    var e = k
                    while e + 1 < order.count && words[order[e + 1]] == words[order[k]] { e += 1 }
                    dense += 1
                    for j in k...e {
                        switch method {
                        case .average: out[order[j]] = Double(k + e + 2) / 2
                        case .min: out[order[j]] = Double(k + 1)
                        case .max: out[order[j]] = Double(e + 1)
                        case .dense: out[order[j]] = Double(dense)
                        case .first: out[order[j]] = Double(j + 1)
                        }
                    }
                    k = e + 1
                }
            }
            return .column(Column(name: "expr", data: .float64(out), validity: valid))
        case .aggregate(let a):
            return .column(try aggregate(a, c, segments: segments, n: n, expr: expr))
        }
    }

    /// `aggregate` over each segment (broadcast, or running when `segments.running`).
    static func aggregate(_ a: Expr.Aggregate, _ c: Column, segments: Segments, n: Int, expr: Expr) throws -> Column {
        let running = segments.running
        // Rows that count: not null, not NaN.
        var present = [Bool](repeating: true, count: n)
        for i in 0..<n where c.isNull(i) { present[i] = false }
        if case .float64(let v) = c.data { for i in 0..<n where v[i].isNaN { present[i] = false } }
        switch a {
        case .first, .last, .min, .max:
            // A source row per row, then one gather: keeps the column's type (int, float, date, text).
            var idx = [Int](repeating: -1, count: n)
            let v: [Double]? = (a == .min || a == .max) ? c.toDoubles() : nil
            if a == .min || a == .max {
                guard v != nil, c.dtype != .bool else { throw fail(expr, "\(a.rawValue) needs a numeric, date or timestamp column, got \(c.dtype.rawValue)") }
            }
            func better(_ i: Int, than j: Int) -> Bool {
                guard j >= 0 else { return true }
                switch a {
                case .first: return false
                case .last: return true
                case .min: return v![i] < v![j]
                default: return v![i] > v![j]
                }
            }
            segments.forEach { r in
                var best = -1
                for i in r {
                    if present[i] && better(i, than: best) { best = i }
                    if running { idx[i] = (a == .min || a == .max) && !present[i] ? -1 : best }
                }
                if !running { for i in r { idx[i] = best } }
            }
            return c.take(idx)
        case .count:
            var out = [Int64](repeating: 0, count: n)
            segments.forEach { r in
                var k: Int64 = 0
                for i in r { if present[i] { k += 1 }; if running { out[i] = k } }
                if !running { for i in r { out[i] = k } }
            }
            return Column(name: "expr", data: .int64(out))
        case .sum, .mean:
            guard c.dtype != .string && c.dtype != .category && c.dtype != .date && c.dtype != .timestamp else {
                throw fail(expr, "\(a.rawValue) needs a numeric or bool column, got \(c.dtype.rawValue)")
            }
            var valid = Validity(count: n, allValid: true)
            // Integer sums stay integers (bools count as 0/1, as pandas).
            let ints: [Int64]? = {
                switch c.data {
                case .int64(let iv): return iv
                case .bool(let b): return b.map { $0 ? 1 : 0 }
                default: return nil
                }
            }()
            if a == .sum, let iv = ints {
                var out = [Int64](repeating: 0, count: n)
                try segments.forEach { r in
                    var s: Int64 = 0
                    for i in r {
                        if present[i] {
                            let (t, o) = s.addingReportingOverflow(iv[i])
                            if o { throw fail(expr, "sum passes the 64-bit integer range at row \(i + 1); cast to float first") }
                            s = t
                        }
                        if running { out[i] = s; if !present[i] { valid.set(i, false) } }
                    }
                    if !running { for i in r { out[i] = s } }
                }
                return Column(name: "expr", data: .int64(out), validity: running ? valid : nil)
            }
            let v = try doubles(c, expr, a.rawValue)
            var out = [Double](repeating: 0, count: n)
            segments.forEach { r in
                // Kahan-compensated, so a group's sum matches numpy's pairwise sum to ~1 ulp.
                var s = 0.0, comp = 0.0, k = 0
                func add(_ x: Double) { let y = x - comp; let t = s + y; comp = (t - s) - y; s = t; k += 1 }
                for i in r {
                    if present[i] { add(v[i]) }
                    if running {
                        // cumsum keeps null rows null; an expanding mean reports the mean so far (pandas).
                        if a == .sum { if present[i] { out[i] = s } else { valid.set(i, false) } }
                        else if k > 0 { out[i] = s / Double(k) } else { valid.set(i, false) }
                    }
                }
                if !running {
                    for i in r {
                        if a == .sum { out[i] = s } else if k > 0 { out[i] = s / Double(k) } else { valid.set(i, false) }
                    }
                }
            }
            return Column(name: "expr", data: .float64(out), validity: valid)
        }
    }

    /// Sorts rows into partitions (then by `orderBy`), evaluates `inner` with
    /// those segments, and puts the results back in input order.
    static func over(_ inner: Expr, partitionBy: [String], orderBy: [String], descending: Bool,
                     frame f: Frame, expr: Expr) throws -> Evaluated {
        let n = f.nrow
        try ExecutionContext.check()   // grouping, a sort and a gather follow
        var ids = [Int32](repeating: 0, count: n)
        if !partitionBy.isEmpty {
            ids = try Factorizer.factorize(keys: partitionBy.map { [try f.column($0)] }).ids
        }
        var keyFrame = try Frame([Column(name: "\u{0}group", data: .int64(ids.map(Int64.init)))])
        for name in orderBy { try keyFrame.append(try f.column(name).renamed("\u{0}order" + name)) }
        let perm = try keyFrame.argsort([SortKey("\u{0}group")] + orderBy.map { SortKey("\u{0}order" + $0, descending: descending) })
        var bounds = [0]
        for i in 1..<Swift.max(n, 1) where i < n && ids[perm[i]] != ids[perm[i - 1]] { bounds.append(i) }
        bounds.append(n)
        if n == 0 { bounds = [0, 0] }
        let sorted = f.takeUnchecked(perm)
        let r = try inner.eval(sorted, segments: Segments(bounds: bounds, running: !orderBy.isEmpty))
        guard case .column(let c) = r else { return r }
        var inverse = [Int](repeating: 0, count: n)
        for (i, p) in perm.enumerated() { inverse[p] = i }
        return .column(c.take(inverse))
    }
}

// MARK: casts

extension Column {
    /// The column converted to `to`, as polars' strict `cast`: numbers ↔ numbers
    /// (float → int truncates toward zero; NaN, ±inf or out of range is an error
    /// naming the row), anything → string (the displayed text), text → numbers,
    /// bool, date or timestamp (unparsable text is an error naming the row),
    /// date ↔ timestamp (midnight; a timestamp's date), string ↔ category.
    /// Nulls stay null (a typed null: `cl.lit(nil):cast("float")`).
    public func cast(to: DType) throws -> Column {
        if dtype == to { return self }
        func bad(_ i: Int, _ what: String) -> ExprError {
            ExprError("cannot cast \(dtype.rawValue) column '\(name)' to \(to.rawValue): row \(i + 1) \(what)")
        }
        let n = count
        switch (data, to) {
        case (.string(let c, let d), .category): return Column(name: name, data: .category(codes: c, levels: d), validity: validity)
        case (.category(let c, let d), .string): return Column(name: name, data: .string(codes: c, dictionary: d), validity: validity)
        case (_, .string), (_, .category):
            var texts = [String?](repeating: nil, count: n)
            for i in 0..<n where !isNull(i) {
                switch data {
                case .date(let v): texts[i] = DateText.format(days: v[i])
                case .timestamp(let v): texts[i] = DateText.format(micros: v[i])
                default: texts[i] = value(at: i).description
                }
            }
            return .string(name, texts, category: to == .category)
        case (.string(let codes, let d), _), (.category(let codes, let d), _):
            // Parse each dictionary entry once.
            var parsed = [CellValue?](repeating: nil, count: d.count)
            for (k, s) in d.enumerated() {
                let t = s.trimmingCharacters(in: .whitespaces)
                switch to {
                case .int64: parsed[k] = Int64(t).map { .int($0) }
                case .float64: parsed[k] = Double(t).map { .float($0) }
                case .bool:
                    switch t.lowercased() {
                    case "true", "1": parsed[k] = .bool(true)
                    case "false", "0": parsed[k] = .bool(false)
                    default: parsed[k] = nil
                    }
                case .date: parsed[k] = DateText.parseDate(t).map { .date($0) }
                case .timestamp: parsed[k] = DateText.parseTimestamp(t).map { .timestamp($0) }
                default: parsed[k] = nil
                }
            }
            var out: [CellValue] = []
            out.reserveCapacity(n)
            for i in 0..<n {
                if isNull(i) { out.append(.null); continue }
                guard let v = parsed[Int(codes[i])] else { throw bad(i, "'\(d[Int(codes[i])])' is not a valid \(to.rawValue)") }
                out.append(v)
            }
            return try Column.fromCells(name, out, dtype: to)
        case (.date(let v), .timestamp):
            return Column(name: name, data: .timestamp(v.map { Int64($0) * DateText.microsPerDay }), validity: validity)
        case (.timestamp(let v), .date):
            var out = [Int32](repeating: 0, count: n)
            for i in 0..<n where !isNull(i) {
                guard let d = Int32(exactly: ExprFunctionKernels.floorDiv(v[i], DateText.microsPerDay)) else { throw bad(i, "is out of the date range") }
                out[i] = d
            }
            return Column(name: name, data: .date(out), validity: validity)
        case (.float64(let v), .int64):
            var out = [Int64](repeating: 0, count: n)
            for i in 0..<n where !isNull(i) {
                guard v[i].isFinite, let t = Int64(exactly: v[i].rounded(.towardZero)) else { throw bad(i, "is \(v[i].isNaN ? "NaN" : "\(v[i])"), which has no int value") }
                out[i] = t
            }
            return Column(name: name, data: .int64(out), validity: validity)
        case (.bool(let v), .int64): return Column(name: name, data: .int64(v.map { $0 ? 1 : 0 }), validity: validity)
        case (.int64, .float64), (.bool, .float64): return try asFloat64()
        case (.int64(let v), .bool): return Column(name: name, data: .bool(v.map { $0 != 0 }), validity: validity)
        case (.float64(let v), .bool): return Column(name: name, data: .bool(v.map { $0 != 0 }), validity: validity)
        case (.date(let v), .int64): return Column(name: name, data: .int64(v.map(Int64.init)), validity: validity)
        case (.timestamp(let v), .int64): return Column(name: name, data: .int64(v), validity: validity)
        default:
            throw ExprError("cannot cast \(dtype.rawValue) column '\(name)' to \(to.rawValue)")
        }
    }

    /// A column of `dtype` from typed cells (nulls allowed; values already of that kind).
    static func fromCells(_ name: String, _ cells: [CellValue], dtype: DType) throws -> Column {
        let valid = Validity(cells.map { !$0.isNull })
        let data: ColumnData
        switch dtype {
        case .int64: data = .int64(cells.map { if case .int(let v) = $0 { return v }; return 0 })
        case .float64: data = .float64(cells.map { $0.number ?? 0 })
        case .bool: data = .bool(cells.map { $0 == .bool(true) })
        case .date: data = .date(cells.map { $0.asDate() ?? 0 })
        case .timestamp: data = .timestamp(cells.map { $0.asTimestamp() ?? 0 })
        case .string, .category: return .string(name, cells.map { $0.isNull ? nil : $0.description }, category: dtype == .category)
        }
        return Column(name: name, data: data, validity: valid)
    }
}
