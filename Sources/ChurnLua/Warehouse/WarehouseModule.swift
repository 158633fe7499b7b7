import CLua
import Foundation
import ChurnCore
import LuaRuntime

/// An event table in PostgreSQL as a feature source (`cl.source.postgres{…}`).
public final class PostgresSourceObject: LuaObject {
    public static let luaTypeName = "cl.PostgresSource"
    public let source: PostgresEventSource
    public init(_ source: PostgresEventSource) { self.source = source }
}

/// An event log on Spark as a feature source (`cl.source.spark{…}`): it owns the
/// Spark session (started at first use, ended by `src:close()` or garbage collection).
public final class SparkSourceObject: LuaObject {
    public static let luaTypeName = "cl.SparkSource"
    public let source: SparkEventSource
    public init(_ source: SparkEventSource) { self.source = source }
}

/// `cl.features.sql`, `cl.features.snapshots_sql`, `cl.labels.sql` (the spec → SQL
/// compiler), `cl.read_postgres`, `df:write_postgres`, `cl.source.postgres` and the
/// source forms of `cl.features.build` / `cl.features.snapshots` / `cl.labels.churn`.
/// The work is ChurnCore's (Warehouse/).
enum WarehouseModule {
    static func register(_ cl: ModuleBuilder) {
        cl.state.register(PostgresSourceObject.self, LuaClass(methods: [
            "refresh": { c in
                try c.object(1, PostgresSourceObject.self).source.cache.invalidate()
                return 0
            },
            "timings": { c in
                let s = try c.object(1, PostgresSourceObject.self).source.cache.stats
                return c.push(LuaValue.table([(.string("probes"), .integer(Int64(s.probes))),
                                              (.string("type_scans"), .integer(Int64(s.typeScans))),
                                              (.string("reused"), .integer(Int64(s.reused))),
                                              (.string("stamp_seconds"), .number(s.stampSeconds)),
                                              (.string("probe_seconds"), .number(s.probeSeconds))]))
            },
        ], metamethods: [
            "__tostring": { c in
                let s = try c.object(1, PostgresSourceObject.self).source
                return c.push("<cl.PostgresSource \(s.events.table.joined(separator: "."))>")   // never the dsn
            },
        ]))
        cl.state.register(SparkSourceObject.self, LuaClass(methods: [
            "close": { c in
                try c.object(1, SparkSourceObject.self).source.session.close()
                return 0
            },
            "running": { c in c.push(try c.object(1, SparkSourceObject.self).source.session.isRunning) },
            "query": { c in
                let src = try c.object(1, SparkSourceObject.self).source
                let sql = try c.string(2)
                try refuseInSandbox(c, "src:query")
                return c.push(frame: try c.core { try src.query(sql) })
            },
            "timings": { c in
                let s = try c.object(1, SparkSourceObject.self).source.session
                return c.push(LuaValue.table([(.string("start_seconds"), .number(s.startSeconds)),
                                              (.string("engine_seconds"), .number(s.lastEngineSeconds)),
                                              (.string("read_seconds"), .number(s.lastReadSeconds))]))
            },
        ], metamethods: [
            "__tostring": { c in
                let s = try c.object(1, SparkSourceObject.self).source
                return c.push("<cl.SparkSource \(s.label) on \(s.session.options.master)\(s.session.isRunning ? ", running" : "")>")
            },
        ]))

        let whHelp = "wh: dialect = 'postgres' | 'spark', events = 'schema.table', columns = {user = 'user_id', time = 'ts', event = 'event', amount = nil, time_unit = nil | 's' | 'ms' | 'us' (an integer epoch time column)}, as_of (overrides the spec's), subscriptions = 'schema.table' | {table =, columns = {user =, start =, ['end'] =, plan =, price =, auto_renew =, discount =}, price_period = 'term' | 'month'} (the subscription family and label; auto_renew / discount only when named)"
        cl.submodule("features") { m in
            m.function("sql", "sql(spec, {dialect =, events =, columns =, as_of =})",
                       "The SQL text that computes cl.features.build(events, spec) inside PostgreSQL or Spark: same columns, names, nulls and values (one CTE per feature family); second result: its SHA-256 (hex), for run records. \(whHelp). The compiler cannot list the table's event types: give spec.event_types when families include types or recency. The subscription family compiles when wh.subscriptions names the terms table; without it it is left out, as in-process without subscriptions.") { c in
                let t = try c.table(1)
                let (compiler, asOf) = try compilerOptions(c, 2)
                var spec = try LuaFeatureOptions.spec(t, arg: 1, requireAsOf: asOf == nil)
                if let asOf { spec.asOf = asOf }
                return pushSQL(c, try c.core { try compiler.features(spec).sql })
            }
            m.function("snapshots_sql", "snapshots_sql({from =, to =, every =, spec =, label =}, {dialect =, events =, columns =})",
                       "The SQL text of cl.features.snapshots: every observation date in one query (an `obs` VALUES list), features and (with `label`) churn labels joined per date. \(whHelp).") { c in
                let t = try c.table(1)
                try t.checkKeys(["from", "to", "every", "spec", "label"])
                let (compiler, _) = try compilerOptions(c, 2)
                return pushSQL(c, try c.core { try compiler.snapshots(try snapshotOptions(t, subscriptions: compiler.subscriptions != nil)).sql })
            }
            m.function("build_sql", "build_sql(source, spec)",
                       "Not a separate engine: cl.features.build(cl.source.postgres{…} or cl.source.spark{…}, spec) compiles the spec and runs it where the data lives. This returns the SQL it would run (event types read from the table) and its SHA-256 (hex).") { c in
                let spec = try LuaFeatureOptions.spec(try c.table(2), arg: 2)
                try refuseInSandbox(c, "cl.features.build_sql")
                if c.isObject(1, SparkSourceObject.self) {
                    let src = try c.object(1, SparkSourceObject.self).source
                    return pushSQL(c, try c.core { try src.compiled(spec).sql })
                }
                let src = try c.object(1, PostgresSourceObject.self).source
                return pushSQL(c, try c.core { try src.compiled(spec).sql })
            }
        }
        cl.submodule("labels") { m in
            m.function("sql", "sql({as_of =, horizon =, active_within =, definition =, censoring =, data_end =, grace_days =}, {dialect =, events =, columns =, subscriptions =})",
                       "The SQL text of cl.labels.churn for a warehouse table: the inactivity definition over the events, or definition = 'subscription' over wh.subscriptions (then wh.events may be left out). \(whHelp).") { c in
                let (compiler, asOf) = try compilerOptions(c, 2)
                var o = try LuaFeatureOptions.label(try c.table(1), arg: 1, requireAsOf: asOf == nil, subscriptions: false)
                if let asOf { o.asOf = asOf }
                return pushSQL(c, try c.core { try compiler.labels(o).sql })
            }
        }
        cl.submodule("source", "Event tables that live in a database or on Spark; cl.features.build, cl.features.snapshots and cl.labels.churn run there.") { m in
            m.function("spark", "spark{master = 'local[2]', path = | table =, format =, columns = {user =, time =, event =, amount =, time_unit =}, subscriptions = 'path' | {path = | table =, format =, columns =, price_period =}, spark_home =, conf = {}}",
                       "An event log on Spark as a feature source: `path` (Parquet, ORC, JSON or CSV files; format from the extension or `format`) or `table` (a table of the installation's catalog). `subscriptions`: the terms (files or a catalog table, columns as cl.subscriptions') for the subscription family and definition = 'subscription' labels. Third argument of cl.features.build / snapshots / cl.labels.churn on the source: {progress = true | function(p)} with stages 'start', 'submit', 'running' (p.spark_stage, p.tasks_done, p.tasks_total from Spark's progress bar), 'reading' (p.rows), 'done'. The compiled Spark SQL (cl.features.sql with dialect 'spark') runs in one spark-sql session started at first use and kept until src:close() or garbage collection; results come back as Parquet. Spark is found through spark_home or SPARK_HOME (any Spark 3.4+/4.x installation, pyspark's package directory included). conf: extra Spark settings (text keys and values). The time column may be a timestamp, a date, ISO-8601 text (read with to_timestamp, UTC) or an integer epoch (columns.time_unit = 's', 'ms' or 'us'). Refused in a sandboxed run.") { c in
                let t = try c.table(1)
                try t.checkKeys(["master", "path", "table", "format", "columns", "spark_home", "conf", "subscriptions"])
                let path = try t.string("path"), table = try t.string("table")
                guard (path == nil) != (table == nil) else { throw LuaArgumentError(1, "give exactly one of 'path' or 'table'") }
                var conf: [String: String] = [:]
                if case .table(let pairs) = t.value("conf") {
                    for (k, v) in pairs {
                        guard case .string(let key) = k else { throw LuaArgumentError(1, "field 'conf': keys must be text like 'spark.sql.shuffle.partitions'") }
                        switch v {
                        case .string(let s): conf[key] = s
                        case .integer(let i): conf[key] = String(i)
                        case .bool(let b): conf[key] = b ? "true" : "false"
                        default: throw LuaArgumentError(1, "field 'conf.\(key)': text, integer or boolean expected")
                        }
                    }
                } else if t.has("conf") { throw LuaArgumentError(1, "field 'conf': table expected") }
                let format = try t.string("format")
                if let format, !SparkEventSource.formats.contains(format) {
                    throw LuaArgumentError(1, "field 'format': '\(format)' is not one of \(SparkEventSource.formats.joined(separator: ", "))")
                }
                try refuseInSandbox(c, "cl.source.spark")
                let ev = try columns(t, table: table ?? "events", arg: 1)
                let given = try t.table("columns")?.has("amount") ?? false
                let subs = try subscriptionsOption(t, arg: 1, spark: true)
                let master = try t.string("master") ?? "local[2]", sparkHome = try t.string("spark_home")
                let src = try c.core { () throws -> SparkEventSource in
                    try SparkSession.validate(master: master, conf: conf)
                    let home = try SparkSession.Options.findSparkHome(sparkHome)
                    let session = try SparkSession(.init(sparkHome: home, master: master, conf: conf,
                                                         inMemoryCatalog: path != nil))
                    return try SparkEventSource(session: session, path: path, format: format, events: ev, amountIfPresent: !given,
                                                subscriptions: subs?.subs, subscriptionsPath: subs?.path, subscriptionsFormat: subs?.format)
                }
                return c.push(object: SparkSourceObject(src))
            }

            m.function("postgres", "postgres{dsn =, table =, columns = {user =, time =, event =, amount =, time_unit =}, subscriptions = 'table' | {table =, columns =, price_period =}}",
                       "A PostgreSQL event table as a feature source. dsn: a libpq connection string or postgresql:// URI without password (credentials come from PGPASSWORD, PGPASSFILE or ~/.pgpass). columns default to user_id, ts, event and amount (when the table has it, checked when used). The time column may be timestamp, timestamptz, date, ISO-8601 text (converted once per row) or an integer epoch (columns.time_unit = 's', 'ms' or 'us'; compared with bounds in its unit, so an index on it serves). Column types and event types are read once and kept while a catalog stamp of the table is unchanged (src:refresh() forgets them; src:timings() counts them). subscriptions: the terms table (columns as cl.subscriptions': user_id, start, end, plan, price, auto_renew and discount when present) for the subscription family and definition = 'subscription' labels. cl.features.build / snapshots / cl.labels.churn on a source take a third argument {progress = true | function(p)}: true prints the stages on standard error, a function gets {engine, stage = 'connect' | 'query' | 'running' | 'receiving' | 'done', rows, seconds}; an error in it cancels the query.") { c in
                let t = try c.table(1)
                try t.checkKeys(["dsn", "table", "columns", "subscriptions"])
                guard let dsn = try t.string("dsn"), let table = try t.string("table") else {
                    throw LuaArgumentError(1, "fields 'dsn' and 'table' are required")
                }
                let ev = try columns(t, table: table, arg: 1)
                let given = try t.table("columns")?.has("amount") ?? false
                let subs = try subscriptionsOption(t, arg: 1, spark: false)
                return c.push(object: PostgresSourceObject(PostgresEventSource(dsn: dsn, events: ev, amountIfPresent: !given, subscriptions: subs?.subs)))
            }
        }

        cl.function("read_postgres", "read_postgres{dsn =, query = | table =, params = {}}",
                    "Runs a query in PostgreSQL and streams the rows into typed columns (int2/4/8 → int, float4/8 and numeric → float, bool, date, timestamp(tz) → timestamp in UTC, anything else → string). params fill $1, $2, … as bound values (never spliced into the text). dsn without password (PGPASSWORD / PGPASSFILE / ~/.pgpass). Network access is refused in a sandboxed run. Interruptible: the server query is cancelled.") { c in
            let t = try c.table(1)
            try t.checkKeys(["dsn", "query", "table", "params"])
            guard let dsn = try t.string("dsn") else { throw LuaArgumentError(1, "field 'dsn' is required") }
            let query = try t.string("query"), table = try t.string("table")
            guard (query == nil) != (table == nil) else { throw LuaArgumentError(1, "give exactly one of 'query' or 'table'") }
            let params = try t.table("params").map { p in
                try p.arrayValues().enumerated().map { (i, v) -> String? in
                    switch v {
                    case .nil: return nil
                    case .integer(let x): return String(x)
                    case .number(let x): return "\(x)"
                    case .string(let s): return s
                    case .bool(let b): return b ? "true" : "false"
                    default: throw LuaArgumentError(1, "field 'params'[\(i + 1)]: a \(v) cannot be a query parameter")
                    }
                }
            } ?? []
            if table != nil && !params.isEmpty { throw LuaArgumentError(1, "'params' go with 'query', not 'table'") }
            try refuseInSandbox(c, "cl.read_postgres")
            return c.push(frame: try c.core {
                let sql = try query ?? "SELECT * FROM \(try SQLDialect.postgres.tableName(try WarehouseEvents.parts(table!)))"
                return try PostgresConnection(dsn: dsn).query(sql, params: params)
            })
        }
    }

