import ExecutionControl

/// Survival estimators on frame columns: which columns hold the duration, the
/// event flag, weights, entry times and the group, and the per-group results
/// as frames. The Lua bindings (`cl.survival.*`) call these.
public struct SurvivalColumns: Sendable {
    public var duration: String
    public var event: String?
    public var weights: String?
    public var entry: String?
    public var group: String?
    public init(duration: String, event: String? = nil, weights: String? = nil, entry: String? = nil, group: String? = nil) {
        self.duration = duration; self.event = event; self.weights = weights; self.entry = entry; self.group = group
    }

    func doubles(_ f: Frame, _ name: String, _ role: String) throws -> [Double] {
        let c = try f.column(name)
        guard let v = c.toDoubles() else { throw SurvivalError.invalid("\(role) column '\(name)' must be numeric, got \(c.dtype.rawValue)") }
        if c.nullCount > 0, let i = (0..<c.count).first(where: { c.isNull($0) }) {
            throw SurvivalError.invalid("\(role) column '\(name)' has a null in row \(i + 1)")
        }
        return v
    }

    /// The observations; event absent = every row an event (lifelines' default).
    public func data(_ f: Frame) throws -> SurvivalData {
        let d = try doubles(f, duration, "duration")
        var e = [Bool](repeating: true, count: d.count)
        if let name = event {
            let c = try f.column(name)
            if case .bool(let b) = c.data { e = b } else {
                guard let v = c.toDoubles() else { throw SurvivalError.invalid("event column '\(name)' must be bool or 0/1, got \(c.dtype.rawValue)") }
                for (i, x) in v.enumerated() {
                    guard x == 0 || x == 1 else { throw SurvivalError.invalid("event column '\(name)' must be 0/1; row \(i + 1) is \(x)") }
                    e[i] = x == 1
                }
            }
            if c.nullCount > 0, let i = (0..<c.count).first(where: { c.isNull($0) }) {
                throw SurvivalError.invalid("event column '\(name)' has a null in row \(i + 1) (censored rows are event = 0)")
            }
        }
        return try SurvivalData(durations: d, events: e, weights: try weights.map { try doubles(f, $0, "weights") },
                                entry: try entry.map { try doubles(f, $0, "entry") })
    }

    /// Group code per row (order of first appearance) and the one-row-per-group label column.
    public func groups(_ f: Frame) throws -> (codes: [Int], count: Int, labels: Column)? {
        guard let g = group else { return nil }
        let c = try f.column(g)
        if c.nullCount > 0, let i = (0..<c.count).first(where: { c.isNull($0) }) {
            throw SurvivalError.invalid("group column '\(g)' has a null in row \(i + 1)")
        }
        let fz = try Factorizer.factorize(column: c)
        return (fz.ids.map { Int($0) }, fz.count, c.take(fz.firstRow))
    }
}

public struct SurvivalGroupSummary: Sendable {
    public var label: CellValue
    public var n: Int
    public var events: Double
    public var median: Double, medianLower: Double, medianUpper: Double
    public var survivalAt: [Double], lowerAt: [Double], upperAt: [Double]
}

extension KaplanMeier {
    /// The Kaplan–Meier table (one block of rows per group, with the group column
    /// first) and a summary per group, S(t) evaluated at `times`.
    /// One fit per group (order of first appearance; a single `.null`-labelled fit without a group column): label, result, rows.
    public static func fitGroups(_ f: Frame, _ cols: SurvivalColumns, alpha: Double = 0.05) throws -> [(CellValue, KaplanMeierResult, Int)] {
        try fitAll(f, cols, alpha: alpha).parts
    }

    /// The fits and the one-row-per-group label column (nil without a group).
    /// Whole-number durations without entry times are counted straight from the
    /// columns (`LifeTableHistogram`); anything else is ranked (`LifeTable.byGroup`)
    /// or, with entry times, fitted group by group.
    static func fitAll(_ f: Frame, _ cols: SurvivalColumns, alpha: Double) throws -> (parts: [(CellValue, KaplanMeierResult, Int)], labels: Column?) {
        if let h = try LifeTableHistogram.tables(f, cols) {
            let parts = try h.tables.indices.map { k in
                (h.labels?.value(at: k) ?? .null, try fit(table: h.tables[k], alpha: alpha), h.sizes[k])
            }
            return (parts, h.labels)
        }
        let g = try cols.groups(f)
        return (try fitGroups(f, cols, groups: g, alpha: alpha), g?.labels)
    }

