import Foundation

/// An event log on Spark used as a feature source: files (`path`, read by Spark
/// as a temporary view) or a table of the installation's catalog (`table`). The
/// compiled Spark SQL runs in a `SparkSession` kept for the source's lifetime,
/// so features, labels and snapshots of one source pay Spark's start-up once.
public final class SparkEventSource {
    /// The file formats Spark reads natively (`format`, or the path's extension).
    public static let formats = ["parquet", "orc", "json", "csv"]
    /// The temporary view a `path` source is registered as.
    static let view = "churnlab_events"

    public let session: SparkSession
    /// Files (a file or a directory of part files) or nil for a catalog table.
    public let path: String?
    public let format: String
    public let amountIfPresent: Bool
    private let given: WarehouseEvents
    private var resolved: WarehouseEvents?
    /// The table's distinct event types (one text column), read at the first spec that needs them.
    private var types: Frame?
    /// Whether the views are registered in the running session.
    private var registered = false
    /// The subscription terms: files (registered as the view `churnlab_subscriptions`) or a catalog table.
    private let subsPath: String?, subsFormat: String
    private var subsGiven: WarehouseSubscriptions?
    private var subsResolved: WarehouseSubscriptions?
    public static let subscriptionsView = "churnlab_subscriptions"
    /// Whether the source has a subscriptions table.
    public var hasSubscriptions: Bool { subsGiven != nil }

    /// `events.table` is the catalog table when `path` is nil (ignored otherwise); likewise
    /// `subscriptions.table` when `subscriptionsPath` is nil.
    public init(session: SparkSession, path: String?, format: String?, events: WarehouseEvents, amountIfPresent: Bool,
                subscriptions: WarehouseSubscriptions? = nil, subscriptionsPath: String? = nil, subscriptionsFormat: String? = nil) throws {
        self.session = session; self.path = path; self.amountIfPresent = amountIfPresent
        var ev = events
        if let path {
            self.format = try SparkEventSource.format(path, format)
            ev.table = [SparkEventSource.view]
        } else {
            self.format = "table"
        }
        given = ev
        subsPath = subscriptionsPath
        var subs = subscriptions
        if let sp = subscriptionsPath {
            subsFormat = try SparkEventSource.format(sp, subscriptionsFormat)
            subs?.table = [SparkEventSource.subscriptionsView]
        } else {
            subsFormat = "table"
        }
        subsGiven = subs
    }

    /// The file format of `path`: `format`, else its extension, else Parquet.
    static func format(_ path: String, _ format: String?) throws -> String {
        let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
        let f = format ?? (SparkEventSource.formats.contains(ext) ? ext : "parquet")
        guard SparkEventSource.formats.contains(f) else {
            throw WarehouseError.invalidOption("spark format '\(f)' is not one of \(SparkEventSource.formats.joined(separator: ", "))")
        }
        return f
    }

    /// What the source reads, for messages and `tostring` (a path or a table name).
    public var label: String { path.map { URL(fileURLWithPath: $0).lastPathComponent } ?? given.table.joined(separator: ".") }

    /// The query `features(spec)` runs.
    public func compiled(_ spec: FeatureSpec) throws -> CompiledQuery {
        let (sql, spec) = try resolve(spec)
        return try sql.features(spec!)
    }

    /// The in-process `buildFeatures(log, spec, subscriptions:)` computed by Spark.
    public func features(_ spec: FeatureSpec, progress: WarehouseProgressHandler? = nil,
                       ran: ((CompiledQuery) -> Void)? = nil) throws -> Frame {
        let p = ProgressReporter("spark", progress)
        let (sql, spec) = try resolve(spec, p)
        let q = try sql.features(spec!)
        ran?(q)
        return try run(q, p)
    }

    /// The in-process `churnLabels(log or subscriptions, options)` computed by Spark.
    public func labels(_ o: LabelOptions, progress: WarehouseProgressHandler? = nil,
                       ran: ((CompiledQuery) -> Void)? = nil) throws -> Frame {
        let p = ProgressReporter("spark", progress)
        let (sql, _) = try resolve(nil, p)
        let q = try sql.labels(o)
        ran?(q)
        return try run(q, p)
    }

    /// The in-process `snapshots(log, options, subscriptions:)` computed by Spark, every date in one query.
    public func snapshots(_ o: SnapshotOptions, progress: WarehouseProgressHandler? = nil,
                       ran: ((CompiledQuery) -> Void)? = nil) throws -> Frame {
        let p = ProgressReporter("spark", progress)
        var o = o
        let (sql, spec) = try resolve(o.spec, p)
        o.spec = spec!
        let q = try sql.snapshots(o)
        ran?(q)
        return try run(q, p)
    }

