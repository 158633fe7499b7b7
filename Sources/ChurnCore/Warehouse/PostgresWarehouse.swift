import CLibPQ
import ExecutionControl
import Foundation

/// An event table in PostgreSQL used as a feature source: the compiled spec
/// runs in the server and only the per-user result travels back.
public struct PostgresEventSource: Sendable {
    public var dsn: String
    public var events: WarehouseEvents
    /// Use a column named "amount" when the table has one and `events.amount` is nil (as `cl.events` does).
    public var amountIfPresent: Bool
    /// The subscription terms table, for the subscription family and label.
    public var subscriptions: WarehouseSubscriptions?
    /// The tables' column types and event types, kept while their stamp is unchanged (`PostgresSourceCache`).
    public let cache = PostgresSourceCache()

    public init(dsn: String, events: WarehouseEvents, amountIfPresent: Bool = false, subscriptions: WarehouseSubscriptions? = nil) {
        self.dsn = dsn; self.events = events; self.amountIfPresent = amountIfPresent; self.subscriptions = subscriptions
    }

    /// The query `features(spec)` runs (event types and column types read from the table).
    public func compiled(_ spec: FeatureSpec) throws -> CompiledQuery {
        let c = try PostgresConnection(dsn: dsn)
        let (sql, spec) = try resolve(c, spec)
        return try sql.features(spec!)
    }

    /// The in-process `buildFeatures(log, spec, subscriptions:)` computed by the server.
    public func features(_ spec: FeatureSpec, progress: WarehouseProgressHandler? = nil,
                       ran: ((CompiledQuery) -> Void)? = nil) throws -> Frame {
        let p = ProgressReporter("postgres", progress)
        let c = try PostgresConnection(dsn: dsn)
        try p.report("connect")
        let (sql, spec) = try resolve(c, spec)
        let q = try sql.features(spec!)
        ran?(q)
        return try c.query(q.sql, reporter: p)
    }

    /// The in-process `churnLabels(log or subscriptions, options)` computed by the server.
    public func labels(_ o: LabelOptions, progress: WarehouseProgressHandler? = nil,
                       ran: ((CompiledQuery) -> Void)? = nil) throws -> Frame {
        let p = ProgressReporter("postgres", progress)
        let c = try PostgresConnection(dsn: dsn)
        try p.report("connect")
        let (sql, _) = try resolve(c, nil)
        let q = try sql.labels(o)
        ran?(q)
        return try c.query(q.sql, reporter: p)
    }

    /// The in-process `snapshots(log, options, subscriptions:)` computed by the server, every date in one query.
    public func snapshots(_ o: SnapshotOptions, progress: WarehouseProgressHandler? = nil,
                       ran: ((CompiledQuery) -> Void)? = nil) throws -> Frame {
        let p = ProgressReporter("postgres", progress)
        let c = try PostgresConnection(dsn: dsn)
        try p.report("connect")
        var o = o
        let (sql, spec) = try resolve(c, o.spec)
        o.spec = spec!
        let q = try sql.snapshots(o)
        ran?(q)
        return try c.query(q.sql, reporter: p)
    }

    /// The compiler for the tables as they are, and `spec` completed from them (`WarehouseResolve`):
    /// what the tables hold comes from `cache` while their stamp is unchanged, else from a probe.
    func resolve(_ c: PostgresConnection, _ spec: FeatureSpec?) throws -> (FeatureSQL, FeatureSpec?) {
        let d = SQLDialect.postgres
        let tables = try [d.tableName(events.table)] + (subscriptions.map { [try d.tableName($0.table)] } ?? [])
        let r = try cache.resolve(c, tables: tables, probe: {
            let probe = try c.query("SELECT * FROM \(tables[0]) LIMIT 0")
            var ev = try WarehouseResolve.events(events, probe: probe, amountIfPresent: amountIfPresent)
            // The stored type (timestamp, timestamptz or date): the query then compares times without converting them.
            ev.timeType = c.lastColumnTypes[ev.time].flatMap(WarehouseTimeType.postgres(oid:))
            let subs = try subscriptions.map { s in
                try WarehouseResolve.subscriptions(s, events: ev, probe: try c.query("SELECT * FROM \(tables[1]) LIMIT 0"))
            }
            return (ev, subs)
        }, scan: { ev in try c.query(try WarehouseResolve.typesQuery(ev, d)) })
        let sql = FeatureSQL(dialect: .postgres, events: r.events, subscriptions: r.subscriptions)
        guard let spec else { return (sql, nil) }
        return (sql, try WarehouseResolve.spec(spec, types: r.types))
    }
}

/// How `writeFrame` treats an existing table.
public enum PostgresWriteMode: String, Sendable, CaseIterable {
    /// CREATE TABLE (an error if it exists).
    case create
    /// Add rows to an existing table (columns matched by name).
    case append
    /// DROP the table if it exists, then create it; in one transaction.
    case replace
}

extension PostgresConnection {
    /// Writes `frame` to `table` through `COPY … FROM STDIN` (text format), in one
    /// transaction: a failure leaves the table as it was. Column types: int → bigint,
    /// float → double precision, bool → boolean, string/category → text, date, timestamp.
    public func writeFrame(_ frame: Frame, table: [String], mode: PostgresWriteMode) throws {
        let d = SQLDialect.postgres
        let name = try d.tableName(table)
        let cols = try frame.columns.map { try d.identifier($0.name) }
        try execute("BEGIN")
        do {
            if mode == .replace { try execute("DROP TABLE IF EXISTS \(name)") }
            if mode != .append {
                let defs = zip(cols, frame.columns).map { "\($0) \(PostgresConnection.sqlType($1.data.dtype))" }
                try execute("CREATE TABLE \(name) (\(defs.joined(separator: ", ")))")
            }
            try copyIn("COPY \(name) (\(cols.joined(separator: ", "))) FROM STDIN") { put in
                var chunk = ""
                chunk.reserveCapacity(1 << 20)
                for r in 0..<frame.nrow {
                    for (k, c) in frame.columns.enumerated() {
                        if k > 0 { chunk += "\t" }
                        chunk += PostgresConnection.copyText(c, r)
                    }
                    chunk += "\n"
                    if chunk.utf8.count >= 1 << 20 { try put(chunk); chunk.removeAll(keepingCapacity: true) }
                }
                if !chunk.isEmpty { try put(chunk) }
            }
            try execute("COMMIT")
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    static func sqlType(_ k: DType) -> String {
        switch k {
        case .int64: return "bigint"
        case .float64: return "double precision"
        case .bool: return "boolean"
        case .string, .category: return "text"
        case .date: return "date"
        case .timestamp: return "timestamp"
        }
    }

    /// One cell in COPY's text format: `\N` for null; `\`, tab, newline and CR escaped.
    static func copyText(_ c: Column, _ r: Int) -> String {
        if c.isNull(r) { return "\\N" }
        switch c.data {
        case .int64(let v): return String(v[r])
        case .float64(let v):
            let x = v[r]
            if x.isNaN { return "NaN" }
            if x.isInfinite { return x > 0 ? "Infinity" : "-Infinity" }
            return "\(x)"
        case .bool(let v): return v[r] ? "t" : "f"
        case .date(let v): return DateText.format(days: v[r])
        case .timestamp(let v): return DateText.format(micros: v[r])
        case .string(let codes, let dict), .category(let codes, let dict):
            let s = dict[Int(codes[r])]
            guard s.contains(where: { $0 == "\\" || $0 == "\t" || $0 == "\n" || $0 == "\r" }) else { return s }
            return s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\t", with: "\\t")
                .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r")
        }
    }
}
