/// Where the event log lives in a warehouse: a table and which of its columns
/// hold the user, the time, the event type and (optionally) the amount.
public struct WarehouseEvents: Sendable, Equatable {
    /// Table name parts: ["events"], ["schema", "events"] or ["catalog", "schema", "events"].
    public var table: [String]
    public var user: String
    public var time: String
    /// Event type column; nil = every event has the type "event" (as `cl.events` without one).
    public var event: String?
    /// Amount column; nil = no monetary features (as an in-process log without amounts).
    public var amount: String?
    /// Whether user ids are text: then rows are ordered by code point (`COLLATE "C"`), as in-process.
    /// nil = unknown (the engine's default ordering).
    public var userIsText: Bool?
    /// A `date` time column: the default data end is the day after the last event (as in-process).
    public var timeIsDate: Bool

    public init(table: [String], user: String = "user_id", time: String = "ts", event: String? = "event",
                amount: String? = nil, userIsText: Bool? = nil, timeIsDate: Bool = false) {
        self.table = table; self.user = user; self.time = time; self.event = event; self.amount = amount
        self.userIsText = userIsText; self.timeIsDate = timeIsDate
    }

    /// Splits "schema.table" into its parts (each then quoted on its own).
    public static func parts(_ qualified: String) throws -> [String] {
        let p = qualified.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard (1...3).contains(p.count), !p.contains(where: \.isEmpty) else {
            throw WarehouseError.invalidOption("events: '\(qualified)' is not a table name like 'events' or 'schema.events'")
        }
        return p
    }
}

/// SQL text and the names of the columns it returns, in order.
public struct CompiledQuery: Sendable, Equatable {
    public let sql: String
    public let columns: [String]
}

/// Compiles a `FeatureSpec`, `LabelOptions` or `SnapshotOptions` to one SQL
/// query that returns exactly what `buildFeatures`, `churnLabels` and
/// `snapshots` return in process: the same columns in the same order, the same
/// nulls, the same values (integers and times exact; double results computed
/// with the same operations in the same order, except that sums of amounts are
/// added in the engine's order).
///
/// Shape: `obs` (the observation dates), `src` (the events with time as whole
/// µs since the epoch, as the in-process log holds them), `ev` (each date's
/// events strictly before it, with the previous event's time), then one CTE per
/// feature family grouped by (as_of, user), joined at the end. Many dates (snapshots)
/// are the same query with more rows in `obs`.
public struct FeatureSQL: Sendable {
    public let dialect: SQLDialect
    public let events: WarehouseEvents
    /// The subscription terms: with them the subscription family and the subscription label compile.
    public let subscriptions: WarehouseSubscriptions?

    public init(dialect: SQLDialect, events: WarehouseEvents, subscriptions: WarehouseSubscriptions? = nil) {
        self.dialect = dialect; self.events = events; self.subscriptions = subscriptions
    }

    static let day = TimeUnit.microsPerDay

    // MARK: entry points

    /// The query of `buildFeatures(log, spec, subscriptions:)` (subscription features when `subscriptions` is set).
    public func features(_ spec: FeatureSpec) throws -> CompiledQuery {
        let body = try FeatureBody(self, spec)
        var ctes = [obs([spec.asOf]), try src(), ev()]
        ctes += body.ctes
        let cols = [events.user] + body.outputs
        let sql = header("features", spec: spec) + "WITH\n" + ctes.joined(separator: ",\n") + "\n" +
            "SELECT \(try body.selectList(asOf: false))\nFROM \(body.from)\nORDER BY \(order(asOf: false));\n"
        return CompiledQuery(sql: sql, columns: cols)
    }

