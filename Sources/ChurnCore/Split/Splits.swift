/// Seeded train/test splits and cross-validation folds. Row indices are
/// 0-based and returned in ascending order (the original row order is kept
/// inside each part); the same seed always gives the same split.
///
/// Stratified splits allocate the test rows of each class by largest
/// remainder, so every class's test count is within one row of
/// `share × class size` and the total is `round(test × rows)`.

/// Row indices of one train/test split.
public struct SplitRows: Sendable, Equatable {
    public var train: [Int]
    public var test: [Int]
}

public enum SplitError: Error, CustomStringConvertible, Equatable {
    case invalid(String)
    public var description: String { if case .invalid(let m) = self { return m }; return "" }
}

extension Frame {
    /// Random train/test split; `stratify` keeps class shares of that column
    /// (nulls form their own class).
    public func split(test: Double, stratify: String? = nil, seed: UInt64 = GlobalSeed.value) throws -> SplitRows {
        guard test > 0, test < 1 else { throw SplitError.invalid("split: test = \(test) must be between 0 and 1") }
        let n = nrow
        var rng = SeededRandom(seed: seed)
        let classes = try strata(stratify, rng: &rng)
        let total = Int((Double(n) * test).rounded())
        let quota = Frame.allocate(total, among: classes.map(\.count))
        var isTest = [Bool](repeating: false, count: n)
        for (rows, q) in zip(classes, quota) { for r in rows.prefix(q) { isTest[r] = true } }
        return Frame.partition(isTest)
    }

    /// The split as frames (train, test).
    public func splitFrames(test: Double, stratify: String? = nil, seed: UInt64 = GlobalSeed.value) throws -> (train: Frame, test: Frame) {
        let s = try split(test: test, stratify: stratify, seed: seed)
        return (takeUnchecked(s.train), takeUnchecked(s.test))
    }

    /// K folds; fold i's test rows are disjoint from the others' and together
    /// cover every row. Stratified: each class is dealt round-robin over the
    /// folds (continuing across classes), so fold sizes differ by at most one
    /// and each class's count per fold by at most one.
    public func kfold(k: Int, stratify: String? = nil, seed: UInt64 = GlobalSeed.value) throws -> [SplitRows] {
        let n = nrow
        guard k >= 2, k <= n else { throw SplitError.invalid("kfold: k = \(k) must be between 2 and the row count \(n)") }
        var rng = SeededRandom(seed: seed)
        let classes = try strata(stratify, rng: &rng)
        var fold = [Int](repeating: 0, count: n)
        var next = 0
        for rows in classes {
            for r in rows { fold[r] = next; next = (next + 1) % k }
        }
        return (0..<k).map { f in Frame.partition(fold.map { $0 == f }) }
    }

    /// Train = rows with `time` before `cutoff`, test = rows at or after it.
    /// `cutoff` may be a date/timestamp value, text ("2024-09-01"), or a number
    /// for numeric columns. Rows with a null time are in neither part.
    /// With `gapDays` (an embargo, e.g. the label horizon) training rows must also
    /// lie `gapDays` before the cutoff (time + gap < cutoff), so no training label
    /// window reaches into the test period; rows in between are in neither part.
    public func timeSplit(time: String, cutoff: CellValue, gapDays: Int = 0) throws -> SplitRows {
        let mask = try (Expr.col(time) >= .literal(cutoff)).evaluate(on: self)
        guard case .bool(let after) = mask.data else { throw SplitError.invalid("time_split: cannot compare '\(time)' with \(cutoff)") }
        var embargo = [Bool](repeating: false, count: nrow)
        if gapDays > 0 {
            let col = try column(time)
            let shifted: Column
            switch col.data {
            case .date(let v): shifted = Column(name: time, data: .date(v.map { $0 &+ Int32(gapDays) }), validity: col.validity)
            case .timestamp(let v): shifted = Column(name: time, data: .timestamp(v.map { $0 &+ Int64(gapDays) * 86_400_000_000 }), validity: col.validity)
            case .int64(let v): shifted = Column(name: time, data: .int64(v.map { $0 &+ Int64(gapDays) }), validity: col.validity)
            case .float64(let v): shifted = Column(name: time, data: .float64(v.map { $0 + Double(gapDays) }), validity: col.validity)
            default: throw SplitError.invalid("time_split: gap needs a date, timestamp or numeric time column; '\(time)' is \(col.dtype)")
            }
            let m2 = try (Expr.col(time) >= .literal(cutoff)).evaluate(on: try withColumns([shifted]))
            guard case .bool(let reaches) = m2.data else { throw SplitError.invalid("time_split: cannot compare '\(time)' with \(cutoff)") }
            embargo = reaches
        }
        var train: [Int] = [], test: [Int] = []
        for i in 0..<nrow where !mask.isNull(i) {
            if after[i] { test.append(i) } else if !embargo[i] { train.append(i) }
        }
        return SplitRows(train: train, test: test)
    }

    /// Random split by group: round(test × groups) groups go to test, so every
    /// group (e.g. a user) is on one side only. Null forms one group.
    public func groupSplit(group: String, test: Double, seed: UInt64 = GlobalSeed.value) throws -> SplitRows {
        guard test > 0, test < 1 else { throw SplitError.invalid("group_split: test = \(test) must be between 0 and 1") }
        let g = try Factorizer.factorize(column: column(group))
        var rng = SeededRandom(seed: seed)
        var order = Array(0..<g.count)
        rng.shuffle(&order)
        var groupIsTest = [Bool](repeating: false, count: g.count)
        for k in order.prefix(Int((Double(g.count) * test).rounded())) { groupIsTest[k] = true }
        return Frame.partition(g.ids.map { groupIsTest[Int($0)] })
    }

    /// Rows of each class (one class of all rows without `stratify`), each shuffled.
    private func strata(_ stratify: String?, rng: inout SeededRandom) throws -> [[Int]] {
        var classes: [[Int]]
        if let stratify {
            let g = try Factorizer.factorize(column: column(stratify))
            classes = [[Int]](repeating: [], count: g.count)
            for (i, id) in g.ids.enumerated() { classes[Int(id)].append(i) }
        } else {
            classes = [Array(0..<nrow)]
        }
        for i in classes.indices { rng.shuffle(&classes[i]) }
        return classes
    }

    /// Splits `total` among classes proportionally to `sizes` (largest remainder;
    /// ties go to the earlier class).
    static func allocate(_ total: Int, among sizes: [Int]) -> [Int] {
        let n = sizes.reduce(0, +)
        guard n > 0 else { return sizes.map { _ in 0 } }
        let exact = sizes.map { Double($0) * Double(total) / Double(n) }
        var q = exact.map { Int($0.rounded(.down)) }
        let left = total - q.reduce(0, +)
        let byRemainder = sizes.indices.sorted { (exact[$0] - Double(q[$0]), -$0) > (exact[$1] - Double(q[$1]), -$1) }
        for i in byRemainder.prefix(left) { q[i] += 1 }
        return q
    }

    static func partition(_ isTest: [Bool]) -> SplitRows {
        var s = SplitRows(train: [], test: [])
        for (i, t) in isTest.enumerated() { if t { s.test.append(i) } else { s.train.append(i) } }
        return s
    }
}
