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
    /// The time column's PostgreSQL type when known (probed from the table): then the PostgreSQL
    /// query keeps times in that type (`SQLTime`'s stored form); nil = convert every time to µs.
    public var timeType: WarehouseTimeType?
    /// Text or an integer epoch instead of a timestamp or date column (`columns.time_unit`, or text found by a probe).
    public var timeEncoding: WarehouseTimeEncoding

    public init(table: [String], user: String = "user_id", time: String = "ts", event: String? = "event",
                amount: String? = nil, userIsText: Bool? = nil, timeIsDate: Bool = false, timeType: WarehouseTimeType? = nil,
                timeEncoding: WarehouseTimeEncoding = .native) {
        self.table = table; self.user = user; self.time = time; self.event = event; self.amount = amount
        self.userIsText = userIsText; self.timeIsDate = timeIsDate || timeType == .date; self.timeType = timeType
        self.timeEncoding = timeEncoding
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
/// Shape: `obs` (the observation dates), `src` (the events: user, time, type,
/// amount), `ev` (each date's events strictly before it, with the UTC day and the
/// previous event's time), then the features grouped by (as_of, user) with one
/// commented block per family. Many dates (snapshots) are the same query with more
/// rows in `obs`. Times are whole µs since the epoch as the in-process log holds
/// them, or (PostgreSQL, column type known) the stored column compared with bounds
/// precomputed in `obs` — see `SQLTime`.
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
        let time = SQLTime(dialect, events)
        let body = try FeatureBody(self, spec, time)
        let evCTE = ev(time, spec)
        var ctes = [obs([spec.asOf], time), try src(time), evCTE]
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
                "WITH\n" + [obs([o.asOf], nil), try subsCTE(s), try subscriptionLabelCTE(o)].joined(separator: ",\n") + "\n" +
                "SELECT u AS \(u), churn, censored\nFROM labels\nORDER BY \(ord);\n"
            return CompiledQuery(sql: sql, columns: [s.user, "churn", "censored"])
        }
        let time = SQLTime(dialect, events)
        let label = try labelCTE(o, time)
        let ctes = [obs([o.asOf], time), try src(time), label]
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
        let time = SQLTime(dialect, events)
        let body = try FeatureBody(self, spec, time)
        var ctes = body.ctes
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
                ctes.append(try labelCTE(label, time))
            }
            select += ", labels.churn, labels.censored"
            from += "\n  JOIN labels USING (as_of, u)"
            cols += ["churn", "censored"]
        }
        from += "\n  JOIN obs f USING (as_of)"
        let evCTE = ev(time, spec)
        ctes = [obs(dates, time), try src(time), evCTE] + ctes
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
        "-- Times are whole microseconds since 1970-01-01 UTC (as in ChurnLab's in-process builder)" +
        storedNote
    }

    /// The header line on how the query reads the time column, when not as µs.
    private var storedNote: String {
        switch (dialect, events.timeEncoding) {
        case (.postgres, .epoch(let u)):
            return ";\n-- events keep the stored integer column t (\(u.rawValue) since the epoch), compared with bounds t_… precomputed in obs (rounded up).\n"
        case (.postgres, .text):
            return ";\n-- the text column is read as a timestamp t once per event, compared with bounds t_… precomputed in obs.\n"
        case (.spark, .text):
            return ";\n-- the text column is read with to_timestamp (zone-less text in the session time zone; ChurnLab's sessions run in UTC).\n"
        case (.spark, .epoch(let u)):
            return ";\n-- the integer column holds \(u.rawValue) since the epoch.\n"
        case (.postgres, .native) where events.timeType != nil:
            return ";\n-- events keep the stored \(events.timeType!.rawValue) column t, compared with bounds t_… precomputed in obs.\n"
        default:
            return ".\n"
        }
    }

    private func order(asOf: Bool) -> String {
        let u = events.userIsText == true ? dialect.byCodePoint("u") : "u"
        return asOf ? "as_of, \(u)" : u
    }

    /// The observation dates as µs, with the timestamp to show for each and (stored form) the
    /// bounds `t_…` the query compares times with. `time` nil: no bounds (a query without events).
    private func obs(_ dates: [Int64], _ time: SQLTime?) -> String {
        let bounds = time?.boundColumns ?? []
        let rows = dates.map { d in
            "(" + ([dialect.bigint(d), dialect.timestamp(micros: d)] + (time?.boundValues(d) ?? [])).joined(separator: ", ") + ")"
        }
        return "obs (" + (["as_of", "as_of_ts"] + bounds).joined(separator: ", ") + ") AS (  -- observation dates (µs since the epoch)" +
            (bounds.isEmpty ? "" : ", window bounds in the time column's type") + "\n  VALUES " +
            rows.joined(separator: ",\n         ") + "\n)"
    }

    /// The event table: user, time (µs or stored), the type as text and NaN amounts as null.
    /// PostgreSQL inlines it where it is used (also when used twice, with labels: a scan, maybe by index, each).
    private func src(_ time: SQLTime) throws -> String {
        let typ = try events.event.map { "CAST(\(try q($0)) AS \(dialect == .postgres ? "text" : "STRING"))" } ?? (try dialect.literal("event"))
        var cols = ["\(try q(events.user)) AS u", time.source(try q(events.time)), "\(typ) AS typ"]
        if let a = events.amount { cols.append("\(dialect.amount(try q(a))) AS amt") }
        let inline = time.stored ? " NOT MATERIALIZED" : ""
        // OFFSET 0 keeps PostgreSQL from pulling the subquery up, which would copy the conversion into every
        // filter reading t (converted up to 25 times per row instead of once).
        let barrier = time.convertsRows ? "\n  OFFSET 0  -- convert each row's time once" : ""
        let what = time.convertsRows ? "read as timestamp" : time.stored ? "as stored" : "µs"
        return "src AS\(inline) (  -- the event log: user, time (\(what)), event type\(events.amount == nil ? "" : ", amount")\n" +
            "  SELECT " + cols.joined(separator: ", ") + "\n  FROM \(try dialect.tableName(events.table))\(barrier)\n)"
    }

    /// Each date's events strictly before it, with the UTC day and the user's previous event time.
    /// Stored form: the day only for the families that read it (activity, weekend), the previous
    /// event only for gaps and sessions; the window is ordered by the stored column, so PostgreSQL
    /// can take that order from a (user, time) index instead of sorting.
    private func ev(_ time: SQLTime, _ spec: FeatureSpec) -> String {
        let t = time.t
        let fam = Set(spec.families)
        let needDay = !time.stored || fam.contains(.activity) || fam.contains(.weekend)
        let needPrev = !time.stored || fam.contains(.gaps) || fam.contains(.sessions)
        var cols = ["o.as_of"] + time.boundColumns.map { "o.\($0)" } + ["s.u", "s.\(t)", "s.typ"]
        if events.amount != nil { cols.append("s.amt") }
        var extra: [String] = []
        if needDay { extra.append("\(time.day("s.\(t)")) AS day") }
        // Stored form: partitions by (user, as_of) and `features` groups in that order, so with one date (a
        // constant as_of) the rows arrive in index order (user, time) and are aggregated without another sort.
        let part = time.stored ? "s.u, o.as_of" : "o.as_of, s.u"
        if needPrev { extra.append("lag(s.\(t)) OVER (PARTITION BY \(part) ORDER BY s.\(t)) AS \(time.prev)") }
        return "ev AS (  -- events strictly before each as_of" + (extra.isEmpty ? "" : needPrev ? ", with their UTC day and the previous event's time" : ", with their UTC day") + "\n" +
            "  SELECT " + cols.joined(separator: ", ") + (extra.isEmpty ? "" : ",\n         " + extra.joined(separator: ",\n         ")) + "\n" +
            "  FROM obs o JOIN src s ON s.\(t) < o.\(time.at(0))\n)"
    }

    /// Inactivity labels per (as_of, user).
    private func labelCTE(_ o: LabelOptions, _ time: SQLTime) throws -> String {
        let h = Int64(o.horizon) * FeatureSQL.day
        let d = FeatureSQL.day
        let t = time.t
        let dataEnd: String
        if let e = o.dataEnd { dataEnd = dialect.bigint(e) }
        else if events.timeIsDate { dataEnd = time.dayAfter("max(\(t))") }
        else { dataEnd = "\(time.micros("max(\(t))")) + 1" }
        let active = o.activeWithin.map { "AND l.last_us >= l.as_of - \(Int64($0) * d)" } ?? ""
        let lastUs = time.micros(dialect.aggregate("max", "s.\(t)", where: "s.\(t) < o.\(time.at(0))"))
        let returned = dialect.countIf("s.\(t) >= o.\(time.at(0))")
        return "bounds AS (  -- end of observation: \(o.dataEnd == nil ? "just after the last event (default)" : "data_end")\n" +
            "  SELECT \(dataEnd) AS data_end\(o.dataEnd == nil ? " FROM src" : "")\n),\n" +
            "label_window AS (  -- per user: last event before as_of, events in [as_of, as_of + \(o.horizon) days)\n" +
            "  SELECT o.as_of, s.u, \(lastUs) AS last_us, \(returned) AS returned\n" +
            "  FROM obs o JOIN src s ON s.\(t) < o.\(time.at(h))\n  GROUP BY o.as_of, s.u\n),\n" +
            "labels AS (  -- churn (null when censored), censored\n" +
            "  SELECT as_of, u, censored, CASE WHEN censored THEN NULL WHEN returned = 0 THEN 1 ELSE 0 END AS churn\n" +
            "  FROM (SELECT l.as_of, l.u, l.returned, (l.as_of + \(h) > b.data_end) AS censored\n" +
            "        FROM label_window l CROSS JOIN bounds b\n" +
            "        WHERE l.last_us IS NOT NULL \(active)) l0\n" +
            (o.censoring == .exclude ? "  WHERE NOT censored\n" : "") + ")"
    }
}