    /// Without entry times every group's life table comes from one pass over the
    /// rows (`LifeTable.byGroup`); with them, each group's rows are fitted apart.
    static func fitGroups(_ f: Frame, _ cols: SurvivalColumns, groups g: (codes: [Int], count: Int, labels: Column)?,
                          alpha: Double) throws -> [(CellValue, KaplanMeierResult, Int)] {
        let all = try cols.data(f)
        let k = g?.count ?? 1
        var sizes = [Int](repeating: 0, count: k)
        if let g { for c in g.codes { sizes[c] += 1 } } else { sizes[0] = all.count }
        let label = { (i: Int) -> CellValue in g?.labels.value(at: i) ?? .null }
        if all.entry == nil {
            let tables = try LifeTable.byGroup(all, codes: g?.codes, groups: k)
            return try (0..<k).map { (label($0), try fit(table: tables[$0], alpha: alpha), sizes[$0]) }
        }
        var rows = [[Int]](repeating: [], count: k)
        for i in 0..<all.count { rows[g?.codes[i] ?? 0].append(i) }
        return try (0..<k).map { i in
            try ExecutionContext.check()
            return (label(i), try fit(try all.subset(rows[i]), alpha: alpha), sizes[i])
        }
    }

    public static func table(_ f: Frame, _ cols: SurvivalColumns, alpha: Double = 0.05, times: [Double] = []) throws -> (Frame, [SurvivalGroupSummary]) {
        let (parts, labels) = try fitAll(f, cols, alpha: alpha)
        var time: [Double] = [], atRisk: [Double] = [], ev: [Double] = [], cens: [Double] = [], ent: [Double] = []
        var s: [Double] = [], lo: [Double] = [], up: [Double] = [], groupRows: [Int] = []
        var summaries: [SurvivalGroupSummary] = []
        for (k, (label, r, n)) in parts.enumerated() {
            time += r.table.times; atRisk += r.table.atRisk; ev += r.table.observed; cens += r.table.censored
            ent += r.table.entrance; s += r.survival; lo += r.lower; up += r.upper
            groupRows += [Int](repeating: k, count: r.table.count)
            summaries.append(SurvivalGroupSummary(label: label, n: n, events: r.table.observed.reduce(0, +),
                                                  median: r.median, medianLower: r.medianLower, medianUpper: r.medianUpper,
                                                  survivalAt: times.map { r.survival(at: $0) }, lowerAt: times.map { r.lower(at: $0) },
                                                  upperAt: times.map { r.upper(at: $0) }))
        }
        var out: [Column] = []
        if let labels { out.append(labels.take(groupRows)) }
        out += [.float("time", time), .float("at_risk", atRisk), .float("events", ev), .float("censored", cens),
                .float("entered", ent), .float("survival", s), .float("lower", lo), .float("upper", up)]
        return (try Frame(out), summaries)
    }
}

extension NelsonAalen {
    public static func table(_ f: Frame, _ cols: SurvivalColumns, alpha: Double = 0.05, smoothing: Bool = true) throws -> Frame {
        let r = try fit(try cols.data(f), alpha: alpha, smoothing: smoothing)
        return try Frame([.float("time", r.table.times), .float("at_risk", r.table.atRisk), .float("events", r.table.observed),
                          .float("cumulative_hazard", r.cumulativeHazard), .float("variance", r.variance),
                          .float("lower", r.lower), .float("upper", r.upper)])
    }
}

public struct LogRankPair: Sendable { public var a: CellValue; public var b: CellValue; public var result: LogRankResult }

extension LogRank {
    /// The k-group test on `cols.group` and, when asked, every pairwise two-group test
    /// (lifelines' `pairwise_logrank_test`, no multiplicity correction).
    public static func test(_ f: Frame, _ cols: SurvivalColumns, pairwise: Bool) throws -> (LogRankResult, [CellValue], [LogRankPair]) {
        guard let g = try cols.groups(f) else { throw SurvivalError.invalid("logrank needs a group column") }
        var c = cols; c.weights = nil; c.entry = nil
        let d = try c.data(f)
        let labels = (0..<g.count).map { g.labels.value(at: $0) }
        let overall = try test(d, group: g.codes, groupCount: g.count)
        var pairs: [LogRankPair] = []
        if pairwise {
            for a in 0..<g.count { for b in a + 1..<g.count {
                try ExecutionContext.check()
                let rows = g.codes.indices.filter { g.codes[$0] == a || g.codes[$0] == b }
                let r = try test(try d.subset(rows), group: rows.map { g.codes[$0] == a ? 0 : 1 }, groupCount: 2)
                pairs.append(LogRankPair(a: labels[a], b: labels[b], result: r))
            } }
        }
        return (overall, labels, pairs)
    }
}