    /// `df:write_postgres{dsn =, table =, mode = 'create' | 'append' | 'replace'}`.
    static let frameMethods: [String: LuaFunction] = [
        "write_postgres": { c in
            let f = try c.frame(1)
            let t = try c.table(2)
            try t.checkKeys(["dsn", "table", "mode"])
            guard let dsn = try t.string("dsn"), let table = try t.string("table") else {
                throw LuaArgumentError(2, "fields 'dsn' and 'table' are required")
            }
            let m = try t.string("mode") ?? "create"
            guard let mode = PostgresWriteMode(rawValue: m) else {
                throw LuaArgumentError(2, "field 'mode': '\(m)' is not 'create', 'append' or 'replace'")
            }
            try refuseInSandbox(c, "df:write_postgres")
            try c.core { try PostgresConnection(dsn: dsn).writeFrame(f, table: try WarehouseEvents.parts(table), mode: mode) }
            return 0
        },
    ]

    /// The source forms of cl.features.build / snapshots / cl.labels.churn: nil when argument 1 is not a source.
    /// Argument 3: `{progress = true | function(p)}` (see `progressHandler`).
    static func build(_ c: LuaCall) throws -> Int32? {
        guard let src = try source(c) else { return nil }
        // Read first: reading the option tables below pushes nested tables above the arguments.
        let progress = try progressHandler(c, 3)
        let t = try c.table(2)
        if t.has("subscriptions") {
            throw LuaArgumentError(2, "field 'subscriptions': on a warehouse source the terms are a table of the source: " +
                                   "cl.source.\(src.engine){…, subscriptions = 'table'}")
        }
        let spec = try LuaFeatureOptions.spec(t, arg: 2)
        try refuseInSandbox(c, "cl.features.build on a \(src.name) source")
        return c.push(frame: try remote(c, "cl.features.build", src) { ran in
            src.pg != nil ? try src.pg!.features(spec, progress: progress, ran: ran) : try src.spark!.features(spec, progress: progress, ran: ran)
        })
    }

