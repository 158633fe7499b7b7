import ExecutionControl

/// Right-censored (optionally left-truncated, weighted) survival observations,
/// validated once so every estimator can trust them.
public struct SurvivalData: Sendable {
    /// Time of the event or of censoring.
    public let durations: [Double]
    /// true = the event (churn) was observed at `durations[i]`; false = censored.
    public let events: [Bool]
    /// Case weights (lifelines' `weights`); nil = 1 each.
    public let weights: [Double]?
    /// Entry (left-truncation) times: the row is at risk only after `entry[i]`; nil = from the start.
    public let entry: [Double]?

    public init(durations: [Double], events: [Bool], weights: [Double]? = nil, entry: [Double]? = nil) throws {
        guard events.count == durations.count else {
            throw SurvivalError.invalid("event has \(events.count) values but duration has \(durations.count)")
        }
        guard !durations.isEmpty else { throw SurvivalError.invalid("no observations") }
        for (i, d) in durations.enumerated() where !d.isFinite || d < 0 {
            throw SurvivalError.invalid("duration must be finite and >= 0; row \(i + 1) is \(d)")
        }
        if let w = weights {
            guard w.count == durations.count else { throw SurvivalError.invalid("weights has \(w.count) values but duration has \(durations.count)") }
            for (i, x) in w.enumerated() where !x.isFinite || x <= 0 {
                throw SurvivalError.invalid("weights must be finite and > 0; row \(i + 1) is \(x)")
            }
        }
        if let e = entry {
            guard e.count == durations.count else { throw SurvivalError.invalid("entry has \(e.count) values but duration has \(durations.count)") }
            for (i, x) in e.enumerated() where !x.isFinite || x > durations[i] {
                throw SurvivalError.invalid("entry must be finite and <= duration; row \(i + 1) has entry \(x), duration \(durations[i])")
            }
        }
        self.durations = durations; self.events = events; self.weights = weights; self.entry = entry
    }

    public var count: Int { durations.count }

    /// The rows whose index is in `rows` (a group).
    public func subset(_ rows: [Int]) throws -> SurvivalData {
        try SurvivalData(durations: rows.map { durations[$0] }, events: rows.map { events[$0] },
                         weights: weights.map { w in rows.map { w[$0] } }, entry: entry.map { e in rows.map { e[$0] } })
    }
}

public enum SurvivalError: Error, CustomStringConvertible, Equatable {
    case invalid(String)
    public var description: String {
        switch self { case .invalid(let m): return m }
    }
}

/// The life table lifelines builds (`survival_table_from_events`): one row per
/// distinct time among the durations and entry times (plus the common start,
/// min(0, first duration), when there is no entry), weighted counts.
public struct LifeTable: Sendable {
    public var times: [Double] = []
    /// Weight at risk just before `times[i]`.
    public var atRisk: [Double] = []
    /// Weighted events at `times[i]`.
    public var observed: [Double] = []
    /// Weighted censorings at `times[i]`.
    public var censored: [Double] = []
    /// Weight entering at `times[i]`.
    public var entrance: [Double] = []

    public init(_ data: SurvivalData) throws {
        let n = data.count
        try ExecutionContext.checkMemory(n * 24, for: "survival life table")
        if data.entry == nil { self = try Self.byGroup(data, codes: nil, groups: 1)[0]; return }
        // Every row contributes an entrance at its entry time and a removal at its duration.
        var order = Array(0..<n)
        order.sort { data.durations[$0] < data.durations[$1] }
        var entryOrder: [Int] = []
        if let e = data.entry { entryOrder = Array(0..<n); entryOrder.sort { e[$0] < e[$1] } }
        var i = 0, j = 0
        var cumEnter = 0.0, cumRemoved = 0.0
        var step = 0
        while i < n || j < entryOrder.count {
            step += 1
            if step & 0xFFFF == 0 { try ExecutionContext.check() }
            let td = i < n ? data.durations[order[i]] : .infinity
            let te = j < entryOrder.count ? data.entry![entryOrder[j]] : .infinity
            let t = min(td, te)
            var enter = 0.0, obs = 0.0, cens = 0.0
            while j < entryOrder.count && data.entry![entryOrder[j]] == t {
                enter += data.weights?[entryOrder[j]] ?? 1; j += 1
            }
            while i < n && data.durations[order[i]] == t {
                let r = order[i], w = data.weights?[r] ?? 1
                if data.events[r] { obs += w } else { cens += w }
                i += 1
            }
            cumEnter += enter
            times.append(t); entrance.append(enter); observed.append(obs); censored.append(cens)
            atRisk.append(cumEnter - cumRemoved)
            cumRemoved += obs + cens
        }
    }

    init() {}

    /// Life tables without entry times for every group in one pass: the rows in
    /// time order (`TimeRanks`), each group's weighted events and censorings per
    /// distinct duration, and the common start row min(0, first duration).
    /// `codes[i]` in 0..<k (nil: one group). Same tables as one `LifeTable(data)`
    /// per group's rows, without splitting the rows.
    static func byGroup(_ data: SurvivalData, codes: [Int]?, groups k: Int) throws -> [LifeTable] {
        precondition(data.entry == nil)
        let n = data.count
        let ranks = try TimeRanks(data.durations)
        let order = ranks.ascendingRows()
        var tables = [LifeTable](repeating: LifeTable(), count: k)
        var total = [Double](repeating: 0, count: k), last = [Int32](repeating: -1, count: k)
        if let w = data.weights { for i in 0..<n { total[codes?[i] ?? 0] += w[i] } }
        else if let codes { for g in codes { total[g] += 1 } } else { total[0] = Double(n) }
        for g in 0..<k {
            tables[g].times = [0]; tables[g].atRisk = [total[g]]; tables[g].observed = [0]
            tables[g].censored = [0]; tables[g].entrance = [total[g]]
        }
        var removed = [Double](repeating: 0, count: k)
        try order.withUnsafeBufferPointer { order in
            for (step, i) in order.enumerated() {
                if step & 0xFFFF == 0 { try ExecutionContext.check() }
                let g = codes?[i] ?? 0, r = ranks.rank[i], w = data.weights?[i] ?? 1
                if r != last[g] {
                    let t = ranks.times[Int(r)]
                    if last[g] < 0 && t <= 0 {
                        tables[g].times[0] = t          // the start is this (first, non-positive) time
                    } else {
                        tables[g].times.append(t); tables[g].atRisk.append(total[g] - removed[g])
                        tables[g].observed.append(0); tables[g].censored.append(0); tables[g].entrance.append(0)
                    }
                    last[g] = r
                }
                let j = tables[g].times.count - 1
                if data.events[i] { tables[g].observed[j] += w } else { tables[g].censored[j] += w }
                removed[g] += w
            }
        }
        return tables
    }

    public var count: Int { times.count }

    /// The risk set for the events at `times[i]`: those who entered strictly
    /// before (lifelines' `_additive_estimate`: at_risk − entrance, except on
    /// the first row, where everyone starts).
    @inline(__always) public func population(_ i: Int) -> Double { i == 0 ? atRisk[0] : atRisk[i] - entrance[i] }
}
