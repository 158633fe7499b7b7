import XCTest
import ExecutionControl
@testable import ChurnCore

/// The compiled SQL run in a real PostgreSQL against the in-process builder on
/// the simulator's events. Needs the throw-away cluster `scripts/test` starts
/// (scripts/lib/postgres.sh), found through CHURNLAB_TEST_PG_DSN.
final class PostgresWarehouseTests: XCTestCase {
    static var dsn: String? { ProcessInfo.processInfo.environment["CHURNLAB_TEST_PG_DSN"] }
    func requireDSN() throws -> String {
        guard let d = Self.dsn else {
            let why = "CHURNLAB_TEST_PG_DSN is not set: run scripts/test (it starts a throw-away PostgreSQL under .build/pg)"
            // In CI a missing PostgreSQL is a failure, not a quiet skip.
            if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail(why) }
            throw XCTSkip(why)
        }
        return d
    }

    static let start = Int64(19_723)
    static let asOf = (start + 240) * DAY_US
    /// The simulator's events (3,000 users, a year) plus boundary users: 9000001 has an event exactly
    /// at as_of (not counted) and one 1 µs before; 9000002 is first seen after as_of (absent);
    /// 9000003 was active once long ago (every window empty; single event: null gaps).
    static let events: Frame = {
        let sim = try! simulatePlatform(SimulationOptions(users: 3_000, days: 365, seed: 17))
        let extraUsers: [Int64] = [9_000_001, 9_000_001, 9_000_001, 9_000_002, 9_000_003]
        let extraTimes: [Int64] = [asOf, asOf - 1, asOf - 3 * DAY_US, asOf + DAY_US, (start + 2) * DAY_US + 5]
        let e = sim.events, n = e.nrow
        let user = e.columns.first { $0.name == "user_id" }!, ts = e.columns.first { $0.name == "ts" }!
        let ev = e.columns.first { $0.name == "event" }!, amt = e.columns.first { $0.name == "amount" }!
        guard case .int64(let u) = user.data, case .timestamp(let t) = ts.data, case .float64(let a) = amt.data else { fatalError("simulator schema") }
        let amounts: [Double?] = (0..<n).map { amt.isNull($0) ? nil : a[$0] } + [nil, 12.5, nil, nil, nil]
        return try! Frame([Column(name: "user_id", data: .int64(u + extraUsers)),
                           Column(name: "ts", data: .timestamp(t + extraTimes)),
                           Column.string("event", (0..<n).map { ev.string(at: $0) } + ["login", "purchase", "login", "login", "share"]),
                           Column(name: "amount", data: .float64(amounts.map { $0 ?? 0 }), validity: Validity(amounts.map { $0 != nil }))])
    }()
    static var loaded = false

    func source() throws -> PostgresEventSource {
        let dsn = try requireDSN()
        if !Self.loaded {
            let c = try PostgresConnection(dsn: dsn)
            try c.execute("CREATE SCHEMA IF NOT EXISTS wh")
            try c.writeFrame(Self.events, table: ["wh", "events"], mode: .replace)
            Self.loaded = true
        }
        return PostgresEventSource(dsn: dsn, events: WarehouseEvents(table: ["wh", "events"], amount: "amount"))
    }

    /// Same columns, names, nulls and values; sums of amounts (added in another order by the
    /// server) to 1e-9 relative, everything else exactly.
    func assertSame(_ sql: Frame, _ local: Frame, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(sql.columns.map(\.name), local.columns.map(\.name), what, file: file, line: line)
        XCTAssertEqual(sql.nrow, local.nrow, what, file: file, line: line)
        guard sql.nrow == local.nrow, sql.ncol == local.ncol else { return }
        for (a, b) in zip(sql.columns, local.columns) {
            var bad = 0
            for r in 0..<local.nrow {
                if a.isNull(r) != b.isNull(r) { bad += 1; if bad < 3 { XCTFail("\(what) \(b.name) row \(r): null \(a.isNull(r)) vs \(b.isNull(r))", file: file, line: line) }; continue }
                if b.isNull(r) { continue }
                switch b.data {
                case .string, .category: if a.string(at: r) != b.string(at: r) { bad += 1 }
                case .bool(let y): if case .bool(let x) = a.data, x[r] == y[r] {} else { bad += 1 }
                default:
                    let x = a.double(at: r)!, y = b.double(at: r)!
                    let tol = b.name.hasPrefix("amount") ? 1e-9 * max(1, abs(y)) : 0
                    if !(x == y || abs(x - y) <= tol) { bad += 1; if bad < 3 { XCTFail("\(what) \(b.name) row \(r): \(x) vs \(y)", file: file, line: line) } }
                }
            }
            XCTAssertEqual(bad, 0, "\(what): column \(b.name) differs in \(bad) rows", file: file, line: line)
        }
    }

    func testEveryFeatureFamilyEqualsInProcess() throws {
        let src = try source()
        let log = try EventLog(Self.events, amount: "amount")
        for spec in [FeatureSpec(asOf: Self.asOf),
                     FeatureSpec(asOf: Self.asOf, windows: [1, 14], eventTypes: ["login", "purchase"], recencyTypes: ["renew"],
                                 sessionGapMinutes: 7.5, behaviourWindow: 3, trendWindows: [10])] {
            let local = try buildFeatures(log, spec)
            let remote = try src.features(spec)
            XCTAssertGreaterThan(local.nrow, 1_000)
            assertSame(remote, local, "features \(spec.windows)")
            // The boundary users: 9000001 present (its as_of event not counted), 9000002 absent.
            let ids = (0..<remote.nrow).map { remote.columns[0].double(at: $0)! }
            XCTAssertTrue(ids.contains(9_000_001)); XCTAssertFalse(ids.contains(9_000_002)); XCTAssertTrue(ids.contains(9_000_003))
        }
    }

    func testLabelsEqualInProcess() throws {
        let src = try source()
        let log = try EventLog(Self.events, amount: "amount")
        for o in [LabelOptions(asOf: Self.asOf), LabelOptions(asOf: Self.asOf, horizon: 14, activeWithin: nil),
                  LabelOptions(asOf: (Self.start + 350) * DAY_US, horizon: 30, censoring: .flag),
                  LabelOptions(asOf: Self.asOf, horizon: 60, censoring: .flag, dataEnd: (Self.start + 280) * DAY_US)] {
            assertSame(try src.labels(o), try churnLabels(log, o), "labels horizon \(o.horizon)")
        }
    }

    func testSnapshotsEqualInProcess() throws {
        let src = try source()
        let log = try EventLog(Self.events, amount: "amount")
        let o = SnapshotOptions(from: Self.asOf - 84 * DAY_US, to: Self.asOf, everyDays: 28,
                                spec: FeatureSpec(asOf: 0, windows: [7, 30]), label: LabelOptions(asOf: 0, horizon: 30))
        let local = try snapshots(log, o)
        XCTAssertGreaterThan(local.nrow, 2_000)
        assertSame(try src.snapshots(o), local, "snapshots")
    }

    /// Subscription features (with tenure lowered to the first term), subscription labels (grace,
    /// censoring, data_end) and snapshots with the subscription label, on the simulator's terms.
    func testSubscriptionFeaturesAndLabelsEqualInProcess() throws {
        var src = try source()
        let sim = try simulatePlatform(SimulationOptions(users: 3_000, days: 365, seed: 17))
        try PostgresConnection(dsn: src.dsn).writeFrame(sim.subscriptions, table: ["wh", "subs"], mode: .replace)
        src.subscriptions = WarehouseSubscriptions(table: ["wh", "subs"], autoRenew: "auto_renew", discount: "discount")
        let subs = try Subscriptions(sim.subscriptions, autoRenew: "auto_renew", discount: "discount")
        let log = try EventLog(Self.events, amount: "amount")
        for asOf in [Self.asOf, (Self.start + 45) * DAY_US] {
            let spec = FeatureSpec(asOf: asOf, windows: [7, 30])
            let local = try buildFeatures(log, spec, subscriptions: subs)
            XCTAssertTrue(local.has("mrr") && local.has("discount"))
            assertSame(try src.features(spec), local, "features with subscriptions")
        }
        for o in [LabelOptions(asOf: Self.asOf, definition: .subscription),
                  LabelOptions(asOf: Self.asOf, horizon: 60, definition: .subscription, graceDays: 10),
                  LabelOptions(asOf: (Self.start + 350) * DAY_US, horizon: 30, definition: .subscription, censoring: .flag),
                  LabelOptions(asOf: Self.asOf, horizon: 30, definition: .subscription, censoring: .flag, dataEnd: (Self.start + 255) * DAY_US)] {
            let local = try churnLabels(subs, o)
            XCTAssertGreaterThan(local.nrow, 100)
            assertSame(try src.labels(o), local, "subscription labels horizon \(o.horizon) grace \(o.graceDays)")
        }
        // data_end given and every user censored under 'exclude': the same error as in process.
        let allCensored = LabelOptions(asOf: Self.asOf, horizon: 30, definition: .subscription, dataEnd: (Self.start + 255) * DAY_US)
        XCTAssertThrowsError(try churnLabels(subs, allCensored))
        XCTAssertThrowsError(try src.labels(allCensored)) { e in XCTAssertTrue("\(e)".contains("every user is censored"), "\(e)") }
        let so = SnapshotOptions(from: Self.asOf - 56 * DAY_US, to: Self.asOf, everyDays: 28,
                                 spec: FeatureSpec(asOf: 0, windows: [7]), label: LabelOptions(asOf: 0, definition: .subscription))
        assertSame(try src.snapshots(so), try snapshots(log, so, subscriptions: subs), "snapshots with subscription labels")
    }

    /// Every stored time type gives the in-process values — timestamp (the table above), timestamptz and
    /// date (whole days; in process a date column) — for features of every family, labels and snapshots;
    /// the compiled text reads the same under any session time zone; and the µs form (the compiler without
    /// a known column type, `cl.features.sql`) agrees too.
    func testEveryTimeColumnTypeEqualsInProcess() throws {
        let base = try source()
        let c = try PostgresConnection(dsn: base.dsn)
        try c.execute("DROP TABLE IF EXISTS wh.events_tz; CREATE TABLE wh.events_tz AS " +
                      "SELECT user_id, ts AT TIME ZONE 'UTC' AS ts, event, amount FROM wh.events")
        try c.execute("DROP TABLE IF EXISTS wh.events_date; CREATE TABLE wh.events_date AS " +
                      "SELECT user_id, CAST(ts AS date) AS ts, event, amount FROM wh.events")
        guard case .timestamp(let us) = try Self.events.column("ts").data else { return XCTFail("ts") }
        let days = us.map { Int32(($0 >= 0 ? $0 : $0 - DAY_US + 1) / DAY_US) }
        let dated = try Frame(Self.events.columns.map { $0.name == "ts" ? Column(name: "ts", data: .date(days)) : $0 })
        let specs = [FeatureSpec(asOf: Self.asOf),
                     FeatureSpec(asOf: Self.asOf, windows: [1, 14], eventTypes: ["login", "purchase"], recencyTypes: ["renew"],
                                 sessionGapMinutes: 7.5, behaviourWindow: 3, trendWindows: [10])]
        for (table, type, frame) in [("events", WarehouseTimeType.timestamp, Self.events), ("events_tz", .timestamptz, Self.events),
                                     ("events_date", .date, dated)] {
            let src = PostgresEventSource(dsn: base.dsn, events: WarehouseEvents(table: ["wh", table], amount: "amount"))
            let log = try EventLog(frame, amount: "amount")
            for spec in specs {
                let local = try buildFeatures(log, spec)
                let q = try src.compiled(spec)
                XCTAssertTrue(q.sql.contains("events keep the stored \(type.rawValue) column t"), "\(table)")
                XCTAssertFalse(q.sql.contains("extract(epoch FROM \"ts\")"), "\(table): no per-event conversion")
                assertSame(try src.features(spec), local, "\(table) features \(spec.windows)")
                // The text alone, under a session zone 13:45 from UTC with daylight saving.
                let other = try PostgresConnection(dsn: base.dsn)
                try other.execute("SET TimeZone = 'Pacific/Chatham'")
                assertSame(try other.query(q.sql), local, "\(table) features under another session time zone")
            }
            for o in [LabelOptions(asOf: Self.asOf), LabelOptions(asOf: (Self.start + 350) * DAY_US, horizon: 30, censoring: .flag)] {
                assertSame(try src.labels(o), try churnLabels(log, o), "\(table) labels horizon \(o.horizon)")
            }
            let so = SnapshotOptions(from: Self.asOf - 56 * DAY_US, to: Self.asOf, everyDays: 28,
                                     spec: FeatureSpec(asOf: 0, windows: [7, 30]), label: LabelOptions(asOf: 0, horizon: 30))
            assertSame(try src.snapshots(so), try snapshots(log, so), "\(table) snapshots")
        }
        // The µs form on the same server.
        var ev = WarehouseEvents(table: ["wh", "events"], amount: "amount", userIsText: false)
        ev.timeType = nil
        let micros = try FeatureSQL(dialect: .postgres, events: ev).features(FeatureSpec(asOf: Self.asOf, eventTypes: ["login", "purchase", "renew", "share"]))
        XCTAssertTrue(micros.sql.contains("extract(epoch FROM \"ts\")"))
        assertSame(try c.query(micros.sql), try buildFeatures(try EventLog(Self.events, amount: "amount"),
                                                               FeatureSpec(asOf: Self.asOf, eventTypes: ["login", "purchase", "renew", "share"])), "µs form")
    }

    /// ISO-8601 text (the `T…Z` form, µs fraction) and integer-epoch (µs) time columns give the in-process
    /// values of the timestamp log, boundary users included (an event 1 µs before as_of, one exactly at it),
    /// for features, labels and snapshots; the compiled text reads the same under another session time zone
    /// (`CAST(text AS timestamp)` ignores it, the epoch bounds are integers); the text is converted once per
    /// row (behind `OFFSET 0`) and the epoch column is compared as stored, never converted per row.
    func testTextAndEpochTimeColumnsEqualInProcess() throws {
        let base = try source()
        let c = try PostgresConnection(dsn: base.dsn)
        try c.execute("DROP TABLE IF EXISTS wh.events_text; CREATE TABLE wh.events_text AS SELECT user_id, " +
                      "to_char(ts, 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS ts, event, amount FROM wh.events")
        try c.execute("DROP TABLE IF EXISTS wh.events_us; CREATE TABLE wh.events_us AS SELECT user_id, " +
                      "CAST(extract(epoch FROM ts) * 1000000 AS bigint) AS ts, event, amount FROM wh.events")
        let log = try EventLog(Self.events, amount: "amount")
        let spec = FeatureSpec(asOf: Self.asOf, windows: [1, 14], eventTypes: ["login", "purchase"], recencyTypes: ["renew"],
                               sessionGapMinutes: 7.5, behaviourWindow: 3, trendWindows: [10])
        for (table, encoding) in [("events_text", WarehouseTimeEncoding.text), ("events_us", .epoch(.us))] {
            var ev = WarehouseEvents(table: ["wh", table], amount: "amount")
            if case .epoch = encoding { ev.timeEncoding = encoding }
            let src = PostgresEventSource(dsn: base.dsn, events: ev)
            let local = try buildFeatures(log, spec)
            let q = try src.compiled(spec)
            if encoding == .text {
                XCTAssertTrue(q.sql.contains("CAST(\"ts\" AS timestamp) AS t") && q.sql.contains("OFFSET 0"), table)
            } else {
                XCTAssertTrue(q.sql.contains("\"ts\" AS t,") && !q.sql.contains("extract(epoch FROM \"ts\")"), table)
            }
            assertSame(try src.features(spec), local, "\(table) features")
            let other = try PostgresConnection(dsn: base.dsn)
            try other.execute("SET TimeZone = 'Pacific/Chatham'")
            assertSame(try other.query(q.sql), local, "\(table) features under another session time zone")
            let o = LabelOptions(asOf: (Self.start + 350) * DAY_US, horizon: 30, censoring: .flag)
            assertSame(try src.labels(o), try churnLabels(log, o), "\(table) labels")
            let so = SnapshotOptions(from: Self.asOf - 56 * DAY_US, to: Self.asOf, everyDays: 28,
                                     spec: FeatureSpec(asOf: 0, windows: [7, 30]), label: LabelOptions(asOf: 0, horizon: 30))
            assertSame(try src.snapshots(so), try snapshots(log, so), "\(table) snapshots")
        }
    }

    /// Progress: connect, query, receiving (first row, then every 16 Ki rows), done with the row count.
    func testProgressStages() throws {
        let src = try source()
        var seen: [WarehouseProgress] = []
        let f = try src.features(FeatureSpec(asOf: Self.asOf, windows: [7]), progress: { seen.append($0) })
        // "running" heartbeats (once a second while the server computes) come between "query" and "receiving" under load.
        XCTAssertEqual(Array(seen.map(\.stage).filter { $0 != "running" }.prefix(3)), ["connect", "query", "receiving"])
        XCTAssertFalse(seen.drop(while: { $0.stage != "receiving" }).contains { $0.stage == "running" })
        XCTAssertEqual(seen.last?.stage, "done")
        XCTAssertEqual(seen.last?.rows, f.nrow)
        struct Stop: Error {}
        XCTAssertThrowsError(try src.features(FeatureSpec(asOf: Self.asOf), progress: { if $0.stage == "receiving" { throw Stop() } })) { e in
            XCTAssertTrue(e is Stop, "\(e)")
        }
        // The connection-per-call source is usable afterwards.
        XCTAssertEqual(try src.features(FeatureSpec(asOf: Self.asOf, windows: [7])).nrow, f.nrow)
    }

    func testReadWithBoundParametersAndRoundTrip() throws {
        let dsn = try requireDSN()
        let c = try PostgresConnection(dsn: dsn)
        let hostile = "'; DROP TABLE wh_x; --"
        let f = try c.query("SELECT $1::text AS s, $2::int + 1 AS n, NULL::float8 AS x, DATE '2024-02-29' AS d", params: [hostile, "41"])
        XCTAssertEqual(f.columns.map(\.name), ["s", "n", "x", "d"])
        XCTAssertEqual(f.columns[0].string(at: 0), hostile)
        XCTAssertEqual(f.columns[1].double(at: 0), 42)
        XCTAssertTrue(f.columns[2].isNull(0))
        XCTAssertEqual(f.columns[3].double(at: 0), Double(DateText.days(year: 2024, month: 2, day: 29)))
        // Every column type through COPY and back.
        let t = try Frame([Column.int("i", [1, -2, 3], nulls: [false, false, true]), Column.float("x", [0.1, -.infinity, 1e-300]),
                           Column.bool("b", [true, false, true]), Column.string("s", ["a\tb", "back\\slash\nline", nil]),
                           Column(name: "d", data: .date([0, -1, 19_723])), Column(name: "t", data: .timestamp([1, -1, 1_717_200_000_123_456]))])
        try c.writeFrame(t, table: ["wh_roundtrip"], mode: .replace)
        XCTAssertThrowsError(try c.writeFrame(t, table: ["wh_roundtrip"], mode: .create))
        try c.writeFrame(t, table: ["wh_roundtrip"], mode: .append)
        let back = try c.query("SELECT * FROM wh_roundtrip")
        XCTAssertEqual(back.nrow, 6)
        assertSame(try c.query("SELECT * FROM wh_roundtrip LIMIT 3"), t, "round trip")
    }

    /// A password in the dsn is refused without being echoed; one in PGPASSWORD never reaches an error.
    func testPasswordNeverInMessages() throws {
        let dsn = try requireDSN()
        let secret = "S3cr3t-pw-\(UInt32.random(in: 1000...9999))"
        for bad in ["\(dsn) password=\(secret)", "postgresql://churnlab:\(secret)@localhost/db", "host=x password='\(secret)' oops"] {
            XCTAssertThrowsError(try PostgresConnection(dsn: bad)) { e in XCTAssertFalse("\(e)".contains(secret), "\(e)") }
        }
        setenv("PGPASSWORD", secret, 1)
        defer { unsetenv("PGPASSWORD") }
        XCTAssertThrowsError(try PostgresConnection(dsn: "\(dsn) dbname=no_such_db_\(secret)")) { e in
            XCTAssertTrue("\(e)".contains("********"), "\(e)")   // the database name held it: redacted
            XCTAssertFalse("\(e)".contains(secret), "\(e)")
        }
    }

    /// A cancelled execution token stops a running server-side query (PQcancel).
    func testCancelStopsTheServerQuery() throws {
        let dsn = try requireDSN()
        let c = try PostgresConnection(dsn: dsn)
        let ctx = ExecutionContext()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { ctx.token.cancel(.interrupted) }
        let t0 = Date()
        XCTAssertThrowsError(try ExecutionContext.run(in: ctx) { _ = try c.query("SELECT pg_sleep(30)") }) { e in
            XCTAssertEqual(e as? CancellationError, CancellationError(reason: .interrupted), "\(e)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(t0), 5)
        // The connection is usable afterwards.
        XCTAssertEqual(try c.query("SELECT 1 AS one").nrow, 1)
    }
}