    static func snapshots(_ c: LuaCall) throws -> Int32? {
        guard let src = try source(c) else { return nil }
        // Read first: reading the option tables below pushes nested tables above the arguments.
        let progress = try progressHandler(c, 3)
        let t = try c.table(2)
        try t.checkKeys(["from", "to", "every", "spec", "label"])
        let o = try snapshotOptions(t, subscriptions: src.hasSubscriptions)
        try refuseInSandbox(c, "cl.features.snapshots on a \(src.name) source")
        return c.push(frame: try remote(c, "cl.features.snapshots", src) { ran in
            src.pg != nil ? try src.pg!.snapshots(o, progress: progress, ran: ran) : try src.spark!.snapshots(o, progress: progress, ran: ran)
        })
    }

    static func labels(_ c: LuaCall) throws -> Int32? {
        guard let src = try source(c) else { return nil }
        let progress = try progressHandler(c, 3)
        let o = try LuaFeatureOptions.label(try c.table(2), arg: 2, requireAsOf: true, subscriptions: false)
        try refuseInSandbox(c, "cl.labels.churn on a \(src.name) source")
        return c.push(frame: try remote(c, "cl.labels.churn", src) { ran in
            src.pg != nil ? try src.pg!.labels(o, progress: progress, ran: ran) : try src.spark!.labels(o, progress: progress, ran: ran)
        })
    }

