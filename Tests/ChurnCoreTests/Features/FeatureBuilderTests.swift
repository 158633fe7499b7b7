import XCTest
@testable import ChurnCore

/// Every value below is computed by hand from the log in `handLog()`.
final class FeatureBuilderTests: XCTestCase {
    /// asOf = day 100 00:00. Windows 7 (cut day 93) and 30 (cut day 70).
    static let asOf = fday(100)

    /// Rows deliberately out of order (the log sorts them).
    func handLog() throws -> EventLog {
        let f = try featureEventFrame([
            (1, fday(95, h: 12, m: 50), "login", nil),    // 30 min after the view: same session
            (5, fday(10), "login", nil),                  // old user: empty windows
            (1, fday(100), "purchase", 100),              // exactly at asOf: excluded
            (1, fday(50), "login", nil),
            (3, fday(100), "login", nil),                 // first seen at asOf: absent
            (1, fday(75, h: 10), "view", 5),
            (2, fday(98), "login", nil),                  // single-event user
            (1, fday(93), "login", nil),                  // exactly at the 7-day cut: inside
            (1, fday(95, h: 12), "purchase", 20),
            (4, fday(110), "view", nil),                  // first seen after asOf: absent
            (1, fday(95, h: 12, m: 20), "view", nil),
            (1, fday(120), "login", nil),
            (6, fday(97), "login", nil),
            (6, fday(110), "login", nil),                 // exactly at asOf + 10 days
        ])
        return try EventLog(f, amount: "amount")
    }

    func spec() -> FeatureSpec { FeatureSpec(asOf: Self.asOf, windows: [30, 7]) }

    func testUsersPresentAndOrdered() throws {
        let f = try buildFeatures(try handLog(), spec())
        XCTAssertEqual(try featureUserIDs(f), [1, 2, 5, 6])
        XCTAssertEqual(Array(f.names.prefix(5)), ["user_id", "events_7d", "events_30d", "active_days_7d", "active_days_30d"])
    }

    func testUserOneByHand() throws {
        let f = try buildFeatures(try handLog(), spec())
        func v(_ n: String) throws -> Double? { try featureValue(f, n, user: 1) }
        XCTAssertEqual(try v("events_7d"), 4)        // day 93, 95 12:00, 12:20, 12:50
        XCTAssertEqual(try v("events_30d"), 5)       // + day 75
        XCTAssertEqual(try v("active_days_7d"), 2)   // days 93, 95
        XCTAssertEqual(try v("active_days_30d"), 3)  // days 75, 93, 95
        XCTAssertEqual(try v("login_7d"), 2)
        XCTAssertEqual(try v("login_30d"), 2)
        XCTAssertEqual(try v("view_7d"), 1)
        XCTAssertEqual(try v("view_30d"), 2)
        XCTAssertEqual(try v("purchase_7d"), 1)      // the purchase at asOf is not counted
        XCTAssertEqual(try v("amount_7d"), 20)
        XCTAssertEqual(try v("amount_30d"), 25)
        XCTAssertEqual(try v("amount_mean_7d"), 20)
        XCTAssertEqual(try v("amount_mean_30d"), 12.5)
        // Last event day 95 12:50 → 4 d 11 h 10 min before asOf.
        XCTAssertEqual(try v("recency_days")!, 4 + 11.0 / 24 + 10.0 / 1440, accuracy: 1e-12)
        XCTAssertEqual(try v("recency_login_days")!, 4 + 11.0 / 24 + 10.0 / 1440, accuracy: 1e-12)
        XCTAssertEqual(try v("recency_view_days")!, 4 + 11.0 / 24 + 40.0 / 1440, accuracy: 1e-12)
        XCTAssertEqual(try v("recency_purchase_days")!, 4.5, accuracy: 1e-12)
        XCTAssertEqual(try v("tenure_days"), 50)
        XCTAssertEqual(try v("trend_7d"), 4)         // 4 now, 0 in [86, 93): x/0 = x
        XCTAssertEqual(try v("trend_30d"), 5)        // 5 now, 1 (day 50) in [40, 70)
        // Gaps: span 45 d 12 h 50 min over 5 gaps; largest day 50 → day 75 10:00.
        XCTAssertEqual(try v("gap_mean_days")!, (45 + 12.0 / 24 + 50.0 / 1440) / 5, accuracy: 1e-12)
        XCTAssertEqual(try v("gap_max_days")!, 25 + 10.0 / 24, accuracy: 1e-12)
        // Sessions in 30 d: {75}, {93}, {95 12:00, 12:20, 12:50} → lengths 0, 0, 50 min.
        XCTAssertEqual(try v("sessions_30d"), 3)
        XCTAssertEqual(try v("session_minutes_mean_30d")!, 50.0 / 3, accuracy: 1e-12)
        // Day 93 is a Saturday (day 0 = Thursday); days 75 and 95 are weekdays.
        XCTAssertEqual(try v("weekend_share_30d")!, 0.2, accuracy: 1e-12)
    }

