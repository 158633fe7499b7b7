/// One cross-validation split: the rows to fit on and the rows to score (0-based).
public struct CVSplit: Sendable, Equatable {
    public let train: [Int]
    public let test: [Int]
    public init(train: [Int], test: [Int]) { self.train = train; self.test = test }
}

/// Builds the fold's training and test matrices from its rows. The default takes
/// rows of one matrix; with a preprocessing pipeline the binding fits the
/// pipeline on the fold's training rows only (no leakage from the test rows).
public typealias FoldData = (CVSplit) throws -> (train: FeatureMatrix, test: FeatureMatrix)

/// Ways to cut rows into cross-validation splits, as scikit-learn's splitters.
public enum CVSplits {
    /// Splits from a fold index per row (test = rows of fold f, train = the rest).
    public static func fromAssignment(_ fold: [Int], k: Int) -> [CVSplit] {
        var tests = [[Int]](repeating: [], count: k)
        for (i, f) in fold.enumerated() { tests[f].append(i) }
        return (0..<k).map { f in CVSplit(train: fold.indices.filter { fold[$0] != f }, test: tests[f]) }
    }

    /// (Stratified) k-fold, seeded (see `CrossValidation.foldAssignment`).
    public static func kFold(y: [Double], k: Int, stratify: Bool, seed: UInt64) throws -> [CVSplit] {
        fromAssignment(try CrossValidation.foldAssignment(y: y, k: k, stratify: stratify, seed: seed), k: k)
    }

    /// Supplied folds (scikit-learn's PredefinedSplit): one fold per distinct
    /// value of `column`, in sorted value order. Nulls are refused.
    public static func predefined(_ column: Column) throws -> [CVSplit] {
        let keys = try sortKeys(column, what: "fold column")
        let distinct = Array(Set(keys)).sorted()
        guard distinct.count >= 2 else {
            throw SelectionError.invalid("fold column '\(column.name)' has \(distinct.count) distinct value; cross-validation needs at least 2 folds")
        }
        let index = Dictionary(uniqueKeysWithValues: distinct.enumerated().map { ($1, $0) })
        return fromAssignment(keys.map { index[$0]! }, k: distinct.count)
    }

    /// Group k-fold (scikit-learn's GroupKFold without shuffling): groups are
    /// taken largest first (equal sizes: the later of the sorted group values
    /// first, as numpy's reversed argsort) and each goes to the fold with the
    /// fewest rows so far (the lowest fold on ties). No group is in two folds.
    public static func groupKFold(_ column: Column, k: Int) throws -> [CVSplit] {
        let keys = try sortKeys(column, what: "group column")
        let distinct = Array(Set(keys)).sorted()
        guard k >= 2 else { throw SelectionError.invalid("group k-fold: k must be ≥ 2, got \(k)") }
        guard distinct.count >= k else {
            throw SelectionError.invalid("group k-fold: k = \(k) is more than the \(distinct.count) groups of '\(column.name)'")
        }
        let index = Dictionary(uniqueKeysWithValues: distinct.enumerated().map { ($1, $0) })
        let group = keys.map { index[$0]! }
        var size = [Int](repeating: 0, count: distinct.count)
        for g in group { size[g] += 1 }
        let order = distinct.indices.sorted { size[$0] != size[$1] ? size[$0] > size[$1] : $0 > $1 }
        var foldRows = [Int](repeating: 0, count: k), foldOf = [Int](repeating: 0, count: distinct.count)
        for g in order {
            let f = foldRows.indices.min { foldRows[$0] != foldRows[$1] ? foldRows[$0] < foldRows[$1] : $0 < $1 }!
            foldOf[g] = f
            foldRows[f] += size[g]
        }
        return fromAssignment(group.map { foldOf[$0] }, k: k)
    }

    /// The embargo between a time-series split's training rows and its test rows.
    public enum Gap: Sendable, Equatable {
        /// Drop this many rows (in time order) before the test block (scikit-learn's `gap`).
        case rows(Int)
        /// Train only on rows whose time is earlier than the first test time minus
        /// this span (in the time column's units: days for dates), e.g. the label horizon.
        case time(Double)
    }

    /// Expanding-window time-series splits (scikit-learn's TimeSeriesSplit):
    /// rows ordered by `times` (stable), k test blocks of ⌊n / (k + 1)⌋ rows at
    /// the end, each trained on everything before it minus the gap.
    public static func timeSeries(times: [Double], k: Int, gap: Gap = .rows(0)) throws -> [CVSplit] {
        let n = times.count
        guard k >= 2 else { throw SelectionError.invalid("time-series folds: k must be ≥ 2, got \(k)") }
        if let bad = times.firstIndex(where: { $0.isNaN }) { throw SelectionError.invalid("time-series folds: the time column is null at row \(bad + 1)") }
        let order = times.indices.sorted { times[$0] != times[$1] ? times[$0] < times[$1] : $0 < $1 }
        guard k + 1 <= n else { throw SelectionError.invalid("time-series folds: k + 1 = \(k + 1) blocks need at least as many rows, got \(n)") }
        let testSize = n / (k + 1)
        var gapRows = 0
        if case .rows(let g) = gap { gapRows = g }
        guard gapRows >= 0, n - gapRows - testSize * k > 0 else {
            throw SelectionError.invalid("time-series folds: \(n) rows are too few for k = \(k) test blocks of \(testSize) rows and a gap of \(gapRows) rows")
        }
        var out: [CVSplit] = []
        for f in 0..<k {
            let start = n - (k - f) * testSize
            let test = Array(order[start..<(start + testSize)])
            let train: [Int]
            switch gap {
            case .rows(let g): train = Array(order[0..<max(0, start - g)])
            case .time(let span):
                let limit = times[order[start]] - span
                train = order[0..<start].filter { times[$0] < limit }
            }
            guard !train.isEmpty else {
                throw SelectionError.invalid("time-series fold \(f + 1) has no training rows left before its gap; use fewer folds or a shorter gap")
            }
            out.append(CVSplit(train: train, test: test))
        }
        return out
    }

    /// A column's values as comparable keys (numbers and dates numerically, text by text).
    private enum Key: Hashable, Comparable {
        case number(Double), text(String)
        static func < (a: Key, b: Key) -> Bool {
            switch (a, b) {
            case (.number(let x), .number(let y)): return x < y
            case (.text(let x), .text(let y)): return x < y
            case (.number, .text): return true
            case (.text, .number): return false
            }
        }
    }

    private static func sortKeys(_ c: Column, what: String) throws -> [Key] {
        try (0..<c.count).map { i in
            if c.isNull(i) { throw SelectionError.invalid("\(what) '\(c.name)' is null at row \(i + 1)") }
            if let s = c.string(at: i) { return .text(s) }
            if let d = c.double(at: i) { return .number(d) }
            throw SelectionError.invalid("\(what) '\(c.name)': unsupported type \(c.dtype)")
        }
    }
}