    /// The query of `churnLabels(log, options)` (inactivity definition) or `churnLabels(subscriptions, options)`.
    public func labels(_ o: LabelOptions) throws -> CompiledQuery {
        try o.validate()
        // As in process, a single labelling that censors everyone under 'exclude' is an error saying why
        // (known here when data_end is given; the default data end is only known to the engine).
        if let end = o.dataEnd {
            try refuseAllCensored(o, dataEnd: end, grace: o.definition == .subscription ? o.graceDays : 0, defaultEnd: "")
        }
        if o.definition == .subscription {
            guard let s = subscriptions else {
                throw WarehouseError.notCompilable("labels: definition = 'subscription' needs a subscriptions table (subscriptions = {table = …})")
            }
            let u = try q(s.user)
            let ord = s.userIsText == true ? dialect.byCodePoint("u") : "u"
            let sql = "-- ChurnLab churn labels (cl.labels.sql, dialect \(dialect.rawValue)), subscription definition:\n" +
                "-- users with a term running at as_of churn when their coverage (renewals starting within \(o.graceDays) days of the\n" +
                "-- covered end) ends in [as_of, as_of + \(o.horizon) days); censored when that + grace ends after the data end.\n" +
                "WITH\n" + [obs([o.asOf]), try subsCTE(s), try subscriptionLabelCTE(o)].joined(separator: ",\n") + "\n" +
                "SELECT u AS \(u), churn, censored\nFROM labels\nORDER BY \(ord);\n"
            return CompiledQuery(sql: sql, columns: [s.user, "churn", "censored"])
        }
        let ctes = [obs([o.asOf]), try src(), try labelCTE(o)]
        let u = try q(events.user)
        let sql = "-- ChurnLab churn labels (cl.labels.sql, dialect \(dialect.rawValue)), inactivity definition:\n" +
            "-- users with an event in [as_of - \(o.activeWithin.map { "\($0) days" } ?? "ever"), as_of) churn when they have\n" +
            "-- no event in [as_of, as_of + \(o.horizon) days); censored when that window ends after the data end.\n" +
            "WITH\n" + ctes.joined(separator: ",\n") + "\n" +
            "SELECT u AS \(u), churn, censored\nFROM labels\nORDER BY \(order(asOf: false));\n"
        return CompiledQuery(sql: sql, columns: [events.user, "churn", "censored"])
    }

    /// The query of `snapshots(log, options)`: every observation date in one query.
    public func snapshots(_ o: SnapshotOptions) throws -> CompiledQuery {
        let dates = try o.dates()
        var spec = o.spec
        spec.asOf = dates[0]
        let body = try FeatureBody(self, spec)
        var ctes = [obs(dates), try src(), ev()]
        ctes += body.ctes
        var select = "f.as_of_ts AS \(try q("as_of")), " + (try body.selectList(asOf: true))
        var from = body.from
        var cols = ["as_of", events.user] + body.outputs
        if var label = o.label {
            label.asOf = dates[0]
            if label.definition == .subscription {
                guard subscriptions != nil else {
                    throw WarehouseError.notCompilable("snapshots: label definition = 'subscription' needs a subscriptions table")
                }
                try label.validate()
                if !body.subscriptionsIncluded { ctes.append(try subsCTE(subscriptions!)) }
                ctes.append(try subscriptionLabelCTE(label))
            } else {
                ctes.append(try labelCTE(label))
            }
            select += ", labels.churn, labels.censored"
            from += "\n  JOIN labels USING (as_of, u)"
            cols += ["churn", "censored"]
        }
        from += "\n  JOIN obs f USING (as_of)"
        let sql = header("snapshots", spec: spec) +
            "-- observation dates: \(dates.count), from \(DateText.format(micros: dates[0])) every \(o.everyDays) days\n" +
            "WITH\n" + ctes.joined(separator: ",\n") + "\n" +
            "SELECT \(select)\nFROM \(from)\nORDER BY \(order(asOf: true));\n"
        return CompiledQuery(sql: sql, columns: cols)
    }

    // MARK: shared pieces

    func q(_ name: String) throws -> String { try dialect.identifier(name) }

    private func header(_ what: String, spec: FeatureSpec) -> String {
        "-- ChurnLab \(what) (cl.features.sql, dialect \(dialect.rawValue)) compiled from a feature spec.\n" +
        "-- Every feature uses only events strictly before as_of; a window of W days is [as_of - W days, as_of).\n" +
        "-- Times are whole microseconds since 1970-01-01 UTC (as in ChurnLab's in-process builder).\n"
    }