    /// Any Spark SQL query on the session (the events are the view `churnlab_events` for a `path` source).
    public func query(_ sql: String) throws -> Frame {
        _ = try resolve(nil)
        return try session.query(sql.trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: ";"))), columns: [])
    }

    private func run(_ q: CompiledQuery, _ p: ProgressReporter) throws -> Frame {
        try session.query(q.sql, columns: q.columns, reporter: p)
    }

    /// Registers the files as views (once per session) and completes events, subscriptions and spec from the tables.
    ///
    /// What the tables hold is read once per source, not once per call: the column types (the Parquet
    /// footer read in Swift for Parquet files, else a one-row probe) and, at the first spec that needs
    /// them, the distinct event types (a scan of the event column). A later call, or a session restarted
    /// after an interruption, only registers the views again. Each statement is a Spark job and a round trip (seconds on a loaded local[2], more on a
    /// cold JVM); the types scan grows with the log. (One job for both — the probe left-joined with the
    /// types — was no faster: 16.7–18.0 s on a cold session against 10.4–38 s for the two, loaded machine.)
    func resolve(_ spec: FeatureSpec?, _ p: ProgressReporter? = nil) throws -> (FeatureSQL, FeatureSpec?) {
        let d = SQLDialect.spark
        // Parquet files: their footers give the column types before Spark starts (a misnamed column is an
        // error without a JVM); other tables are probed by the session below.
        if resolved == nil { try resolveTables(footersOnly: true) }
        if !session.isRunning || !registered {
            if !session.isRunning { try p?.report("start") }
            if let path { try register(SparkEventSource.view, path, format) }
            if let sp = subsPath { try register(SparkEventSource.subscriptionsView, sp, subsFormat) }
            registered = true
        }
        if resolved == nil { try resolveTables(footersOnly: false) }
        let sql = FeatureSQL(dialect: .spark, events: resolved!, subscriptions: subsResolved)
        guard let spec else { return (sql, nil) }
        return (sql, try WarehouseResolve.spec(spec) {
            if types == nil { types = try session.query(try WarehouseResolve.typesQuery(resolved!, d), columns: ["t"]) }
            return types!
        })
    }

    /// Completes the events and subscriptions from their tables' column types: from the Parquet footers
    /// of Parquet files, read in Swift (no Spark job: on a cold session the one-row probe is its first
    /// job, seconds of JIT and scheduling), else from a one-row query on the running session. With
    /// `footersOnly`, does nothing unless every table's types come from a footer.
    private func resolveTables(footersOnly: Bool) throws {
        func footer(_ path: String?, _ format: String) -> String? {
            guard let path, format == "parquet" else { return nil }
            return SparkEventSource.footerFile(path)
        }
        let evFile = footer(path, format), subsFile = footer(subsPath, subsFormat)
        if footersOnly && (evFile == nil || (subsGiven != nil && subsFile == nil)) { return }
        func probe(_ file: String?, _ table: [String], _ what: String) throws -> Frame {
            if let file { return try ParquetReader().schema(path: file) }
            // One row is enough for the column types (an empty result may come back without a schema).
            let f = try session.query("SELECT * FROM \(try SQLDialect.spark.tableName(table)) LIMIT 1", columns: [])
            guard f.ncol > 0 else { throw WarehouseError.invalidOption("spark source \(label): the \(what) table has no rows") }
            return f
        }
        let ev = try WarehouseResolve.events(given, probe: try probe(evFile, given.table, "event"), amountIfPresent: amountIfPresent)
        if let s = subsGiven {
            subsResolved = try WarehouseResolve.subscriptions(s, events: ev, probe: try probe(subsFile, s.table, "subscriptions"))
        }
        resolved = ev
    }

    /// The Parquet file whose footer gives `path`'s schema as Spark reads it: the file itself, or for
    /// a directory of part files (what Spark and other writers produce) its first data file in name
    /// order. nil — ask Spark — when Spark could see other columns: a directory with subdirectories
    /// (partition columns like `day=2024-01-01/` become columns) or without a data file.
    static func footerFile(_ path: String) -> String? {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDir) else { return nil }
        guard isDir.boolValue else { return path }
        guard let names = try? fm.contentsOfDirectory(atPath: path) else { return nil }
        var files: [String] = []
        for n in names.sorted() where !n.hasPrefix("_") && !n.hasPrefix(".") {
            var sub: ObjCBool = false
            _ = fm.fileExists(atPath: path + "/" + n, isDirectory: &sub)
            if sub.boolValue { return nil }
            files.append(n)
        }
        return files.first.map { path + "/" + $0 }
    }

    private func register(_ view: String, _ path: String, _ format: String) throws {
        let d = SQLDialect.spark
        let abs = URL(fileURLWithPath: path).standardizedFileURL.path
        let csv = format == "csv" ? ", header 'true', inferSchema 'true'" : ""
        try session.execute("CREATE OR REPLACE TEMPORARY VIEW \(try d.identifier(view)) " +
                            "USING \(format) OPTIONS (path \(try d.literal(abs))\(csv))")
    }
}