    func testSingleEventAndEmptyWindows() throws {
        let f = try buildFeatures(try handLog(), spec())
        // User 2: one login on day 98 (a Thursday).
        XCTAssertEqual(try featureValue(f, "events_7d", user: 2), 1)
        XCTAssertEqual(try featureValue(f, "view_30d", user: 2), 0)
        XCTAssertNil(try featureValue(f, "recency_view_days", user: 2))      // never seen type → null
        XCTAssertNil(try featureValue(f, "recency_purchase_days", user: 2))
        XCTAssertEqual(try featureValue(f, "recency_days", user: 2), 2)
        XCTAssertEqual(try featureValue(f, "trend_7d", user: 2), 1)          // 1 now, 0 before
        XCTAssertNil(try featureValue(f, "gap_mean_days", user: 2))
        XCTAssertNil(try featureValue(f, "gap_max_days", user: 2))
        XCTAssertEqual(try featureValue(f, "sessions_30d", user: 2), 1)
        XCTAssertEqual(try featureValue(f, "session_minutes_mean_30d", user: 2), 0)
        XCTAssertEqual(try featureValue(f, "weekend_share_30d", user: 2), 0)
        XCTAssertEqual(try featureValue(f, "amount_7d", user: 2), 0)
        XCTAssertNil(try featureValue(f, "amount_mean_7d", user: 2))
        // User 5: one login on day 10 — every window empty.
        for n in ["events_7d", "events_30d", "active_days_30d", "login_30d", "sessions_30d", "amount_30d"] {
            XCTAssertEqual(try featureValue(f, n, user: 5), 0, n)
        }
        XCTAssertEqual(try featureValue(f, "trend_7d", user: 5), 1)          // 0/0 = 1
        XCTAssertEqual(try featureValue(f, "recency_days", user: 5), 90)
        XCTAssertEqual(try featureValue(f, "tenure_days", user: 5), 90)
        XCTAssertNil(try featureValue(f, "session_minutes_mean_30d", user: 5))
        XCTAssertNil(try featureValue(f, "weekend_share_30d", user: 5))
        XCTAssertEqual(try f.column("events_7d").dtype, .int64)
    }

