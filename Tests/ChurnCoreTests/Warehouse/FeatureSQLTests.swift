import XCTest
@testable import ChurnCore

/// The spec → SQL compiler on its own (no database): quoting, dialect idioms,
/// determinism and the errors for what does not compile.
final class FeatureSQLTests: XCTestCase {
    let asOf = (Int64(19_723) + 200) * DAY_US
    func compiler(_ d: SQLDialect, user: String = "user_id", table: [String] = ["public", "events"]) -> FeatureSQL {
        FeatureSQL(dialect: d, events: WarehouseEvents(table: table, user: user, time: "ts", event: "event", amount: "amount"))
    }

    func testPostgresShapeAndDeterminism() throws {
        let spec = FeatureSpec(asOf: asOf, eventTypes: ["login", "purchase"])
        let a = try compiler(.postgres).features(spec), b = try compiler(.postgres).features(spec)
        XCTAssertEqual(a, b)
        for cte in ["-- activity:", "-- types:", "-- monetary:", "-- recency:", "-- tenure:", "-- trend:", "-- gaps:", "-- sessions:", "-- weekend:"] {
            XCTAssertTrue(a.sql.contains(cte), cte)
        }
        XCTAssertTrue(a.sql.contains("count(*) FILTER (WHERE us >= as_of - 604800000000) AS \"events_7d\""))
        XCTAssertTrue(a.sql.contains("FROM \"public\".\"events\""))
        XCTAssertEqual(a.columns.first, "user_id")
        XCTAssertEqual(a.columns.count, 1 + 6 + 6 + 6 + 3 + 1 + 3 + 2 + 2 + 1)
        XCTAssertFalse(a.sql.contains("count_if"))
    }

    /// A PostgreSQL time column of known type stays in its type: windows compare it with bounds
    /// precomputed in `obs`, and only per-user aggregates are converted to µs.
    func testPostgresStoredTimeForm() throws {
        for type in WarehouseTimeType.allCases {
            let c = FeatureSQL(dialect: .postgres, events: WarehouseEvents(table: ["events"], amount: "amount", timeType: type))
            let q = try c.features(FeatureSpec(asOf: asOf, eventTypes: ["login"]))
            XCTAssertEqual(q, try c.features(FeatureSpec(asOf: asOf, eventTypes: ["login"])))
            XCTAssertTrue(q.sql.contains("count(*) FILTER (WHERE t >= t_minus_7d) AS \"events_7d\""), q.sql)
            XCTAssertTrue(q.sql.contains("count(DISTINCT day) FILTER (WHERE t >= t_minus_30d)"))
            XCTAssertTrue(q.sql.contains("FROM obs o JOIN src s ON s.t < o.t_as_of"))
            XCTAssertTrue(q.sql.contains("lag(s.t) OVER (PARTITION BY s.u, o.as_of ORDER BY s.t) AS prev_t"))
            XCTAssertTrue(q.sql.contains("CAST(extract(epoch FROM max(t)) * 1000000 AS bigint)"))
            XCTAssertFalse(q.sql.contains("extract(epoch FROM \"ts\")"))
            let bound = type == .timestamptz ? "TIMESTAMPTZ '2024-07-12 00:00:00+00'" : "TIMESTAMP '2024-07-12 00:00:00'"
            XCTAssertTrue(q.sql.contains(bound), "\(type): the 7-day bound of 2024-07-19 as a literal of the column's type")
            XCTAssertEqual(q.columns, try FeatureSQL(dialect: .postgres, events: WarehouseEvents(table: ["events"], amount: "amount"))
                .features(FeatureSpec(asOf: asOf, eventTypes: ["login"])).columns)
            // Without gaps and sessions no window function (the per-group distinct days need none).
            XCTAssertFalse(try c.features(FeatureSpec(asOf: asOf, families: [.activity, .recency, .trend], eventTypes: ["login"])).sql.contains("lag("))
            let l = try c.labels(LabelOptions(asOf: asOf, horizon: 30))
            XCTAssertTrue(l.sql.contains("JOIN src s ON s.t < o.t_plus_30d"), l.sql)
        }
        // Spark keeps µs (unix_micros is a cheap integer read there) whatever the type.
        let s = try FeatureSQL(dialect: .spark, events: WarehouseEvents(table: ["events"], timeType: .timestamp))
            .features(FeatureSpec(asOf: asOf, eventTypes: ["login"]))
        XCTAssertTrue(s.sql.contains("count_if(us >= as_of - 604800000000)"))
    }

    func testSparkIdioms() throws {
        let q = try compiler(.spark).features(FeatureSpec(asOf: asOf, eventTypes: ["login"]))
        XCTAssertTrue(q.sql.contains("count_if(us >= as_of - 604800000000) AS `events_7d`"))
        XCTAssertTrue(q.sql.contains("unix_micros(CAST(`ts` AS TIMESTAMP))"))
        XCTAssertTrue(q.sql.contains("pmod("))
        XCTAssertTrue(q.sql.contains("FROM `public`.`events`"))
        XCTAssertFalse(q.sql.contains("FILTER (WHERE"))
        let s = try compiler(.spark).snapshots(SnapshotOptions(from: asOf - 56 * DAY_US, to: asOf, everyDays: 28,
            spec: FeatureSpec(asOf: 0, eventTypes: ["login"]), label: LabelOptions(asOf: 0)))
        XCTAssertTrue(s.sql.contains("timestamp_micros("))
        XCTAssertEqual(s.columns.suffix(2), ["churn", "censored"])
    }

