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
}
