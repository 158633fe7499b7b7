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

    /// `events.table` is the catalog table when `path` is nil (ignored otherwise).
    public init(session: SparkSession, path: String?, format: String?, events: WarehouseEvents, amountIfPresent: Bool) throws {
        self.session = session; self.path = path; self.amountIfPresent = amountIfPresent
        var ev = events
        if let path {
            let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
            let f = format ?? (SparkEventSource.formats.contains(ext) ? ext : "parquet")
            guard SparkEventSource.formats.contains(f) else {
                throw WarehouseError.invalidOption("spark format '\(f)' is not one of \(SparkEventSource.formats.joined(separator: ", "))")
            }
            self.format = f
            ev.table = [SparkEventSource.view]
        } else {
            self.format = "table"
        }
        given = ev
    }

    /// What the source reads, for messages and `tostring` (a path or a table name).
    public var label: String { path.map { URL(fileURLWithPath: $0).lastPathComponent } ?? given.table.joined(separator: ".") }

    /// The query `features(spec)` runs.
    public func compiled(_ spec: FeatureSpec) throws -> CompiledQuery {
        let (ev, spec) = try resolve(spec)
        return try FeatureSQL(dialect: .spark, events: ev).features(spec!)
    }

    /// The in-process `buildFeatures(log, spec)` computed by Spark.
    public func features(_ spec: FeatureSpec) throws -> Frame {
        let q = try compiled(spec)
        return try run(q)
    }

    /// The in-process `churnLabels(log, options)` computed by Spark.
    public func labels(_ o: LabelOptions) throws -> Frame {
        let (ev, _) = try resolve(nil)
        return try run(try FeatureSQL(dialect: .spark, events: ev).labels(o))
    }

    /// The in-process `snapshots(log, options)` computed by Spark, every date in one query.
    public func snapshots(_ o: SnapshotOptions) throws -> Frame {
        var o = o
        let (ev, spec) = try resolve(o.spec)
        o.spec = spec!
        return try run(try FeatureSQL(dialect: .spark, events: ev).snapshots(o))
    }

    /// Any Spark SQL query on the session (the events are the view `churnlab_events` for a `path` source).
    public func query(_ sql: String) throws -> Frame {
        _ = try resolve(nil)
        return try session.query(sql.trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: ";"))), columns: [])
    }

    private func run(_ q: CompiledQuery) throws -> Frame {
        try session.query(q.sql, columns: q.columns)
    }

    /// Registers the files as a view (once per session) and completes events and spec from the table.
    func resolve(_ spec: FeatureSpec?) throws -> (WarehouseEvents, FeatureSpec?) {
        let d = SQLDialect.spark
        if resolved == nil || !session.isRunning {
            if let path {
                let abs = URL(fileURLWithPath: path).standardizedFileURL.path
                let csv = format == "csv" ? ", header 'true', inferSchema 'true'" : ""
                try session.execute("CREATE OR REPLACE TEMPORARY VIEW \(try d.identifier(SparkEventSource.view)) " +
                                    "USING \(format) OPTIONS (path \(try d.literal(abs))\(csv))")
            }
            // One row is enough for the column types (an empty result may come back without a schema).
            let probe = try session.query("SELECT * FROM \(try d.tableName(given.table)) LIMIT 1", columns: [])
            guard probe.ncol > 0 else {
                throw WarehouseError.invalidOption("spark source \(label): the event table has no rows")
            }
            resolved = try WarehouseResolve.events(given, probe: probe, amountIfPresent: amountIfPresent)
        }
        let ev = resolved!
        guard let spec else { return (ev, nil) }
        return (ev, try WarehouseResolve.spec(spec) { try session.query(try WarehouseResolve.typesQuery(ev, d), columns: ["t"]) })
    }
}