    /// The warehouse source at argument 1, if it is one.
    struct Source {
        var pg: PostgresEventSource?
        var spark: SparkEventSource?
        var engine: String { pg != nil ? "postgres" : "spark" }
        var name: String { pg != nil ? "PostgreSQL" : "Spark" }
        var label: String { pg.map { $0.events.table.joined(separator: ".") } ?? spark!.label }
        var hasSubscriptions: Bool { pg.map { $0.subscriptions != nil } ?? spark!.hasSubscriptions }
    }

    static func source(_ c: LuaCall) throws -> Source? {
        if c.isObject(1, PostgresSourceObject.self) { return Source(pg: try c.object(1, PostgresSourceObject.self).source) }
        if c.isObject(1, SparkSourceObject.self) { return Source(spark: try c.object(1, SparkSourceObject.self).source) }
        return nil
    }

    /// Runs a remote call and records it for the run manifest (engine, source, SHA-256 of the SQL that ran).
    static func remote(_ c: LuaCall, _ call: String, _ src: Source, _ body: (_ ran: @escaping (CompiledQuery) -> Void) throws -> Frame) throws -> Frame {
        var sql: String? = nil
        let t0 = Date()
        let f = try c.core { try body { sql = $0.sql } }
        c.state.engineRuns.append(EngineRun(call: call, engine: src.engine, source: src.label, sqlSHA256: sql.map(EngineRunLog.hash),
                                            rows: f.nrow, seconds: Date().timeIntervalSince(t0)))
        return f
    }