    private func order(asOf: Bool) -> String {
        let u = events.userIsText == true ? dialect.byCodePoint("u") : "u"
        return asOf ? "as_of, \(u)" : u
    }

    /// The observation dates as µs, with the timestamp to show for each.
    private func obs(_ dates: [Int64]) -> String {
        let rows = dates.map { "(\(dialect.bigint($0)), \(dialect.timestamp(micros: $0)))" }
        return "obs (as_of, as_of_ts) AS (  -- observation dates (µs since the epoch)\n  VALUES " +
            rows.joined(separator: ",\n         ") + "\n)"
    }

    /// The event table with time in µs, the type as text and NaN amounts as null.
    private func src() throws -> String {
        let typ = try events.event.map { "CAST(\(try q($0)) AS \(dialect == .postgres ? "text" : "STRING"))" } ?? (try dialect.literal("event"))
        var cols = ["\(try q(events.user)) AS u", "\(dialect.micros(try q(events.time))) AS us", "\(typ) AS typ"]
        if let a = events.amount { cols.append("\(dialect.amount(try q(a))) AS amt") }
        return "src AS (  -- the event log: user, time (µs), event type\(events.amount == nil ? "" : ", amount")\n" +
            "  SELECT " + cols.joined(separator: ", ") + "\n  FROM \(try dialect.tableName(events.table))\n)"
    }

    /// Each date's events strictly before it, with the UTC day number and the user's previous event time.
    private func ev() -> String {
        let d = FeatureSQL.day
        let amt = events.amount == nil ? "" : ", s.amt"
        return "ev AS (  -- events strictly before each as_of, with their UTC day and the previous event's time\n" +
            "  SELECT o.as_of, s.u, s.us, s.typ\(amt),\n" +
            "         \(dialect.exactDiv("s.us - \(dialect.floorMod("s.us", d))", d)) AS day,\n" +
            "         lag(s.us) OVER (PARTITION BY o.as_of, s.u ORDER BY s.us) AS prev_us\n" +
            "  FROM obs o JOIN src s ON s.us < o.as_of\n)"
    }

    /// Inactivity labels per (as_of, user).
    private func labelCTE(_ o: LabelOptions) throws -> String {
        let h = Int64(o.horizon) * FeatureSQL.day
        let d = FeatureSQL.day
        let dataEnd: String
        if let e = o.dataEnd { dataEnd = dialect.bigint(e) }
        else if events.timeIsDate { dataEnd = "(\(dialect.exactDiv("max(us) - \(dialect.floorMod("max(us)", d))", d)) + 1) * \(d)" }
        else { dataEnd = "max(us) + 1" }
        let active = o.activeWithin.map { "AND l.last_us >= l.as_of - \(Int64($0) * d)" } ?? ""
        let lastUs = dialect.aggregate("max", "s.us", where: "s.us < o.as_of")
        let returned = dialect.countIf("s.us >= o.as_of")
        return "bounds AS (  -- end of observation: \(o.dataEnd == nil ? "just after the last event (default)" : "data_end")\n" +
            "  SELECT \(dataEnd) AS data_end\(o.dataEnd == nil ? " FROM src" : "")\n),\n" +
            "label_window AS (  -- per user: last event before as_of, events in [as_of, as_of + \(o.horizon) days)\n" +
            "  SELECT o.as_of, s.u, \(lastUs) AS last_us, \(returned) AS returned\n" +
            "  FROM obs o JOIN src s ON s.us < o.as_of + \(h)\n  GROUP BY o.as_of, s.u\n),\n" +
            "labels AS (  -- churn (null when censored), censored\n" +
            "  SELECT as_of, u, censored, CASE WHEN censored THEN NULL WHEN returned = 0 THEN 1 ELSE 0 END AS churn\n" +
            "  FROM (SELECT l.as_of, l.u, l.returned, (l.as_of + \(h) > b.data_end) AS censored\n" +
            "        FROM label_window l CROSS JOIN bounds b\n" +
            "        WHERE l.last_us IS NOT NULL \(active)) l0\n" +
            (o.censoring == .exclude ? "  WHERE NOT censored\n" : "") + ")"
    }
}
