/// As-of and range joins: the "what was true at that time" lookups of churn
/// work (the plan in force at each event, the last payment before an
/// observation date).
///
/// `joinAsof` is pandas' `merge_asof`: every left row, with the right row whose
/// `on` value is the last at or before (backward), the first at or after
/// (forward) or the closest (nearest; ties go backward) — within the same `by`
/// group and at most `tolerance` away. Unlike pandas, neither frame needs to be
/// sorted (the right rows are sorted here; left rows keep their order).
/// `joinRange` gives every (left, right) pair with `lower <= on < upper`
/// (interval lookups such as "the subscription term containing the event").
public enum AsofDirection: String, Sendable, CaseIterable { case backward, forward, nearest }

extension Frame {
    /// The `on` values as comparable doubles: numbers, dates in days, timestamps in days.
    static func asofKey(_ c: Column, role: String) throws -> [Double] {
        switch c.data {
        case .int64, .float64, .date: break
        case .timestamp(let t):
            let perDay = Double(DateText.microsPerDay)
            return t.indices.map { c.isNull($0) ? .nan : Double(t[$0]) / perDay }
        default: throw FrameError.invalid("join_asof: \(role) column '\(c.name)' is \(c.dtype.rawValue); numbers, dates or timestamps expected")
        }
        return c.toDoubles()!
    }

    /// Right rows grouped by the `by` keys (shared ids with the left rows) and
    /// sorted by `key` within each group; null/NaN keys left out.
    private static func rightIndex(_ left: Frame, _ right: Frame, by: [String], rightBy: [String],
                                   rightKey: [Double]) throws -> (leftGroup: [Int32], groups: [[Int]]) {
        let n = left.nrow, m = right.nrow
        var leftGroup = [Int32](repeating: 0, count: n), rightGroup = [Int32](repeating: 0, count: m)
        var count = 1
        if !by.isEmpty {
            let f = try Factorizer.factorize(keys: try zip(by, rightBy).map { [try left.column($0), try right.column($1)] })
            leftGroup = Array(f.ids[0..<n]); rightGroup = Array(f.ids[n...])
            count = f.count
            // A null `by` key matches nothing.
            if let nulls = Factorizer.nullRows(keys: try zip(by, rightBy).map { [try left.column($0), try right.column($1)] }, total: n + m) {
                for i in 0..<n where nulls[i] { leftGroup[i] = -1 }
                for j in 0..<m where nulls[n + j] { rightGroup[j] = -1 }
            }
        }
        var groups = [[Int]](repeating: [], count: count)
        for j in 0..<m where rightGroup[j] >= 0 && !rightKey[j].isNaN { groups[Int(rightGroup[j])].append(j) }
        for g in groups.indices where groups[g].count > 1 {
            groups[g].sort { rightKey[$0] != rightKey[$1] ? rightKey[$0] < rightKey[$1] : $0 < $1 }
        }
        return (leftGroup, groups)
    }

    public func joinAsof(_ right: Frame, on: String, rightOn: String? = nil, by: [String] = [], rightBy: [String]? = nil,
                         direction: AsofDirection = .backward, tolerance: Double? = nil, allowExactMatches: Bool = true,
                         suffix: String = "_right") throws -> Frame {
        let rOn = rightOn ?? on, rBy = rightBy ?? by
        guard rBy.count == by.count else { throw FrameError.invalid("join_asof: 'by' and 'right_by' differ in length") }
        let lk = try Frame.asofKey(try column(on), role: "left"), rk = try Frame.asofKey(try right.column(rOn), role: "right")
        let (leftGroup, groups) = try Frame.rightIndex(self, right, by: by, rightBy: rBy, rightKey: rk)
        var match = [Int](repeating: -1, count: nrow)
        for i in 0..<nrow {
            if i & 0xFFFF == 0 { try ExecutionContext.check() }
            let g = leftGroup[i], x = lk[i]
            guard g >= 0, !x.isNaN else { continue }
            let rows = groups[Int(g)]
            guard !rows.isEmpty else { continue }
            // First position whose key is > x (or >= x without exact matches).
            func upper(_ strict: Bool) -> Int {
                var lo = 0, hi = rows.count
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if strict ? rk[rows[mid]] < x : rk[rows[mid]] <= x { lo = mid + 1 } else { hi = mid }
                }
                return lo
            }
            let back: Int? = { let p = upper(!allowExactMatches); return p > 0 ? rows[p - 1] : nil }()
            let fwd: Int? = { let p = upper(allowExactMatches); return p < rows.count ? rows[p] : nil }()
            var pick: Int?
            switch direction {
            case .backward: pick = back
            case .forward: pick = fwd
            case .nearest:
                if let b = back, let f = fwd { pick = (x - rk[b]) <= (rk[f] - x) ? b : f } else { pick = back ?? fwd }
            }
            if let p = pick, tolerance.map({ Swift.abs(rk[p] - x) <= $0 }) ?? true { match[i] = p }
        }
        // Keys named alike on both sides appear once (pandas); differently named right keys stay.
        let dropRight = Set((rightOn == nil ? [on] : []) + (rightBy == nil ? by : []))
        return try combine(right, leftRows: Array(0..<nrow), rightRows: match, dropRight: dropRight, suffix: suffix)
    }

    /// Every pair of a left row and a right row of the same `by` group with
    /// `lower <= on < upper` (`closed = "both"`: `<= upper`). Left rows without
    /// a match are kept with nulls when `keepUnmatched` (a left join).
    public func joinRange(_ right: Frame, on: String, lower: String, upper: String, by: [String] = [], rightBy: [String]? = nil,
                          closedUpper: Bool = false, keepUnmatched: Bool = true, suffix: String = "_right") throws -> Frame {
        let rBy = rightBy ?? by
        let x = try Frame.asofKey(try column(on), role: "left")
        let lo = try Frame.asofKey(try right.column(lower), role: "lower"), hi = try Frame.asofKey(try right.column(upper), role: "upper")
        let (leftGroup, groups) = try Frame.rightIndex(self, right, by: by, rightBy: rBy, rightKey: lo)
        var lrows: [Int] = [], rrows: [Int] = []
        for i in 0..<nrow {
            if i & 0xFFF == 0 { try ExecutionContext.check() }
            var found = false
            let g = leftGroup[i], v = x[i]
            if g >= 0, !v.isNaN {
                let rows = groups[Int(g)]
                // Right rows are sorted by lower: scan those with lower <= v.
                var end = 0, top = rows.count
                while end < top { let mid = (end + top) / 2; if lo[rows[mid]] <= v { end = mid + 1 } else { top = mid } }
                for j in rows[0..<end] where !hi[j].isNaN && (closedUpper ? v <= hi[j] : v < hi[j]) {
                    lrows.append(i); rrows.append(j); found = true
                }
            }
            if !found && keepUnmatched { lrows.append(i); rrows.append(-1) }
        }
        return try combine(right, leftRows: lrows, rightRows: rrows, dropRight: rightBy == nil ? Set(by) : [], suffix: suffix)
    }

    /// Left columns at `leftRows`, then right columns (minus `dropRight`) at
    /// `rightRows` (-1: null), names clashing with the left's get `suffix`.
    func combine(_ right: Frame, leftRows: [Int], rightRows: [Int], dropRight: Set<String>, suffix: String) throws -> Frame {
        var out = columns.map { $0.take(leftRows) }
        let taken = Set(names)
        for c in right.columns where !dropRight.contains(c.name) {
            let name = taken.contains(c.name) ? c.name + suffix : c.name
            out.append(c.take(rightRows).renamed(name))
        }
        return try Frame(out)
    }
}