    /// Names and options cannot break out of their quotes (each hostile text
    /// stays one identifier or literal: the quote characters are doubled/escaped).
    func testHostileNamesAreQuoted() throws {
        let evil = "x\"; DROP TABLE users; --"
        let c = FeatureSQL(dialect: .postgres, events: WarehouseEvents(table: ["s\"chema", evil], user: evil, time: "t`s", event: "e'v"))
        let q = try c.features(FeatureSpec(asOf: asOf, families: [.types, .recency], eventTypes: ["it's", "back\\slash"]))
        XCTAssertTrue(q.sql.contains("\"x\"\"; DROP TABLE users; --\""))
        XCTAssertTrue(q.sql.contains("\"s\"\"chema\".\"x\"\"; DROP TABLE users; --\""))
        XCTAssertTrue(q.sql.contains("typ = 'it''s'"))
        XCTAssertTrue(q.sql.contains("typ = E'back\\\\slash'"))
        XCTAssertFalse(q.sql.contains("DROP TABLE users; --\n"))   // never outside quotes at a line end
        let s = try FeatureSQL(dialect: .spark, events: WarehouseEvents(table: ["e`v"], user: "u`x", event: "ev"))
            .features(FeatureSpec(asOf: asOf, families: [.types], eventTypes: ["a'b\\c"]))
        XCTAssertTrue(s.sql.contains("`e``v`"))
        XCTAssertTrue(s.sql.contains("typ = 'a\\'b\\\\c'"))
        XCTAssertThrowsError(try SQLDialect.postgres.identifier("a\u{0}b"))
        XCTAssertThrowsError(try WarehouseEvents.parts("a..b"))
    }

    func testWhatDoesNotCompileSaysWhich() throws {
        XCTAssertThrowsError(try compiler(.postgres).features(FeatureSpec(asOf: asOf))) { e in
            XCTAssertTrue("\(e)".contains("spec.event_types"), "\(e)")
        }
        XCTAssertThrowsError(try compiler(.postgres).labels(LabelOptions(asOf: asOf, definition: .subscription))) { e in
            XCTAssertTrue("\(e)".contains("definition = 'subscription'"), "\(e)")
        }
        XCTAssertThrowsError(try compiler(.postgres).features(FeatureSpec(asOf: asOf, families: [.subscription]))) { e in
            XCTAssertTrue("\(e)".contains("spec.families"), "\(e)")
        }
        XCTAssertNoThrow(try compiler(.postgres).features(FeatureSpec(asOf: asOf, families: [.types], eventTypes: ["events"])))
        XCTAssertThrowsError(try compiler(.postgres).features(FeatureSpec(asOf: asOf, families: [.activity, .types], eventTypes: ["events"]))) { e in
            XCTAssertTrue("\(e)".contains("two features would be named 'events_7d'"), "\(e)")
        }
    }

    /// The subscription family and label: their CTEs, columns in the in-process order, both dialects.
    func testSubscriptionFamilyAndLabelCompile() throws {
        let subs = WarehouseSubscriptions(table: ["billing", "terms"], autoRenew: "auto_renew", discount: "discount")
        for d in SQLDialect.allCases {
            let c = FeatureSQL(dialect: d, events: WarehouseEvents(table: ["events"], amount: "amount"), subscriptions: subs)
            let q = try c.features(FeatureSpec(asOf: asOf, windows: [7], families: [.activity, .tenure, .subscription]))
            XCTAssertEqual(q, try c.features(FeatureSpec(asOf: asOf, windows: [7], families: [.activity, .tenure, .subscription])))
            XCTAssertEqual(q.columns, ["user_id", "events_7d", "active_days_7d", "tenure_days", "subscribed", "plan", "price", "mrr",
                                       "days_to_renewal", "renewals", "auto_renew_off", "discount"])
            for piece in ["subs_raw AS", "sub_terms AS", "subscription AS", "LEFT JOIN subscription sub", "first_start"] {
                XCTAssertTrue(q.sql.contains(piece), "\(d) \(piece)")
            }
            XCTAssertTrue(q.sql.contains(d == .postgres ? "\"billing\".\"terms\"" : "`billing`.`terms`"))
            // Only the subscription family: rows are still the users with events.
            XCTAssertEqual(try c.features(FeatureSpec(asOf: asOf, families: [.subscription])).columns.count, 1 + 8)
            let l = try c.labels(LabelOptions(asOf: asOf, horizon: 30, definition: .subscription, graceDays: 7))
            XCTAssertEqual(l.columns, ["user_id", "churn", "censored"])
            XCTAssertTrue(l.sql.contains("chain AS") && l.sql.contains("start_us - \(7 * DAY_US) > reach"), l.sql)
            let s = try c.snapshots(SnapshotOptions(from: asOf - 28 * DAY_US, to: asOf, spec: FeatureSpec(asOf: 0, families: [.activity]),
                                                    label: LabelOptions(asOf: 0, definition: .subscription)))
            XCTAssertEqual(s.columns.suffix(2), ["churn", "censored"])
            XCTAssertEqual(s.sql.components(separatedBy: "subs_raw AS").count, 2)   // the terms CTE once
        }
        // Without the optional columns the features are left out, as in process.
        let plain = FeatureSQL(dialect: .postgres, events: WarehouseEvents(table: ["events"]),
                               subscriptions: WarehouseSubscriptions(table: ["terms"], pricePeriod: .month))
        let q = try plain.features(FeatureSpec(asOf: asOf, families: [.subscription]))
        XCTAssertEqual(q.columns.suffix(2), ["days_to_renewal", "renewals"])
        XCTAssertTrue(q.sql.contains("price AS mrr") || q.sql.contains("price AS \"mrr\"") || q.sql.contains("\n         price AS mrr"), q.sql)
    }
}