    func testSubscriptionFeatures() throws {
        let subs = try handSubscriptions()
        let f = try buildFeatures(try handLog(), spec(), subscriptions: subs)
        // User 1: current term [90, 120) monthly 10, auto-renew on; two terms started before asOf.
        XCTAssertEqual(try featureValue(f, "subscribed", user: 1), 1)
        XCTAssertEqual(try f.column("plan").string(at: 0), "monthly")
        XCTAssertEqual(try featureValue(f, "price", user: 1), 10)
        XCTAssertEqual(try featureValue(f, "mrr", user: 1), 10)       // [1970-04-01, 1970-05-01): one calendar month
        XCTAssertEqual(try featureValue(f, "days_to_renewal", user: 1), 20)
        XCTAssertEqual(try featureValue(f, "renewals", user: 1), 1)
        XCTAssertEqual(try featureValue(f, "auto_renew_off", user: 1), 0)
        XCTAssertEqual(try featureValue(f, "discount", user: 1), 0)
        XCTAssertEqual(try featureValue(f, "tenure_days", user: 1), 50)      // first event (50) before first term (60)
        // User 2: term [80, 110) at 15 with auto-renew off and 20 % discount; tenure from the term start.
        XCTAssertEqual(try featureValue(f, "days_to_renewal", user: 2), 10)
        XCTAssertEqual(try featureValue(f, "auto_renew_off", user: 2), 1)
        XCTAssertEqual(try featureValue(f, "discount", user: 2), 0.2)
        XCTAssertEqual(try featureValue(f, "renewals", user: 2), 0)
        XCTAssertEqual(try featureValue(f, "tenure_days", user: 2), 20)
        // User 5: lapsed term [50, 80) — last plan kept, nothing running.
        XCTAssertEqual(try featureValue(f, "subscribed", user: 5), 0)
        XCTAssertEqual(try f.column("plan").string(at: 2), "annual")
        XCTAssertEqual(try featureValue(f, "price", user: 5), 0)
        XCTAssertNil(try featureValue(f, "days_to_renewal", user: 5))
        XCTAssertNil(try featureValue(f, "auto_renew_off", user: 5))
        // User 6 never subscribed: plan null.
        XCTAssertNil(try f.column("plan").string(at: 3))
        XCTAssertEqual(try featureValue(f, "subscribed", user: 6), 0)
    }

    func handSubscriptions() throws -> Subscriptions {
        let rows: [(Int64, Int64, Int64?, String, Double, Bool, Double)] = [
            (1, 60, 90, "monthly", 10, true, 0), (1, 90, 120, "monthly", 10, true, 0), (1, 120, 150, "monthly", 10, true, 0),
            (2, 80, 110, "monthly", 15, false, 0.2),
            (3, 0, 365, "annual", 120, true, 0),
            (4, 100, 130, "monthly", 10, true, 0),   // starts exactly at asOf: running
            (5, 50, 80, "annual", 10, true, 0),
            (7, 85, 115, "monthly", 10, false, 0), (7, 118, 148, "monthly", 10, false, 0),
            (8, 90, nil, "lifetime", 300, false, 0),
        ]
        let f = try Frame([
            .int("user_id", rows.map { $0.0 }),
            Column(name: "start", data: .date(rows.map { Int32($0.1) })),
            Column(name: "end", data: .date(rows.map { Int32($0.2 ?? 0) }), validity: Validity(rows.map { $0.2 != nil })),
            .string("plan", rows.map { $0.3 }),
            .float("price", rows.map { $0.4 }),
            .bool("auto_renew", rows.map { $0.5 }),
            .float("discount", rows.map { $0.6 }),
        ])
        return try Subscriptions(f, autoRenew: "auto_renew", discount: "discount")
    }

    func testSubscriptionLabels() throws {
        let subs = try handSubscriptions()
        var o = LabelOptions(asOf: Self.asOf, horizon: 30, definition: .subscription, dataEnd: fday(200))
        var f = try churnLabels(subs, o)
        // Running at day 100: users 1, 2, 3, 4, 7, 8 (4 starts exactly at asOf, 5 has lapsed).
        XCTAssertEqual(try featureUserIDs(f), [1, 2, 3, 4, 7, 8])
        // 1 renews at 120 → covered to 150; 2 ends at 110; 3 annual; 4 is covered to 130 = the horizon's end
        // (it leaves at 130, outside [100, 130)); 7 has a 3-day gap; 8 open-ended.
        XCTAssertEqual(try f.column("churn").toDoubles()!, [0, 1, 0, 0, 1, 0])
        o.graceDays = 5
        f = try churnLabels(subs, o)
        XCTAssertEqual(try f.column("churn").toDoubles()!, [0, 1, 0, 0, 0, 0])
        o.dataEnd = fday(132)            // 100 + 30 + 5 grace > 132 → every user censored: an error saying so
        XCTAssertThrowsError(try churnLabels(subs, o)) { e in
            XCTAssertTrue("\(e)".contains("every user is censored") && "\(e)".contains("grace_days (5 d) = 1970-05-16")
                          && "\(e)".contains("after data_end 1970-05-13") && "\(e)".contains("censoring = 'flag'"), "\(e)")
        }
        o.censoring = .flag
        f = try churnLabels(subs, o)
        XCTAssertEqual(f.nrow, 6)
        XCTAssertEqual(try f.column("churn").nullCount, 6)
    }

