/// The feature CTE of a compiled query: one aggregation over `ev` grouped by
/// (as_of, u), with one commented block per feature family, each column's
/// expression written to repeat the in-process kernel's arithmetic
/// (`FeatureKernel.run`) operation for operation.
///
/// One aggregation rather than one CTE per family joined on (as_of, u): the
/// joined form made PostgreSQL 15 misestimate the grouped row counts and pick
/// nested loops (80 s instead of 1.5 s on 200k events), and it scans `ev` once per family.
struct FeatureBody {
    let ctes: [String]
    /// The subscription family (its CTEs are in `ctes`, its columns last in `outputs`).
    let subscriptions: WarehouseSubscriptions?
    var subscriptionsIncluded: Bool { subscriptions != nil }
    /// Output feature names in the in-process column order (after the user column).
    let outputs: [String]
    private let families: [String]
    /// Number of output columns of each family, in `families` order.
    private let counts: [Int]
    private let sql: FeatureSQL

    init(_ sql: FeatureSQL, _ spec: FeatureSpec, _ time: SQLTime) throws {
        try spec.validate()
        self.sql = sql
        let d = sql.dialect
        let day = FeatureSQL.day
        let has = Set(spec.families)
        let W = spec.windows.sorted()
        func cut(_ w: Int) -> String { time.since(days: w) }
        let t = time.t, prev = time.prev
        func dbl(_ e: String) -> String { d.double(e) }
        let D = dbl("\(day)")
        var ctes: [String] = [], outputs: [String] = [], families: [String] = [], counts: [Int] = []

        func family(_ name: String, _ comment: String, _ cols: [(String, String)]) throws {
            let list = try cols.map { "    \($0.1) AS \(try sql.q($0.0))" }.joined(separator: ",\n")
            ctes.append("    -- \(name): \(comment)\n\(list)")
            outputs += cols.map(\.0); families.append(name); counts.append(cols.count)
        }
        func types(_ names: [String]?, option: String) throws -> [String] {
            guard let names else {
                throw WarehouseError.notCompilable("spec.\(option): the compiler cannot list the table's event types; " +
                    "give spec.event_types (cl.features.build with cl.source.postgres reads them from the table)")
            }
            return names
        }

        if has.contains(.activity) {
            // µs form (Spark): distinct days without DISTINCT — a window event starts a new day when the user's
            // previous event is before that UTC day or before the window. One plain aggregate (Spark plans several
            // count(DISTINCT …) as an Expand that copies every row once per window: 5–10× slower).
            // Stored form (PostgreSQL): count(DISTINCT day) on the group's rows, which needs no window function
            // (PostgreSQL sorts each group's few days itself; the lag() pass cost more).
            try family("activity", "events_<W>d: events in the window; active_days_<W>d: distinct UTC days with an event",
                       W.map { ("events_\($0)d", d.countIf(cut($0))) } +
                       W.map { w in ("active_days_\(w)d", time.stored ? "count(DISTINCT day) FILTER (WHERE \(cut(w)))"
                                     : d.countIf("\(cut(w)) AND (prev_us IS NULL OR prev_us < day * \(day) OR \(prev) < \(time.at(-Int64(w) * day)))")) })
        }
        if has.contains(.types) {
            let names = try types(spec.eventTypes, option: "event_types")
            try family("types", "<type>_<W>d: events of each type in the window",
                       try names.flatMap { t in try W.map { ("\(t)_\($0)d", d.countIf("typ = \(try d.literal(t)) AND \(cut($0))")) } })
        }
        if has.contains(.monetary) && sql.events.amount != nil {
            try family("monetary", "amount_<W>d: sum of amounts (0 when none); amount_mean_<W>d: mean over events with an amount (null when none)",
                       W.map { ("amount_\($0)d", "coalesce(\(d.aggregate("sum", "amt", where: cut($0))), \(dbl("0")))") } +
                       W.map { w in ("amount_mean_\(w)d", "\(d.aggregate("sum", "amt", where: cut(w))) / " +
                                     "\(dbl("NULLIF(\(d.countIf("\(cut(w)) AND amt IS NOT NULL")), 0)"))") })
        }
        if has.contains(.recency) {
            let names = try types(spec.recencyTypes ?? spec.eventTypes, option: spec.recencyTypes == nil ? "event_types" : "recency_types")
            try family("recency", "recency_days: days since the last event; recency_<type>_days: since the last of that type (null if never)",
                       [("recency_days", "\(dbl("as_of - \(time.micros("max(\(t))"))")) / \(D)")] +
                       (try names.map { n in ("recency_\(n)_days", "\(dbl("as_of - \(time.micros(d.aggregate("max", t, where: "typ = \(try d.literal(n))")))")) / \(D)") }))
        }
        if has.contains(.tenure) {
            try family("tenure", "tenure_days: days since the first event", [("tenure_days", "\(dbl("as_of - \(time.micros("min(\(t))"))")) / \(D)")])
        }
        if has.contains(.trend) {
            let T = (spec.trendWindows ?? spec.windows).sorted()
            try family("trend", "trend_<W>d: events in the last W days / events in the W days before (0/0 = 1, x/0 = x)",
                       T.map { w in
                           let cur = d.countIf(cut(w))
                           let prev = d.countIf("\(cut(2 * w)) AND \(t) < \(time.at(-Int64(w) * day))")
                           return ("trend_\(w)d", "CASE WHEN \(prev) > 0 THEN \(dbl(cur)) / \(dbl(prev)) WHEN \(cur) = 0 THEN \(dbl("1")) ELSE \(dbl(cur)) END")
                       })
        }
        if has.contains(.gaps) {
            try family("gaps", "gap_mean_days, gap_max_days between consecutive events (null for one event)",
                       [("gap_mean_days", "CASE WHEN count(*) > 1 THEN \(dbl("\(time.micros("max(\(t))")) - \(time.micros("min(\(t))"))")) / \(dbl("count(*) - 1")) / \(D) END"),
                        ("gap_max_days", "\(dbl(time.gapMicros("max(\(time.gap))"))) / \(D)")])
        }
        let B = spec.behaviourWindow
        let inB = cut(B)
        if has.contains(.sessions) {
            let gap = Int64((spec.sessionGapMinutes * Double(TimeUnit.microsPerMinute)).rounded())
            // A session starts at the window's first event or after a gap longer than session_gap_minutes;
            // a session's length is the sum of the gaps inside it, so the total is the sum of non-starting gaps.
            let start = "\(inB) AND (\(prev) IS NULL OR \(prev) < \(time.at(-Int64(B) * day)) OR \(time.gapExceeds(gap)))"
            let n = d.countIf(start)
            let inside = time.gapMicros(d.aggregate("sum", time.gap, where: "\(inB) AND NOT (\(start))"))
            try family("sessions", "sessions_\(B)d and session_minutes_mean_\(B)d (gap > \(gap) µs starts a session)",
                       [("sessions_\(B)d", n),
                        ("session_minutes_mean_\(B)d", "CASE WHEN \(n) > 0 THEN \(dbl("coalesce(\(inside), 0)")) / \(dbl(n)) / \(dbl("\(TimeUnit.microsPerMinute)")) END")])
        }
        if has.contains(.weekend) {
            // 1970-01-01 (day 0) was a Thursday: (day + 3) mod 7 is 0 on Monday, 5 and 6 at the weekend.
            let nB = d.countIf(inB)
            let wk = d.countIf("\(inB) AND \(d.floorMod("\(time.dayNumber) + 3", 7)) >= 5")
            try family("weekend", "weekend_share_\(B)d: share of the window's events on Saturday or Sunday (UTC)",
                       [("weekend_share_\(B)d", "CASE WHEN \(nB) > 0 THEN \(dbl(wk)) / \(dbl(nB)) END")])
        }
        let subs = has.contains(.subscription) ? sql.subscriptions : nil
        var subCols: [(String, String)] = []
        if let subs { subCols = try sql.subscriptionSelect(subs); outputs += subCols.map(\.0) }
        guard !families.isEmpty || subs != nil else {
            throw WarehouseError.notCompilable("spec.families: none of \(spec.families.map(\.rawValue)) compiles without a subscriptions table " +
                                               "(subscriptions = {table = …})")
        }
        var seen: Set<String> = [sql.events.user]
        for o in outputs where !seen.insert(o).inserted {
            throw WarehouseError.invalidOption("feature spec: two features would be named '\(o)' " +
                                               "(an event type clashes with a built-in feature or the user column)")
        }
        var all = ["features AS (  -- one row per (as_of, user) with an event before as_of\n  SELECT as_of, u" +
                   (ctes.isEmpty ? "" : ",\n" + ctes.joined(separator: ",\n")) + "\n  FROM ev\n  GROUP BY \(time.stored ? "u, as_of" : "as_of, u")\n)"]
        if let subs { all += [try sql.subsCTE(subs), sql.subscriptionCTE(subs)] }
        self.ctes = all
        self.subscriptions = subs; self.subscriptionColumns = subCols
        self.tenure = subs != nil && has.contains(.tenure)
        self.outputs = outputs; self.families = families; self.counts = counts
    }

    private let subscriptionColumns: [(String, String)]
    /// Whether tenure_days is lowered to the first term start.
    private let tenure: Bool

    /// The user column and every feature.
    func selectList(asOf: Bool) throws -> String {
        var list = ["features.u AS \(try sql.q(sql.events.user))"]
        let sub = Dictionary(uniqueKeysWithValues: subscriptionColumns)
        for o in outputs {
            if let e = sub[o] { list.append("\(e) AS \(try sql.q(o))") }
            else if o == "tenure_days" && tenure { list.append("\(try sql.tenureWithSubscriptions()) AS \(try sql.q(o))") }
            else { list.append("features.\(try sql.q(o))") }
        }
        return list.joined(separator: ",\n       ")
    }

    var from: String {
        subscriptions == nil ? "features" : "features\n  LEFT JOIN subscription sub ON sub.sub_as_of = features.as_of AND sub.sub_u = features.u"
    }
}