    /// `progress` of the options at `arg`: true prints the stages to standard error (one line redrawn on
    /// a terminal, else a line per stage and at most one a second per stage); a function is called with
    /// {engine =, stage =, rows =, seconds =, spark_stage =, tasks_done =, tasks_total =}; nil/false: none.
    /// An error in the function stops the query (PostgreSQL cancels it; Spark's session ends).
    static func progressHandler(_ c: LuaCall, _ arg: Int32) throws -> WarehouseProgressHandler? {
        let o = try c.options(arg)
        try o.checkKeys(["progress"])
        let type = o.push("progress")
        switch type {
        case LUA_TNIL:
            lua_settop(c.L, -2); return nil
        case LUA_TBOOLEAN:
            let on = lua_toboolean(c.L, -1) != 0
            lua_settop(c.L, -2)
            return on ? progressPrinter() : nil
        case LUA_TFUNCTION:
            // The function stays on the stack (above the arguments) until this Swift call returns.
            let fn = lua_absindex(c.L, -1)
            return { p in
                try c.reserve(4)
                lua_pushvalue(c.L, fn)
                var fields: [(LuaValue, LuaValue)] = [(.string("engine"), .string(p.engine)), (.string("stage"), .string(p.stage)),
                                                      (.string("rows"), .integer(Int64(p.rows))), (.string("seconds"), .number(p.seconds))]
                if let s = p.sparkStage { fields.append((.string("spark_stage"), .integer(Int64(s)))) }
                if let d = p.tasksDone { fields.append((.string("tasks_done"), .integer(Int64(d)))) }
                if let n = p.tasksTotal { fields.append((.string("tasks_total"), .integer(Int64(n)))) }
                c.push(LuaValue.table(fields))
                try c.pcall(nargs: 1, nresults: 0)
            }
        default:
            let name = c.typeName(-1)
            lua_settop(c.L, -2)
            throw LuaArgumentError(arg, "field 'progress': true or a function expected, got \(name)")
        }
    }