    func testInactivityLabels() throws {
        let log = try handLog()
        var o = LabelOptions(asOf: Self.asOf, horizon: 10, activeWithin: 30)
        var f = try churnLabels(log, o)
        // Active in [70, 100): users 1, 2, 6. User 5 (day 10) and 3 (first seen at asOf) are not labelled.
        XCTAssertEqual(try featureUserIDs(f), [1, 2, 6])
        // 1 has an event exactly at asOf (inside); 6's next event is exactly at asOf + 10 days (outside).
        XCTAssertEqual(try f.column("churn").toDoubles()!, [0, 1, 1])
        XCTAssertEqual(try f.column("censored").toDoubles()!, [0, 0, 0])
        o.activeWithin = nil
        XCTAssertEqual(try featureUserIDs(try churnLabels(log, o)), [1, 2, 5, 6])
        // Horizon 30 ends at day 130, after the last event (day 120): censored, never 0.
        o.horizon = 30
        XCTAssertThrowsError(try churnLabels(log, o)) { e in
            XCTAssertTrue("\(e)".contains("every user is censored") && "\(e)".contains("default data end 1970-05-01 00:00:00.000001"), "\(e)")
        }
        o.censoring = .flag
        f = try churnLabels(log, o)
        XCTAssertEqual(f.nrow, 4)
        XCTAssertEqual(try f.column("churn").nullCount, 4)
        XCTAssertEqual(try f.column("censored").toDoubles()!, [1, 1, 1, 1])
        o.dataEnd = fday(131)
        f = try churnLabels(log, o)
        XCTAssertEqual(try f.column("churn").toDoubles()!, [0, 1, 1, 0])
    }

    func testSpecErrorsAndCodable() throws {
        let log = try handLog()
        var s = spec()
        s.eventTypes = ["logn"]
        XCTAssertThrowsError(try buildFeatures(log, s)) { e in
            XCTAssertTrue("\(e)".contains("did you mean 'login'"), "\(e)")
        }
        s.eventTypes = nil; s.windows = [0]
        XCTAssertThrowsError(try buildFeatures(log, s))
        let json = #"{"as_of": 8640000000000, "windows": [7], "families": ["activity", "recency"], "event_types": ["view"]}"#
        let d = try JSONDecoder().decode(FeatureSpec.self, from: Data(json.utf8))
        XCTAssertEqual(d.asOf, fday(100)); XCTAssertEqual(d.sessionGapMinutes, 30)
        let f = try buildFeatures(log, d)
        XCTAssertEqual(f.names, ["user_id", "events_7d", "active_days_7d", "recency_days", "recency_view_days"])
        XCTAssertThrowsError(try EventLog(try Frame([.float("user_id", [1]), Column(name: "ts", data: .timestamp([0])),
                                                     .string("event", ["a"])]))) { e in
            XCTAssertEqual("\(e)", "column 'user_id' is float, expected int or string (user id)")
        }
    }

    func testStringUserIdsSortedAndStable() throws {
        let f = try Frame([
            .string("uid", ["b", "a", "b", "a"]),
            Column(name: "t", data: .date([3, 5, 3, 1])),
            .string("ev", ["x", "y", "z", "x"]),
        ])
        let log = try EventLog(f, user: "uid", time: "t", event: "ev")
        XCTAssertEqual(log.users, .string(["a", "b"]))
        XCTAssertEqual(log.offsets, [0, 2, 4])
        XCTAssertEqual(log.times, [1, 5, 3, 3].map { $0 * DAY_US })
        XCTAssertEqual(log.types.map { log.typeNames[Int($0)] }, ["x", "y", "x", "z"])  // ties keep input order
        XCTAssertEqual(log.defaultDataEnd, 6 * DAY_US)
    }

