/// What the compiler cannot see in a spec and completes from the event table
/// itself, the same way for every engine: whether ids are text and time is a
/// date (from the column types of a probe of the table), the optional amount
/// column, and — when the spec lists no event types — the table's types in
/// name order, as the in-process builder takes them from the log.
enum WarehouseResolve {
    /// `events` completed from `probe` (a frame with the table's columns, any number of rows).
    static func events(_ events: WarehouseEvents, probe: Frame, amountIfPresent: Bool) throws -> WarehouseEvents {
        var ev = events
        func need(_ name: String?, _ what: String) throws {
            guard let name, !probe.has(name) else { return }
            throw WarehouseError.invalidOption("\(what) column '\(name)' is not in table \(ev.table.joined(separator: ".")); it has: " +
                                               probe.columns.map(\.name).joined(separator: ", "))
        }
        if ev.amount == nil && amountIfPresent && probe.has("amount") { ev.amount = "amount" }
        try need(ev.user, "user"); try need(ev.time, "time"); try need(ev.event, "event"); try need(ev.amount, "amount")
        if let u = probe.columns.first(where: { $0.name == ev.user }) { ev.userIsText = u.data.dtype == .string || u.data.dtype == .category }
        if let t = probe.columns.first(where: { $0.name == ev.time }) {
            ev.timeEncoding = try timeEncoding(ev, t.data.dtype)
            ev.timeIsDate = t.data.dtype == .date
        }
        return ev
    }

    /// How the time column of type `dtype` holds times: timestamp and date as they are, text as ISO-8601
    /// (found here), integers only with `columns.time_unit` (their unit cannot be guessed safely).
    static func timeEncoding(_ ev: WarehouseEvents, _ dtype: DType) throws -> WarehouseTimeEncoding {
        switch (dtype, ev.timeEncoding) {
        case (.date, .epoch), (.timestamp, .epoch), (.string, .epoch), (.category, .epoch):
            throw WarehouseError.invalidOption("columns.time_unit applies to an integer epoch time column; " +
                                               "time column '\(ev.time)' is \(dtype == .category ? "string" : dtype.rawValue)")
        case (.date, _), (.timestamp, _): return .native
        case (.string, _), (.category, _): return .text
        case (.int64, .epoch(let u)): return .epoch(u)
        case (.int64, _):
            throw WarehouseError.invalidOption("time column '\(ev.time)' holds integers: give columns.time_unit = 's', 'ms' or 'us' " +
                                               "(seconds, milliseconds or microseconds since 1970-01-01 UTC)")
        default:
            throw WarehouseError.invalidOption("time column '\(ev.time)' is \(dtype.rawValue), not a timestamp, date, ISO-8601 text or integer epoch")
        }
    }

    /// `subs` completed from `probe` (the terms table's columns): columns checked, the optional
    /// auto-renew and discount columns taken when present (as `cl.subscriptions`), user ids of the
    /// same kind as the events' (in process the two tables would not join either).
    static func subscriptions(_ subs: WarehouseSubscriptions, events: WarehouseEvents, probe: Frame) throws -> WarehouseSubscriptions {
        var s = subs
        let name = s.table.joined(separator: ".")
        if s.autoRenew == nil && s.autoRenewIfPresent && probe.has("auto_renew") { s.autoRenew = "auto_renew" }
        if s.discount == nil && s.discountIfPresent && probe.has("discount") { s.discount = "discount" }
        for (col, what) in [(s.user, "user"), (s.start, "start"), (s.end, "end"), (s.plan, "plan"), (s.price, "price"),
                            (s.autoRenew, "auto_renew"), (s.discount, "discount")] {
            guard let col, !probe.has(col) else { continue }
            throw WarehouseError.invalidOption("subscriptions: \(what) column '\(col)' is not in table \(name); it has: " +
                                               probe.columns.map(\.name).joined(separator: ", "))
        }
        if let u = probe.columns.first(where: { $0.name == s.user }) {
            s.userIsText = u.data.dtype == .string || u.data.dtype == .category
            if let e = events.userIsText, e != s.userIsText {
                throw WarehouseError.invalidOption("subscriptions: one table has integer user ids, the other text ids (\(name).\(s.user))")
            }
        }
        for col in [s.start, s.end] {
            if let t = probe.columns.first(where: { $0.name == col }), t.data.dtype != .date && t.data.dtype != .timestamp {
                throw WarehouseError.invalidOption("subscriptions: column '\(col)' is \(t.data.dtype.rawValue), not a timestamp or date")
            }
        }
        return s
    }

    /// The query listing the table's distinct event types (one text column `t`).
    static func typesQuery(_ ev: WarehouseEvents, _ d: SQLDialect) throws -> String {
        let typeCol = try ev.event.map { "CAST(\(try d.identifier($0)) AS \(d == .postgres ? "text" : "STRING"))" } ?? (try d.literal("event"))
        return "SELECT DISTINCT \(typeCol) AS t FROM \(try d.tableName(ev.table)) WHERE \(typeCol) IS NOT NULL"
    }

    /// `spec` with its event types checked against, or taken from, the table's (`types` is run only when needed).
    static func spec(_ spec: FeatureSpec, types: () throws -> Frame) throws -> FeatureSpec {
        var spec = spec
        let fam = Set(spec.families)
        guard fam.contains(.types) || fam.contains(.recency) else { return spec }
        let f = try types()
        let names = f.ncol == 0 ? [] : (0..<f.nrow).compactMap { f.columns[0].string(at: $0) }.sorted()
        for given in (spec.eventTypes ?? []) + (spec.recencyTypes ?? []) where !names.contains(given) {
            throw WarehouseError.invalidOption("feature spec: unknown event type '\(given)'; the table has: \(names.prefix(12).joined(separator: ", "))")
        }
        if spec.eventTypes == nil { spec.eventTypes = names }
        return spec
    }
}