    /// Prints progress to standard error: redrawn in place on a terminal; otherwise a line when the
    /// stage changes and at most one a second within a stage.
    static func progressPrinter() -> WarehouseProgressHandler {
        let tty = isatty(2) == 1
        var lastStage = "", lastPrint = Date.distantPast
        return { p in
            let final = p.stage == "done"
            if tty {
                FileHandle.standardError.write(Data(("\r\u{1B}[K" + p.line + (final ? "\n" : "")).utf8))
            } else if p.stage != lastStage || final || Date().timeIntervalSince(lastPrint) >= 1 {
                FileHandle.standardError.write(Data((p.line + "\n").utf8))
                lastPrint = Date()
            }
            lastStage = p.stage
        }
    }

    static let postgresMethodDocs: [String: MethodDocs.Entry] = [
        "refresh": ("src:refresh()", "Forgets the column types and event types read from the source's tables, so the next call reads them again. Not needed after ordinary writes: each call compares a cheap catalog stamp of the tables (relfilenode, columns, insert/update/delete counters) and reads them again when it changed; a view or partitioned table is read on every call."),
        "timings": ("src:timings()", "What the source read from its tables so far: probes (column-type probes), type_scans (scans of the distinct event types), reused (calls that reused both), and of the last call stamp_seconds (the catalog stamp) and probe_seconds (probe and scan; 0 when reused)."),
    ]

    static let sparkMethodDocs: [String: MethodDocs.Entry] = [
        "close": ("src:close()", "Ends the source's Spark session (its JVM); the next query starts a new one."),
        "running": ("src:running()", "Whether the source's Spark session is running."),
        "query": ("src:query(sql)", "Runs one Spark SQL query on the source's session and returns its rows (types kept: the result travels as Parquet). A path source's events are the view churnlab_events. A Spark error is a Lua error naming Spark's message and the failing statement line."),
        "timings": ("src:timings()", "Seconds of the session start (start_seconds) and of the last query: Spark computing and writing it (engine_seconds), ChurnLab reading it back (read_seconds)."),
    ]

    // MARK: helpers

    /// SQL text and its SHA-256 (hex): a run records which query ran without storing it.
    static func pushSQL(_ c: LuaCall, _ sql: String) -> Int32 {
        c.push(sql)
        c.push(SHA256.hash(sql).map { String(format: "%02x", $0) }.joined())
        return 2
    }

    /// Network (and local database sockets) are refused in sandboxed runs, as files outside
    /// the sandbox's roots are: a rule or scheduled script may not reach other systems.
    static func refuseInSandbox(_ c: LuaCall, _ what: String) throws {
        guard c.state.options.sandbox == nil else {
            throw LuaScriptError("\(what): database connections are refused in a sandboxed run (--sandbox, rules, schedules)")
        }
    }

    static func snapshotOptions(_ t: LuaTable, subscriptions: Bool = false) throws -> SnapshotOptions {
        guard let from = try LuaFeatureOptions.time(t, "from", arg: 1), let to = try LuaFeatureOptions.time(t, "to", arg: 1) else {
            throw LuaArgumentError(1, "fields 'from' and 'to' (dates like '2024-06-01') are required")
        }
        let every = try LuaFeatureOptions.days(t, "every", arg: 1) ?? 28
        guard let specTable = try t.table("spec") else { throw LuaArgumentError(1, "field 'spec' (a feature spec table) is required") }
        let spec = try LuaFeatureOptions.spec(specTable, arg: 1, requireAsOf: false)
        // As in process: with subscriptions the label's definition defaults to 'subscription'.
        let label = try t.table("label").map { try LuaFeatureOptions.label($0, arg: 1, requireAsOf: false, subscriptions: subscriptions) }
        return SnapshotOptions(from: from, to: to, everyDays: every, spec: spec, label: label)
    }

    static func columns(_ t: LuaTable, table: String, arg: Int32) throws -> WarehouseEvents {
        var ev = WarehouseEvents(table: try WarehouseEvents.parts(table))
        if let cols = try t.table("columns") {
            try cols.checkKeys(["user", "time", "event", "amount", "time_unit"])
            ev.user = try cols.string("user") ?? ev.user
            ev.time = try cols.string("time") ?? ev.time
            if let u = try cols.string("time_unit") {
                guard let unit = EpochUnit(rawValue: u) else {
                    throw LuaArgumentError(arg, "field 'columns.time_unit': '\(u)' is not 's', 'ms' or 'us' (the unit of an integer epoch time column)")
                }
                ev.timeEncoding = .epoch(unit)
            }
            ev.event = try cols.string("event") ?? ev.event
            ev.amount = try cols.string("amount")
        }
        return ev
    }