    func testTimeTextParsingAndTextTimeColumns() throws {
        XCTAssertEqual(TimeUnit.parse("1970-01-02"), DAY_US)
        XCTAssertEqual(TimeUnit.parse("2024-03-10T01:02:03.5Z"), fday(19792, h: 1, m: 2) + 3_500_000)
        XCTAssertEqual(TimeUnit.parse("2024-02-29 23:59"), fday(19782, h: 23, m: 59))
        for bad in ["2023-02-29", "2024-13-01", "2024-1-01", "2024-01-01T25:00", "yesterday", "2024-01-01T10:00:00.1234567"] {
            XCTAssertNil(TimeUnit.parse(bad), bad)
        }
        let f = try Frame([.int("user_id", [1, 1]), .string("ts", ["2024-03-02", "2024-03-01"]), .string("event", ["a", "b"])])
        let log = try EventLog(f)
        XCTAssertEqual(log.times, [19783 * DAY_US, 19784 * DAY_US])
        XCTAssertTrue(log.timeIsDate)
        let bad = try Frame([.int("user_id", [1, 1]), .string("ts", ["2024-03-02", "soon"]), .string("event", ["a", "b"])])
        XCTAssertThrowsError(try EventLog(bad)) { e in
            XCTAssertEqual("\(e)", "column 'ts', row 2: 'soon' is not a date or time like 2024-06-01 or 2024-06-01T12:00:00")
        }
    }
}

extension FeatureBuilderTests {
    /// A term starting exactly at as_of is running then (start <= as_of < end), for every
    /// subscription feature and for the labels. User 9 renews at as_of; user 10's first term
    /// starts at as_of; user 11's term ends exactly at as_of (not running).
    func testTermStartingAtAsOfIsRunning() throws {
        let log = try EventLog(try featureEventFrame([
            (9, fday(90), "login", nil), (10, fday(95), "login", nil), (11, fday(80), "login", nil),
        ]))
        let rows: [(Int64, Int32, Int32, String, Double)] = [
            (9, 70, 100, "monthly", 10), (9, 100, 120, "pro", 25),
            (10, 100, 131, "monthly", 10),
            (11, 70, 100, "monthly", 10),
        ]
        let subs = try Subscriptions(try Frame([
            .int("user_id", rows.map { $0.0 }),
            Column(name: "start", data: .date(rows.map { $0.1 })), Column(name: "end", data: .date(rows.map { $0.2 })),
            .string("plan", rows.map { $0.3 }), .float("price", rows.map { $0.4 }),
        ]))
        let f = try buildFeatures(log, spec(), subscriptions: subs)
        XCTAssertEqual(try featureUserIDs(f), [9, 10, 11])
        XCTAssertEqual(try featureValue(f, "subscribed", user: 9), 1)
        XCTAssertEqual(try featureValue(f, "subscribed", user: 10), 1)
        XCTAssertEqual(try featureValue(f, "subscribed", user: 11), 0)
        XCTAssertEqual(try f.column("plan").string(at: 0), "pro")           // the renewal's plan and price
        XCTAssertEqual(try featureValue(f, "price", user: 9), 25)
        XCTAssertEqual(try featureValue(f, "days_to_renewal", user: 9), 20)
        XCTAssertEqual(try featureValue(f, "days_to_renewal", user: 10), 31)
        XCTAssertNil(try featureValue(f, "days_to_renewal", user: 11))
        XCTAssertEqual(try featureValue(f, "renewals", user: 9), 1)         // the term starting at as_of counts
        XCTAssertEqual(try featureValue(f, "renewals", user: 10), 0)
        // Tenure: from the first term start (day 70) for 9 and 11, from the first event (95) for 10.
        XCTAssertEqual(try featureValue(f, "tenure_days", user: 9), 30)
        XCTAssertEqual(try featureValue(f, "tenure_days", user: 10), 5)
        XCTAssertEqual(try featureValue(f, "tenure_days", user: 11), 30)
        // Labels: 9 and 10 are running at as_of (11 is not); 9's coverage ends at 120, inside the 30-day horizon; 10's at 131, after it.
        let l = try churnLabels(subs, LabelOptions(asOf: Self.asOf, horizon: 30, definition: .subscription, dataEnd: fday(200)))
        XCTAssertEqual(try featureUserIDs(l), [9, 10])
        XCTAssertEqual(try l.column("churn").toDoubles()!, [1, 0])
    }
}
