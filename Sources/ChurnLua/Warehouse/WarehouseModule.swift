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
        cl.state.register(PostgresSourceObject.self, LuaClass(methods: [:], metamethods: [
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

        let whHelp = "wh: dialect = 'postgres' | 'spark', events = 'schema.table', columns = {user = 'user_id', time = 'ts', event = 'event', amount = nil}, as_of (overrides the spec's)"
        cl.submodule("features") { m in
            m.function("sql", "sql(spec, {dialect =, events =, columns =, as_of =})",
                       "The SQL text that computes cl.features.build(events, spec) inside PostgreSQL or Spark: same columns, names, nulls and values (one CTE per feature family); second result: its SHA-256 (hex), for run records. \(whHelp). The compiler cannot list the table's event types: give spec.event_types when families include types or recency. Families that need a subscriptions table are left out, as in-process without one.") { c in
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
                return pushSQL(c, try c.core { try compiler.snapshots(try snapshotOptions(t)).sql })
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
            m.function("sql", "sql({as_of =, horizon =, active_within =, censoring =, data_end =}, {dialect =, events =, columns =})",
                       "The SQL text of cl.labels.churn (inactivity definition) for a warehouse table. \(whHelp). The subscription definition does not compile (an error says so).") { c in
                let (compiler, asOf) = try compilerOptions(c, 2)
                var o = try LuaFeatureOptions.label(try c.table(1), arg: 1, requireAsOf: asOf == nil, subscriptions: false)
                if let asOf { o.asOf = asOf }
                return pushSQL(c, try c.core { try compiler.labels(o).sql })
            }
        }
        cl.submodule("source", "Event tables that live in a database or on Spark; cl.features.build, cl.features.snapshots and cl.labels.churn run there.") { m in
            m.function("spark", "spark{master = 'local[2]', path = | table =, format =, columns = {user =, time =, event =, amount =}, spark_home =, conf = {}}",
                       "An event log on Spark as a feature source: `path` (Parquet, ORC, JSON or CSV files; format from the extension or `format`) or `table` (a table of the installation's catalog). The compiled Spark SQL (cl.features.sql with dialect 'spark') runs in one spark-sql session started at first use and kept until src:close() or garbage collection; results come back as Parquet. Spark is found through spark_home or SPARK_HOME (any Spark 3.4+/4.x installation, pyspark's package directory included). conf: extra Spark settings (text keys and values). Refused in a sandboxed run.") { c in
                let t = try c.table(1)
                try t.checkKeys(["master", "path", "table", "format", "columns", "spark_home", "conf"])
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
                let master = try t.string("master") ?? "local[2]", sparkHome = try t.string("spark_home")
                let src = try c.core { () throws -> SparkEventSource in
                    try SparkSession.validate(master: master, conf: conf)
                    let home = try SparkSession.Options.findSparkHome(sparkHome)
                    let session = try SparkSession(.init(sparkHome: home, master: master, conf: conf,
                                                         inMemoryCatalog: path != nil))
                    return try SparkEventSource(session: session, path: path, format: format, events: ev, amountIfPresent: !given)
                }
                return c.push(object: SparkSourceObject(src))
            }

            m.function("postgres", "postgres{dsn =, table =, columns = {user =, time =, event =, amount =}}",
                       "A PostgreSQL event table as a feature source. dsn: a libpq connection string or postgresql:// URI without password (credentials come from PGPASSWORD, PGPASSFILE or ~/.pgpass). columns default to user_id, ts, event and amount (when the table has it, checked when used).") { c in
                let t = try c.table(1)
                try t.checkKeys(["dsn", "table", "columns"])
                guard let dsn = try t.string("dsn"), let table = try t.string("table") else {
                    throw LuaArgumentError(1, "fields 'dsn' and 'table' are required")
                }
                let ev = try columns(t, table: table, arg: 1)
                let given = try t.table("columns")?.has("amount") ?? false
                return c.push(object: PostgresSourceObject(PostgresEventSource(dsn: dsn, events: ev, amountIfPresent: !given)))
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
    static func build(_ c: LuaCall) throws -> Int32? {
        let pg = c.isObject(1, PostgresSourceObject.self), spark = c.isObject(1, SparkSourceObject.self)
        guard pg || spark else { return nil }
        let t = try c.table(2)
        if t.has("subscriptions") { throw LuaArgumentError(2, "field 'subscriptions': subscription features do not compile to SQL yet") }
        let spec = try LuaFeatureOptions.spec(t, arg: 2)
        if spark {
            let src = try c.object(1, SparkSourceObject.self).source
            try refuseInSandbox(c, "cl.features.build on a Spark source")
            return c.push(frame: try c.core { try src.features(spec) })
        }
        let src = try c.object(1, PostgresSourceObject.self).source
        try refuseInSandbox(c, "cl.features.build on a PostgreSQL source")
        return c.push(frame: try c.core { try src.features(spec) })
    }

    static func snapshots(_ c: LuaCall) throws -> Int32? {
        let pg = c.isObject(1, PostgresSourceObject.self), spark = c.isObject(1, SparkSourceObject.self)
        guard pg || spark else { return nil }
        let t = try c.table(2)
        try t.checkKeys(["from", "to", "every", "spec", "label"])
        let o = try snapshotOptions(t)
        if spark {
            let src = try c.object(1, SparkSourceObject.self).source
            try refuseInSandbox(c, "cl.features.snapshots on a Spark source")
            return c.push(frame: try c.core { try src.snapshots(o) })
        }
        let src = try c.object(1, PostgresSourceObject.self).source
        try refuseInSandbox(c, "cl.features.snapshots on a PostgreSQL source")
        return c.push(frame: try c.core { try src.snapshots(o) })
    }

    static func labels(_ c: LuaCall) throws -> Int32? {
        let pg = c.isObject(1, PostgresSourceObject.self), spark = c.isObject(1, SparkSourceObject.self)
        guard pg || spark else { return nil }
        let o = try LuaFeatureOptions.label(try c.table(2), arg: 2, requireAsOf: true, subscriptions: false)
        if spark {
            let src = try c.object(1, SparkSourceObject.self).source
            try refuseInSandbox(c, "cl.labels.churn on a Spark source")
            return c.push(frame: try c.core { try src.labels(o) })
        }
        let src = try c.object(1, PostgresSourceObject.self).source
        try refuseInSandbox(c, "cl.labels.churn on a PostgreSQL source")
        return c.push(frame: try c.core { try src.labels(o) })
    }

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

    static func snapshotOptions(_ t: LuaTable) throws -> SnapshotOptions {
        guard let from = try LuaFeatureOptions.time(t, "from", arg: 1), let to = try LuaFeatureOptions.time(t, "to", arg: 1) else {
            throw LuaArgumentError(1, "fields 'from' and 'to' (dates like '2024-06-01') are required")
        }
        let every = try LuaFeatureOptions.days(t, "every", arg: 1) ?? 28
        guard let specTable = try t.table("spec") else { throw LuaArgumentError(1, "field 'spec' (a feature spec table) is required") }
        let spec = try LuaFeatureOptions.spec(specTable, arg: 1, requireAsOf: false)
        let label = try t.table("label").map { try LuaFeatureOptions.label($0, arg: 1, requireAsOf: false, subscriptions: false) }
        return SnapshotOptions(from: from, to: to, everyDays: every, spec: spec, label: label)
    }

    static func columns(_ t: LuaTable, table: String, arg: Int32) throws -> WarehouseEvents {
        var ev = WarehouseEvents(table: try WarehouseEvents.parts(table))
        if let cols = try t.table("columns") {
            try cols.checkKeys(["user", "time", "event", "amount"])
            ev.user = try cols.string("user") ?? ev.user
            ev.time = try cols.string("time") ?? ev.time
            ev.event = try cols.string("event") ?? ev.event
            ev.amount = try cols.string("amount")
        }
        return ev
    }

    /// The compiler options table at `arg`: the compiler and the as_of override.
    static func compilerOptions(_ c: LuaCall, _ arg: Int32) throws -> (FeatureSQL, Int64?) {
        let o = try c.table(arg)
        try o.checkKeys(["dialect", "events", "columns", "as_of"])
        let d = try o.string("dialect") ?? "postgres"
        guard let dialect = SQLDialect(rawValue: d) else {
            throw LuaArgumentError(arg, "field 'dialect': '\(d)' is not 'postgres' or 'spark'")
        }
        guard let table = try o.string("events") else { throw LuaArgumentError(arg, "field 'events' (a table name like 'schema.events') is required") }
        let ev = try columns(o, table: table, arg: arg)
        return (FeatureSQL(dialect: dialect, events: ev), try LuaFeatureOptions.time(o, "as_of", arg: arg))
    }
}