    /// The compiler options table at `arg`: the compiler and the as_of override.
    static func compilerOptions(_ c: LuaCall, _ arg: Int32) throws -> (FeatureSQL, Int64?) {
        let o = try c.table(arg)
        try o.checkKeys(["dialect", "events", "columns", "as_of", "subscriptions"])
        let d = try o.string("dialect") ?? "postgres"
        guard let dialect = SQLDialect(rawValue: d) else {
            throw LuaArgumentError(arg, "field 'dialect': '\(d)' is not 'postgres' or 'spark'")
        }
        let subs = try subscriptionsOption(o, arg: arg, spark: false)
        // Subscription labels need no events: a placeholder name then (never used in the text).
        guard let table = try o.string("events") ?? (subs != nil ? "events" : nil) else {
            throw LuaArgumentError(arg, "field 'events' (a table name like 'schema.events') is required")
        }
        let ev = try columns(o, table: table, arg: arg)
        return (FeatureSQL(dialect: dialect, events: ev, subscriptions: subs?.subs), try LuaFeatureOptions.time(o, "as_of", arg: arg))
    }

    /// `subscriptions` of a source or compiler option table: a table name (a path for Spark) or
    /// {table = | path =, format =, columns = {user =, start =, ['end'] =, plan =, price =, auto_renew =, discount =}, price_period =}.
    static func subscriptionsOption(_ t: LuaTable, arg: Int32, spark: Bool) throws -> (subs: WarehouseSubscriptions, path: String?, format: String?)? {
        func period(_ p: String?) throws -> Subscriptions.PricePeriod {
            guard let p else { return .term }
            guard let v = Subscriptions.PricePeriod(rawValue: p) else {
                throw LuaArgumentError(arg, "field 'subscriptions.price_period': '\(p)' is not 'term' (price of the whole term) or 'month' (a monthly rate)")
            }
            return v
        }
        switch t.value("subscriptions", depth: 0) {
        case .nil:
            return nil
        case .string(let name):
            var s = WarehouseSubscriptions(table: spark ? [SparkEventSource.subscriptionsView] : try WarehouseEvents.parts(name))
            s.autoRenewIfPresent = true; s.discountIfPresent = true
            return (s, spark ? name : nil, nil)
        default:
            guard let st = try t.table("subscriptions") else { return nil }
            try st.checkKeys(spark ? ["path", "table", "format", "columns", "price_period"] : ["table", "columns", "price_period"])
            let path = spark ? try st.string("path") : nil
            let table = try st.string("table")
            guard (path == nil) != (table == nil) else {
                throw LuaArgumentError(arg, spark ? "field 'subscriptions': give exactly one of 'path' or 'table'" : "field 'subscriptions.table' is required")
            }
            let format = spark ? try st.string("format") : nil
            if let format, !SparkEventSource.formats.contains(format) {
                throw LuaArgumentError(arg, "field 'subscriptions.format': '\(format)' is not one of \(SparkEventSource.formats.joined(separator: ", "))")
            }
            var s = WarehouseSubscriptions(table: try table.map { try WarehouseEvents.parts($0) } ?? [SparkEventSource.subscriptionsView],
                                           pricePeriod: try period(try st.string("price_period")))
            s.autoRenewIfPresent = true; s.discountIfPresent = true
            if let cols = try st.table("columns") {
                try cols.checkKeys(["user", "start", "end", "plan", "price", "auto_renew", "discount"])
                s.user = try cols.string("user") ?? s.user; s.start = try cols.string("start") ?? s.start
                s.end = try cols.string("end") ?? s.end; s.plan = try cols.string("plan") ?? s.plan
                s.price = try cols.string("price") ?? s.price
                s.autoRenew = try cols.string("auto_renew"); s.discount = try cols.string("discount")
            }
            return (s, path, format)
        }
    }
}
